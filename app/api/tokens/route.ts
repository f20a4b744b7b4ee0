import { NextResponse } from "next/server";
import { route, readJson } from "@/lib/web/http";
import { createToken, tokensFor } from "@/lib/auth/tokens";
import { allowed } from "@/lib/auth/roles";
import { settings } from "@/lib/kettle/settings";
import { parseBody, tokenBody } from "@/lib/web/api-schemas";

export const dynamic = "force-dynamic";

/** Own tokens; an admin sees everyone's with `?all=1`. */
export const GET = route(async ({ req, db, actor }) => {
  const all = req.nextUrl.searchParams.get("all") === "1" && allowed(actor.role, "token_list_all", settings().auth);
  return NextResponse.json({ tokens: await tokensFor(db, actor, all) });
});

/** `{ name, role?, expiresInDays? }` → 201 with the secret, shown this once. */
export const POST = route(
  async ({ req, db, actor, audit }) => {
    const body = await readJson(req);
    parseBody(tokenBody, body); // the shape; createToken checks the rest (role no higher than yours)
    return NextResponse.json(await createToken(db, actor, body, audit("token_create")), { status: 201 });
  },
  { mutation: true, action: "token_create" },
);

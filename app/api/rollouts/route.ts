import { NextResponse } from "next/server";
import { rolloutResponse } from "@/lib/web/rollout-cache";
import { route, readJson } from "@/lib/web/http";
import { createRollout } from "@/lib/kettle/operations";
import { findRollouts, parseFilters } from "@/lib/kettle/overview";
import { badInput } from "@/lib/kettle/errors";

export const dynamic = "force-dynamic";

export const GET = route(async ({ req, db }) => {
  const q = req.nextUrl.searchParams;
  const page = Number(q.get("page") ?? 1);
  const perPage = Number(q.get("perPage") ?? 20);
  if (!Number.isInteger(page) || !Number.isInteger(perPage)) throw badInput("page and perPage must be whole numbers");
  // filters: status, kind, user, from, to, q, hidden (see the README)
  return NextResponse.json(await findRollouts(db, parseFilters(q), { page, perPage }));
});

export const POST = route(
  async ({ req, db, user, audit }) => {
    const body = await readJson(req);
    if (body.kind !== undefined && typeof body.kind !== "string") throw badInput("kind must be a string such as \"rollout:MyRollout\"");
    if (body.config !== undefined && (typeof body.config !== "object" || body.config === null || Array.isArray(body.config))) {
      throw badInput("config must be a JSON object");
    }
    const id = await createRollout(db, { kind: body.kind as string | undefined, config: body.config, user, audit: audit("create") });
    return rolloutResponse(db, id, { status: 201, fresh: true });
  },
  { mutation: true, action: "create" },
);

import { NextResponse } from "next/server";
import { route } from "@/lib/web/http";
import { revoke } from "@/lib/auth/tokens";
import { notFound } from "@/lib/kettle/errors";

export const dynamic = "force-dynamic";

/** Revokes a token: one's own, or anyone's for an admin. */
export const DELETE = route<{ id: string }>(
  async ({ db, params, actor, audit, authorize }) => {
    if (!/^\d{1,12}$/.test(params.id)) throw notFound(`No token with id ${params.id.slice(0, 40)}`);
    return NextResponse.json(await revoke(db, actor, Number(params.id), audit("token_revoke"), () => authorize("token_revoke_any")));
  },
  { mutation: true, action: "token_revoke" },
);

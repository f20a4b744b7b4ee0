import { NextResponse } from "next/server";
import { route } from "@/lib/web/http";
import { revoke } from "@/lib/auth/tokens";
import { allowed } from "@/lib/auth/roles";
import { settings } from "@/lib/kettle/settings";
import { notFound } from "@/lib/kettle/errors";

export const dynamic = "force-dynamic";

/** Revokes a token: one's own, or anyone's for an admin. */
export const DELETE = route<{ id: string }>(
  async ({ db, params, actor, audit }) => {
    if (!/^\d{1,12}$/.test(params.id)) throw notFound(`No token with id ${params.id.slice(0, 40)}`);
    const any = allowed(actor.role, "token_revoke_any", settings().auth);
    return NextResponse.json(await revoke(db, actor, Number(params.id), audit("token_revoke"), any));
  },
  { mutation: true, action: "token_revoke" },
);

import { NextResponse } from "next/server";
import { forgetRollout } from "@/lib/web/rollout-cache";
import { route, readJson, wakeRunner } from "@/lib/web/http";
import { sendSignal, rolloutIdOf } from "@/lib/kettle/operations";
import { commentBody, parseBody } from "@/lib/web/api-schemas";
import { countSignal } from "@/lib/kettle/outbound/metrics";

export const dynamic = "force-dynamic";

export const POST = route<{ id: string; signal: string }>(
  async ({ req, db, params, user, audit }) => {
    const id = await rolloutIdOf(db, params.id);
    const body = parseBody(commentBody, await readJson(req));
    await sendSignal(db, id, params.signal, user, body.comment, audit(params.signal, { comment: typeof body.comment === "string" ? body.comment : null }));
    countSignal(params.signal);
    forgetRollout(id);
    wakeRunner();
    return NextResponse.json({ id, signal: params.signal, sent: true });
  },
  // each signal is an action of its own name (term_rollout may be admin-only)
  { mutation: true, action: (p) => p.signal },
);

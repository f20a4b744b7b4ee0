import { NextResponse } from "next/server";
import { forgetRollout } from "@/lib/web/rollout-cache";
import { route, wakeRunner } from "@/lib/web/http";
import { parseId, sendSignal } from "@/lib/kettle/operations";
import { requireRolloutRow } from "@/lib/kettle/store/rollouts";

export const dynamic = "force-dynamic";

export const POST = route<{ id: string; signal: string }>(
  async ({ db, params, user }) => {
    const { id } = await requireRolloutRow(db, parseId(params.id));
    await sendSignal(db, id, params.signal, user);
    forgetRollout(id);
    wakeRunner();
    return NextResponse.json({ id, signal: params.signal, sent: true });
  },
  { mutation: true },
);

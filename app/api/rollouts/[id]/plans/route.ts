import { NextResponse } from "next/server";
import { route } from "@/lib/web/http";
import { parseId } from "@/lib/kettle/operations";
import { requireRolloutRow } from "@/lib/kettle/store/rollouts";
import { planHistory } from "@/lib/kettle/plans";

export const dynamic = "force-dynamic";

/** Every plan the rollout was finalised with, oldest first, each with what changed against the one before. */
export const GET = route<{ id: string }>(async ({ db, params }) => {
  const { id } = await requireRolloutRow(db, parseId(params.id));
  return NextResponse.json({ plans: await planHistory(db, id) });
});

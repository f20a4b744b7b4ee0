import { NextResponse } from "next/server";
import { route } from "@/lib/web/http";
import { rolloutIdOf } from "@/lib/kettle/operations";
import { planHistory } from "@/lib/kettle/read/plans";

export const dynamic = "force-dynamic";

/** Every plan the rollout was finalised with, oldest first, each with what changed against the one before. */
export const GET = route<{ id: string }>(async ({ db, params }) => {
  const id = await rolloutIdOf(db, params.id);
  return NextResponse.json({ plans: await planHistory(db, id) });
});

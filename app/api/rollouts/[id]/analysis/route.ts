import { NextResponse } from "next/server";
import { route } from "@/lib/web/http";
import { analysisOf, rolloutIdOf } from "@/lib/kettle/operations";

export const dynamic = "force-dynamic";

/** Every health analysis of the rollout (steps and background), each with its metrics, measurements and verdict. */
export const GET = route<{ id: string }>(async ({ db, params }) => {
  const id = await rolloutIdOf(db, params.id);
  return NextResponse.json(await analysisOf(db, id));
});

import { NextResponse } from "next/server";
import { route } from "@/lib/web/http";
import { freezeStates, rolloutKinds } from "@/lib/kettle/operations";

export const dynamic = "force-dynamic";

/** The kinds offered, each with whether it is frozen now and the next freeze ahead. */
export const GET = route(async ({ db }) => {
  const kinds = await rolloutKinds();
  const states = await freezeStates(db, kinds.map((k) => k.kind));
  return NextResponse.json({ kinds: kinds.map((k) => ({ kind: k.kind, title: k.title, frozen: states[k.kind].frozen, nextFreeze: states[k.kind].next })) });
});

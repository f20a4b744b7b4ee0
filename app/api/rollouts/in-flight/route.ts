import { NextResponse } from "next/server";
import { route } from "@/lib/web/http";
import { inFlight } from "@/lib/kettle/read/overview";

export const dynamic = "force-dynamic";

/** Every rollout in progress, across kinds, with progress, time left and who ran it (Home's overview). */
export const GET = route(async ({ db }) => NextResponse.json({ rollouts: await inFlight(db) }));

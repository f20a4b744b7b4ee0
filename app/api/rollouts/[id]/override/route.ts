import { NextResponse } from "next/server";
import { route, readJson, wakeRunner } from "@/lib/web/http";
import { overrideFreezes, rolloutIdOf } from "@/lib/kettle/operations";
import { forgetRollout } from "@/lib/web/rollout-cache";

export const dynamic = "force-dynamic";

/** `{ reason }`: lets the rollout run through the freeze windows (admins); one a freeze paused resumes. */
export const POST = route<{ id: string }>(
  async ({ req, db, params, user, audit }) => {
    const id = await rolloutIdOf(db, params.id);
    const body = await readJson(req);
    const { resumed } = await overrideFreezes(db, id, body.reason, user, audit("freeze_override"));
    forgetRollout(id);
    wakeRunner();
    return NextResponse.json({ id, overridden: true, resumed });
  },
  { mutation: true, action: "freeze_override" },
);

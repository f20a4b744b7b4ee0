import { route, readJson } from "@/lib/web/http";
import { cancelScheduledRun, rolloutIdOf, scheduleRun } from "@/lib/kettle/operations";
import { forgetRollout, rolloutResponse, tasksParam } from "@/lib/web/rollout-cache";

export const dynamic = "force-dynamic";

/** `{ at, override? }`: run it at `at` (ISO 8601 with an offset); `override` (admins) lets it through the freeze windows. */
export const POST = route<{ id: string }>(
  async ({ req, db, params, user, audit, authorize }) => {
    const tasks = tasksParam(req, "auto");
    const id = await rolloutIdOf(db, params.id);
    const body = await readJson(req);
    if (body.override !== undefined && body.override !== null) await authorize("freeze_override", { rolloutId: id });
    await scheduleRun(db, id, body, user, audit("schedule"));
    forgetRollout(id);
    return rolloutResponse(db, id, { status: 200, fresh: true, tasks });
  },
  { mutation: true, action: "schedule" },
);

/** Cancels its scheduled run (409 when none). */
export const DELETE = route<{ id: string }>(
  async ({ req, db, params, audit }) => {
    const tasks = tasksParam(req, "auto");
    const id = await rolloutIdOf(db, params.id);
    await cancelScheduledRun(db, id, audit("schedule_cancel"));
    forgetRollout(id);
    return rolloutResponse(db, id, { status: 200, fresh: true, tasks });
  },
  { mutation: true, action: "schedule_cancel" },
);

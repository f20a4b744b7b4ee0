import { rolloutResponse, tasksParam } from "@/lib/web/rollout-cache";
import { route, wakeRunner } from "@/lib/web/http";
import { runRollout, rolloutIdOf } from "@/lib/kettle/operations";
import { countRunRequest } from "@/lib/kettle/outbound/metrics";

export const dynamic = "force-dynamic";

export const POST = route<{ id: string }>(
  async ({ req, db, params, user, audit }) => {
    const tasks = tasksParam(req, "auto");
    const id = await rolloutIdOf(db, params.id);
    await runRollout(db, id, user, audit("run"));
    countRunRequest();
    wakeRunner();
    return rolloutResponse(db, id, { status: 202, fresh: true, tasks });
  },
  { mutation: true, action: "run" },
);

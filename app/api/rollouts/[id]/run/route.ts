import { rolloutResponse, tasksParam } from "@/lib/web/rollout-cache";
import { route, readJson, wakeRunner } from "@/lib/web/http";
import { parseBody, runBody } from "@/lib/web/api-schemas";
import { runRollout, rolloutIdOf } from "@/lib/kettle/operations";
import { KettleError } from "@/lib/kettle/errors";
import { countRunRequest } from "@/lib/kettle/outbound/metrics";

export const dynamic = "force-dynamic";

export const POST = route<{ id: string }>(
  async ({ req, db, params, user, audit, authorize }) => {
    const tasks = tasksParam(req, "auto");
    const id = await rolloutIdOf(db, params.id);
    // `{ override }`: an admin's reason to run despite the freeze windows (issue 21).
    const raw = await readJson(req);
    const unknown = Object.keys(raw).filter((k) => k !== "override");
    if (unknown.length) throw new KettleError("bad_input", `Unknown field: ${unknown[0].slice(0, 40)} (a run takes only override)`);
    const body = parseBody(runBody, raw);
    if (body.override !== undefined) await authorize("freeze_override", { rolloutId: id });
    await runRollout(db, id, user, audit("run"), { override: body.override });
    countRunRequest();
    wakeRunner();
    return rolloutResponse(db, id, { status: 202, fresh: true, tasks });
  },
  { mutation: true, action: "run" },
);

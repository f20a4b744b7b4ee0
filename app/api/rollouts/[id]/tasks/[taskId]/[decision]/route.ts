// approve | reject | retry | skip one task: `{ "comment"?: "..." }`; 200 with the rollout.
import { rolloutResponse, tasksParam } from "@/lib/web/rollout-cache";
import { route, readJson, wakeRunner } from "@/lib/web/http";
import { decideTask, rolloutIdOf } from "@/lib/kettle/operations";
import { commentBody, parseBody } from "@/lib/web/api-schemas";
import { isTaskDecision } from "@/lib/kettle/authoring/phases";
import { countDecision } from "@/lib/kettle/outbound/metrics";

export const dynamic = "force-dynamic";

export const POST = route<{ id: string; taskId: string; decision: string }>(
  async ({ req, db, params, user, audit }) => {
    const tasks = tasksParam(req, "auto");
    const id = await rolloutIdOf(db, params.id);
    const body = parseBody(commentBody, await readJson(req));
    const comment = typeof body.comment === "string" ? body.comment : null;
    await decideTask(db, id, params.taskId, params.decision, user, body.comment, audit(params.decision, { comment }));
    countDecision(params.decision);
    wakeRunner();
    return rolloutResponse(db, id, { fresh: true, tasks });
  },
  { mutation: true, action: (p) => (isTaskDecision(p.decision) ? p.decision : "unknown") },
);

// Retry a failed rollback: 202 while rollback_failed, 409 otherwise.
import { rolloutResponse, tasksParam } from "@/lib/web/rollout-cache";
import { route, readJson, wakeRunner } from "@/lib/web/http";
import { retryRollback, rolloutIdOf } from "@/lib/kettle/operations";
import { commentBody, parseBody } from "@/lib/web/api-schemas";
import { countDecision } from "@/lib/kettle/outbound/metrics";

export const dynamic = "force-dynamic";

export const POST = route<{ id: string }>(
  async ({ req, db, params, user, audit }) => {
    const tasks = tasksParam(req, "auto");
    const id = await rolloutIdOf(db, params.id);
    const body = parseBody(commentBody, await readJson(req));
    await retryRollback(db, id, user, body.comment, audit("retry_rollback", { comment: typeof body.comment === "string" ? body.comment : null }));
    countDecision("retry_rollback");
    wakeRunner();
    return rolloutResponse(db, id, { status: 202, fresh: true, tasks });
  },
  { mutation: true, action: "retry_rollback" },
);

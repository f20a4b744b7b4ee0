// approve | reject | retry | skip one task: `{ "comment"?: "..." }`; 200 with the rollout.
import { rolloutResponse, tasksParam } from "@/lib/web/rollout-cache";
import { HttpError, route, readJson, wakeRunner } from "@/lib/web/http";
import { approvalGateOf, decideTask, rolloutIdOf, writeAudit } from "@/lib/kettle/operations";
import { approverRefusal, whoMayApprove } from "@/lib/auth/approvals";
import { commentBody, parseBody } from "@/lib/web/api-schemas";
import { isTaskDecision } from "@/lib/kettle/authoring/phases";
import { countDecision } from "@/lib/kettle/outbound/metrics";

export const dynamic = "force-dynamic";

export const POST = route<{ id: string; taskId: string; decision: string }>(
  async ({ req, db, params, user, actor, audit }) => {
    const tasks = tasksParam(req, "auto");
    const id = await rolloutIdOf(db, params.id);
    const body = parseBody(commentBody, await readJson(req));
    const comment = typeof body.comment === "string" ? body.comment : null;
    // A gate's approvers and four eyes (whoever ran the rollout does not approve its gate alone).
    const gate = params.decision === "approve" || params.decision === "reject" ? await approvalGateOf(db, id, params.taskId) : null;
    if (gate) {
      const setAside = gate.policy.approvals === 1 ? [{ user: gate.ranBy, why: "ran the rollout" }] : [];
      const why = approverRefusal(actor, params.decision === "approve" ? gate.policy : { ...gate.policy, fourEyes: false }, setAside);
      if (why) {
        await writeAudit(db, { ...audit(params.decision), outcome: "refused", rolloutId: id, comment: `403: ${why}` });
        throw new HttpError(403, why, { mayApprove: whoMayApprove(gate.policy, setAside) });
      }
    }
    await decideTask(db, id, params.taskId, params.decision, user, body.comment, audit(params.decision, { comment }));
    countDecision(params.decision);
    wakeRunner();
    return rolloutResponse(db, id, { fresh: true, tasks });
  },
  { mutation: true, action: (p) => (isTaskDecision(p.decision) ? p.decision : "unknown") },
);

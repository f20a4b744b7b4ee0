// approve | reject the plan a rollout will run (its kind's requiresApproval):
// `{ "planHash": "…", "comment"?: "…" }`; 200 with the rollout.
import { rolloutResponse, tasksParam } from "@/lib/web/rollout-cache";
import { HttpError, route, readJson } from "@/lib/web/http";
import { decidePlan, planApprovalFor, rolloutIdOf, writeAudit } from "@/lib/kettle/operations";
import { parseBody, planDecisionBody } from "@/lib/web/api-schemas";
import { approverRefusal, whoMayApprove } from "@/lib/auth/approvals";
import { KettleError } from "@/lib/kettle/errors";

export const dynamic = "force-dynamic";

const decisions = { approve: "approve_plan", reject: "reject_plan" } as const;
const isDecision = (d: string): d is keyof typeof decisions => Object.hasOwn(decisions, d);

export const POST = route<{ id: string; decision: string }>(
  async ({ req, db, params, user, actor, audit }) => {
    if (!isDecision(params.decision)) throw new HttpError(404, `No such decision "${params.decision.slice(0, 40)}": approve or reject`);
    const action = decisions[params.decision];
    const tasks = tasksParam(req, "auto");
    const id = await rolloutIdOf(db, params.id);
    const body = parseBody(planDecisionBody, await readJson(req));
    const view = await planApprovalFor(db, id);
    const policy = { approvals: view.required, fourEyes: view.fourEyes, approvers: view.approvers };
    // Four eyes keeps the plan's makers from approving it; anyone who may approve may reject.
    const setAside = [
      { user: view.createdBy, why: "created the rollout" },
      { user: view.finalisedBy, why: "finalised this plan" },
    ];
    const why = approverRefusal(actor, params.decision === "approve" ? policy : { ...policy, fourEyes: false }, setAside);
    if (why) {
      await writeAudit(db, { ...audit(action), outcome: "refused", rolloutId: id, comment: `403: ${why}` });
      throw new HttpError(403, why, { mayApprove: whoMayApprove(policy, setAside) });
    }
    try {
      await decidePlan(db, id, params.decision, body, user, audit(action, { comment: body.comment ?? null }));
    } catch (e) {
      // A stale plan, a decision already given: refused attempts are on the record too.
      if (e instanceof KettleError) await writeAudit(db, { ...audit(action), outcome: "refused", rolloutId: id, comment: `409: ${e.message}` });
      throw e;
    }
    return rolloutResponse(db, id, { fresh: true, tasks });
  },
  { mutation: true, action: (p) => (isDecision(p.decision) ? decisions[p.decision] : "unknown") },
);

// Where a plan's approval stands (a class's `requiresApproval`): the rule, the
// current plan's hash, who approved or rejected it, how many approvals are
// missing, and what changed since the last plan that was approved (whose
// approvals a new plan voided). The run gate asks the same question.
import type { Db } from "../store/db";
import { KettleError } from "../errors";
import type { RolloutRow } from "../store/rollouts";
import type { RolloutClass } from "../authoring/rollout";
import { approvalPolicy, describePolicy } from "../authoring/approvals";
import { planDecisionsOf, type PlanDecisionRow } from "../store/plan-decisions";
import { plansOf } from "../store/plans";
import { currentPlan, diffPlans, type PlanDiff } from "./plans";

type Decided = { by: string | null; at: number; comment?: string };

export type PlanApprovalView = {
  required: number;
  fourEyes: boolean;
  approvers: string[];
  /** The hash of the plan in force: approve or reject with it (a stale hash is refused). */
  planHash: string;
  createdBy: string | null;
  finalisedBy: string | null;
  approvals: Decided[];
  rejections: Decided[];
  /** Approvals still needed (a rejection blocks the run whatever this says). */
  missing: number;
  /** What changed since the last plan that was approved, whose approvals no longer count; null when there was none. */
  sinceApproved: PlanDiff | null;
};

const decided = (d: PlanDecisionRow): Decided => ({ by: d.by, at: d.at, ...(d.comment ? { comment: d.comment } : {}) });

/** Null when the kind needs no approval of its plan. */
export async function planApprovalOf(db: Db, row: RolloutRow, cls: RolloutClass | null): Promise<PlanApprovalView | null> {
  if (!cls?.requiresApproval) return null;
  let policy;
  try {
    policy = approvalPolicy(cls.requiresApproval, "requiresApproval");
  } catch (e) {
    throw new KettleError("unprocessable", `${row.kind}: ${(e as Error).message}`);
  }
  const [plan, decisions] = await Promise.all([currentPlan(db, row.id), planDecisionsOf(db, row.id)]);
  const mine = decisions.filter((d) => d.planHash === plan.hash);
  const approvals = mine.filter((d) => d.decision === "approve");
  let sinceApproved: PlanDiff | null = null;
  const approvedBefore = decisions.filter((d) => d.decision === "approve" && d.planHash !== plan.hash).at(-1);
  if (approvedBefore) {
    const earlier = (await plansOf(db, row.id)).filter((p) => p.hash === approvedBefore.planHash).at(-1);
    if (earlier) sinceApproved = diffPlans(earlier, plan);
  }
  return {
    required: policy.approvals,
    fourEyes: policy.fourEyes,
    approvers: policy.approvers,
    planHash: plan.hash,
    createdBy: row.createdBy,
    finalisedBy: plan.finalisedBy,
    approvals: approvals.map(decided),
    rejections: mine.filter((d) => d.decision === "reject").map(decided),
    missing: Math.max(0, policy.approvals - approvals.length),
    sinceApproved,
  };
}

/** Why the plan cannot run yet (null when it can): missing approvals, a rejection, or (four eyes) the runner as its only approver. */
export function planApprovalRefusal(a: PlanApprovalView, runner?: string | null): string | null {
  const rule = describePolicy({ approvals: a.required, fourEyes: a.fourEyes, approvers: a.approvers });
  if (a.rejections.length) {
    const r = a.rejections[0];
    return `Its plan was rejected by ${r.by ?? "anonymous"}${r.comment ? ` (${r.comment})` : ""}: it cannot run until the plan changes`;
  }
  if (a.missing) return `Its plan needs ${rule}: ${a.missing} missing${a.approvals.length ? ` (approved by ${a.approvals.map((x) => x.by ?? "anonymous").join(", ")})` : ""}`;
  if (a.fourEyes && runner !== undefined && a.approvals.every((x) => x.by === runner)) {
    return `Four eyes: ${runner ?? "anonymous"} approved this plan alone and cannot also run it; someone else must approve it or run it`;
  }
  return null;
}

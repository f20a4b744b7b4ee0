// The web side's door for approvals: where a plan's approval stands, a decision
// on it bound to the plan's hash, and an approval gate's rule. Who may approve is
// lib/auth's to say (lib/auth/approvals.ts), asked by the routes before these.
import type { Db } from "./store/db";
import { requireRolloutRow } from "./store/rollouts";
import { loadTasks } from "./store/tasks";
import { insertPlanDecision } from "./store/plan-decisions";
import type { AuditEntry } from "./store/audit";
import { resolveRolloutClass } from "./modules/registry";
import { planApprovalOf, type PlanApprovalView } from "./read/plan-approval";
import { ApprovalTask } from "./authoring/tasks/approval";
import { approvalPolicy, type Policy } from "./authoring/approvals";
import { badInput, conflict } from "./errors";
import { checkComment } from "./text";
import { now } from "./clock";

/** An approval gate's rule and who ran the rollout, for lib/auth to say who may approve it; null for a task that is not a gate. */
export async function approvalGateOf(db: Db, id: number, taskIdParam: string): Promise<{ policy: Policy; ranBy: string | null } | null> {
  const taskId = /^\d{1,9}$/.test(taskIdParam) ? Number(taskIdParam) : NaN;
  if (!Number.isInteger(taskId)) return null;
  const [row, tasks] = await Promise.all([requireRolloutRow(db, id), loadTasks(db, id, "SELECT ? AS id", [taskId])]);
  const task = tasks[0]?.task;
  if (!(task instanceof ApprovalTask)) return null;
  return { policy: approvalPolicy(task.state, "ApprovalTask"), ranBy: row.runBy };
}

/** Where the approval of a rollout's plan stands; 409 when its kind needs none or it is past approving. */
export async function planApprovalFor(db: Db, id: number): Promise<PlanApprovalView> {
  const row = await requireRolloutRow(db, id);
  const kind = await resolveRolloutClass(row.kind);
  const view = await planApprovalOf(db, row, kind.cls);
  if (!view) throw conflict(`Rollouts of ${row.kind} need no approval of their plan`);
  if (row.status !== "not_started") throw conflict(`Nothing to approve: the rollout has been run (status: ${row.status.replace(/_/g, " ")})`);
  if (!row.finalisedAt) throw conflict("Nothing to approve: the rollout has no plan yet (finalise it)");
  return view;
}

/**
 * Approves or rejects the plan in force, bound to its hash: `planHash` is the hash the person
 * saw, and a stale one is refused (the plan changed since). Who may decide is lib/auth's to say
 * (lib/auth/approvals.ts), before this is called.
 */
export async function decidePlan(db: Db, id: number, decision: "approve" | "reject", input: { planHash?: unknown; comment?: unknown }, by: string | null, audit: AuditEntry): Promise<void> {
  if (typeof input.planHash !== "string" || !/^[0-9a-f]{64}$/.test(input.planHash)) throw badInput("planHash: the hash of the plan you decide on (planApproval.planHash in GET /api/rollouts/{id})");
  const comment = checkComment(input.comment);
  const view = await planApprovalFor(db, id);
  if (input.planHash !== view.planHash) throw conflict(`The plan changed since you loaded it (its hash is now ${view.planHash}): look at the new plan and decide again`);
  const mine = [...view.approvals.map((a) => ({ ...a, d: "approved" })), ...view.rejections.map((r) => ({ ...r, d: "rejected" }))].find((x) => x.by === by);
  if (mine) throw conflict(`You have ${mine.d} this plan already`);
  const row = await requireRolloutRow(db, id);
  const ok = await insertPlanDecision(db, id, { planHash: view.planHash, finalisedAt: row.finalisedAt!, decision, by, comment, at: now() }, { ...audit, kind: row.kind, comment: `${decision} plan ${view.planHash.slice(0, 12)}${comment ? `: ${comment}` : ""}` });
  if (!ok) throw conflict("The plan changed or the rollout was run meanwhile: reload and decide again");
}

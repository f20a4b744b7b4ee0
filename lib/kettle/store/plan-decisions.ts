// Approvals and rejections of a plan before it runs: the only module that writes
// `plan_decision`. Each decision is bound to the hash of the plan it was given
// on, and recorded only while that plan is still the rollout's finalised one.
import type { Db } from "./db";
import { auditStatement, type AuditEntry } from "./audit";
import { hintChanged } from "../change-hints";

export type PlanDecisionRow = { id: number; planHash: string; decision: "approve" | "reject"; by: string | null; at: number; comment: string | null };

/**
 * Records a decision on the plan finalised at `finalisedAt` (hash `planHash`): false when
 * the rollout was refinalised or run meanwhile, or this person already decided on this plan.
 */
export async function insertPlanDecision(
  db: Db,
  rolloutId: number,
  d: { planHash: string; finalisedAt: number; decision: "approve" | "reject"; by: string | null; comment: string | null; at: number },
  audit: AuditEntry,
): Promise<boolean> {
  const [rs] = await db.$client.batch(
    [
      {
        sql: `INSERT INTO plan_decision (rollout_id, plan_hash, decision, by, at, comment)
              SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM rollout WHERE id = ? AND status = 'not_started' AND finalised_at = ?)
              AND NOT EXISTS (SELECT 1 FROM plan_decision WHERE rollout_id = ? AND plan_hash = ? AND by IS ?)`,
        args: [rolloutId, d.planHash, d.decision, d.by, d.at, d.comment, rolloutId, d.finalisedAt, rolloutId, d.planHash, d.by],
      },
      auditStatement({ ...audit, rolloutId }, { ifChanged: true }),
    ],
    "write",
  );
  if (rs.rowsAffected !== 1) return false;
  hintChanged(rolloutId); // live pages in this process hear it at once (the change feed's trigger is the channel)
  return true;
}

/** Every decision on a rollout's plans, oldest first. */
export async function planDecisionsOf(db: Db, rolloutId: number): Promise<PlanDecisionRow[]> {
  const rs = await db.$client.execute({ sql: "SELECT id, plan_hash, decision, by, at, comment FROM plan_decision WHERE rollout_id = ? ORDER BY id", args: [rolloutId] });
  return rs.rows.map((r) => ({
    id: Number(r.id),
    planHash: String(r.plan_hash),
    decision: String(r.decision) as "approve" | "reject",
    by: r.by === null ? null : String(r.by),
    at: Number(r.at),
    comment: r.comment === null ? null : String(r.comment),
  }));
}

// Freezes and the pause bookkeeping (issue 21): the runner pauses a running
// rollout when a freeze begins and resumes it when it ends; an admin's
// override resumes one a freeze paused and lets it run through the freezes.
// The rollout columns these touch are the pause bookkeeping of decisions.ts.
import type { Db } from "./db";
import { hintChanged } from "../change-hints";
import { conflict, notFound } from "../errors";
import type { AuditEntry } from "./audit";
import { audited, unpauseStatements, type PausedReason } from "./decisions";

const FREEZE_PAUSE = "json_extract(paused_reason, '$.kind') = 'freeze'";

/** A freeze began: pause the run unless it is overridden (or not running). */
export async function freezePause(db: Db, id: number, owner: string, reason: PausedReason, at: number): Promise<boolean> {
  const rs = await db.$client.execute({
    sql: "UPDATE rollout SET status = 'paused', paused_at = ?, paused_reason = ? WHERE id = ? AND lease_owner = ? AND status = 'started' AND freeze_override IS NULL",
    args: [at, JSON.stringify(reason), id, owner],
  });
  if (rs.rowsAffected === 1) hintChanged(id, "rollout");
  return rs.rowsAffected === 1;
}

/** The freeze ended: resume a run it paused (and only such a run: a person's pause stays). */
export async function freezeUnpause(db: Db, id: number, owner: string, at: number): Promise<boolean> {
  const rs = await db.$client.batch(unpauseStatements(id, at, `AND lease_owner = ? AND ${FREEZE_PAUSE}`, [owner]), "write");
  if (rs[1].rowsAffected === 1) hintChanged(id, "rollout");
  return rs[1].rowsAffected === 1;
}

/**
 * An admin overrides the freezes for this rollout (with a reason): recorded on the rollout,
 * audited, and a run paused by a freeze resumes. Refused once the rollout has ended.
 */
export async function overrideFreeze(db: Db, id: number, override: { by: string | null; reason: string; at: number }, audit?: AuditEntry): Promise<{ resumed: boolean }> {
  const rs = await db.$client.batch(
    [
      {
        sql: `UPDATE rollout SET freeze_override = ? WHERE id = ? AND status IN ('not_started', 'started', 'paused')`,
        args: [JSON.stringify(override), id],
      },
      ...audited(audit, id),
      ...unpauseStatements(id, override.at, `AND ${FREEZE_PAUSE}`, []),
    ],
    "write",
  );
  if (rs[0].rowsAffected !== 1) {
    const rs2 = await db.$client.execute({ sql: "SELECT status FROM rollout WHERE id = ?", args: [id] });
    if (!rs2.rows.length) throw notFound(`No rollout with id ${id}`);
    throw conflict(`Nothing to override: the rollout is ${String(rs2.rows[0].status).replace(/_/g, " ")}`);
  }
  hintChanged(id, "rollout");
  return { resumed: rs[rs.length - 1].rowsAffected === 1 };
}

// Scheduled runs (issue 21): the rollout's scheduled_at, scheduled_by and
// schedule_note columns. Each write is one conditional statement with its
// audit row, so two callers (or two instances) can never both win.
import type { Db } from "./db";
import { auditStatement, type AuditEntry } from "./audit";
import { conflict } from "../errors";
import { hintChanged } from "../change-hints";

export async function setSchedule(db: Db, id: number, at: number, by: string | null, override: { by: string | null; reason: string; at: number } | null, audit?: AuditEntry): Promise<void> {
  const [rs] = await db.$client.batch(
    [
      {
        sql: `UPDATE rollout SET scheduled_at = ?, scheduled_by = ?, schedule_note = NULL, freeze_override = COALESCE(?, freeze_override)
              WHERE id = ? AND status = 'not_started' AND finalised_at IS NOT NULL`,
        args: [at, by, override ? JSON.stringify(override) : null, id],
      },
      ...(audit ? [auditStatement({ ...audit, rolloutId: id }, { ifChanged: true })] : []),
    ],
    "write",
  );
  if (rs.rowsAffected !== 1) throw conflict("Only a finalised rollout that has not run can be scheduled");
  hintChanged(id, "rollout");
}

export async function clearSchedule(db: Db, id: number, audit?: AuditEntry): Promise<void> {
  const [rs] = await db.$client.batch(
    [
      { sql: "UPDATE rollout SET scheduled_at = NULL, scheduled_by = NULL WHERE id = ? AND status = 'not_started' AND scheduled_at IS NOT NULL", args: [id] },
      ...(audit ? [auditStatement({ ...audit, rolloutId: id }, { ifChanged: true })] : []),
    ],
    "write",
  );
  if (rs.rowsAffected !== 1) throw conflict("This rollout has no scheduled run to cancel");
  hintChanged(id, "rollout");
}

/** Scheduled runs that are due (or whose claim ran out: the instance that took it went away). */
export async function dueSchedules(db: Db, at: number, limit = 20) {
  const rs = await db.$client.execute({
    sql: "SELECT id, scheduled_at, scheduled_by FROM rollout WHERE scheduled_at IS NOT NULL AND scheduled_at <= ? AND status = 'not_started' ORDER BY scheduled_at LIMIT ?",
    args: [at, limit],
  });
  return rs.rows.map((r) => ({ id: Number(r.id), scheduledAt: Number(r.scheduled_at), by: r.scheduled_by === null ? null : String(r.scheduled_by) }));
}

/**
 * Takes a due run, lease style: a compare-and-swap that moves its time `claimMs` ahead, so one
 * instance starts it and, should that instance die before it does, another takes it after.
 */
export async function claimSchedule(db: Db, id: number, seen: number, at: number, claimMs: number): Promise<boolean> {
  const rs = await db.$client.execute({
    sql: "UPDATE rollout SET scheduled_at = ? WHERE id = ? AND scheduled_at = ? AND status = 'not_started'",
    args: [at + claimMs, id, seen],
  });
  return rs.rowsAffected === 1;
}

/** The scheduled run did not start: why (the webhook schedule.skipped goes out with it, drizzle/0012). */
export async function skipSchedule(db: Db, id: number, note: { at: number; scheduledFor: number; reason: string; diff?: unknown }, audit: AuditEntry): Promise<void> {
  await db.$client.batch(
    [
      { sql: "UPDATE rollout SET scheduled_at = NULL, schedule_note = ? WHERE id = ? AND status = 'not_started'", args: [JSON.stringify(note), id] },
      auditStatement({ ...audit, rolloutId: id }, { ifChanged: true }),
    ],
    "write",
  );
  hintChanged(id, "rollout");
}

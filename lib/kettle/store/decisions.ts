// Decision rows and the pause bookkeeping that goes with them. People's
// decisions (pause, resume, approve, reject, retry, skip, retry the rollback)
// are written here by the web side, each in one batch with the status change
// it implies, guarded so that two callers can never both win; the runner that
// owns the rollout reads the unhandled ones and acts on them.
import { hintChanged } from "../change-hints";
import type { InStatement } from "@libsql/client";
import type { Db } from "./db";
import { conflict, notFound } from "../errors";
import type { TaskDecision } from "../authoring/phases";
import { auditStatement, type AuditEntry } from "./audit";

/** The audit row of a change, written in its batch right after the conditional write (only when that changed a row). */
export const audited = (audit: AuditEntry | undefined, rolloutId: number): InStatement[] => (audit ? [auditStatement({ ...audit, rolloutId }, { ifChanged: true })] : []);

export type PausedReason = {
  /** What paused it: an operator's pause_rollout, a failed task, a task interrupted by a restart, a monitor, a task asking for a person (ctx.pause). */
  kind: "signal" | "failure" | "interrupted" | "monitor" | "task" | "freeze";
  message: string;
  by?: string | null;
  taskId?: number;
  /** A freeze's pause: the window's id and when it ends (null: not known). */
  freezeId?: number;
  until?: number | null;
};

export type DecisionRow = {
  id: number;
  rolloutId: number;
  taskId: number | null;
  action: string;
  by: string | null;
  comment: string | null;
  at: number;
  handledAt: number | null;
};

/** A task that failed while the run was paused on it: it waits for retry, skip or roll back. */
export const AWAITING_SQL = `EXISTS (SELECT 1 FROM task t WHERE t.rollout_id = rollout.id AND t.run_failed_at IS NOT NULL
  AND t.skipped_at IS NULL AND t.revert_started_at IS NULL AND NOT EXISTS (SELECT 1 FROM task c WHERE c.rollout_id = t.rollout_id AND c.parent_id = t.id))`;

/**
 * Statements that end a pause at `at`: the paused time is added to every task
 * running now (since the pause began, or since the task started if later: a
 * delay then waits only what it had left), then the status
 * goes back to started. `guard` is extra SQL on the rollout row (e.g. the lease).
 */
export function unpauseStatements(id: number, at: number, guard: string, guardArgs: (string | number)[]): InStatement[] {
  const paused = `(SELECT paused_at FROM rollout WHERE id = ? AND status = 'paused' ${guard} AND NOT ${AWAITING_SQL})`;
  return [
    {
      sql: `UPDATE task SET paused_ms = paused_ms + (? - MAX(${paused}, run_started_at))
            WHERE rollout_id = ? AND run_started_at IS NOT NULL AND run_finished_at IS NULL AND run_failed_at IS NULL AND ${paused} IS NOT NULL`,
      args: [at, id, ...guardArgs, id, id, ...guardArgs],
    },
    {
      sql: `UPDATE rollout SET status = 'started', paused_at = NULL, paused_reason = NULL
            WHERE id = ? AND status = 'paused' ${guard} AND NOT ${AWAITING_SQL}`,
      args: [id, ...guardArgs],
    },
  ];
}

const decisionInsert = (id: number, taskId: number | null, action: string, by: string | null, comment: string | null, at: number, when: string, whenArgs: (string | number | null)[] = []): InStatement => ({
  sql: `INSERT INTO decision (rollout_id, task_id, action, by, comment, at) SELECT ?, ?, ?, ?, ?, ? WHERE ${when}`,
  args: [id, taskId, action, by, comment, at, ...whenArgs],
});

/** pause_rollout (by a person or a monitor): only while started. False when the rollout was not running. */
export async function pause(db: Db, id: number, action: string, by: string | null, reason: PausedReason, at: number, comment: string | null = null, audit?: AuditEntry): Promise<boolean> {
  const [update] = await db.$client.batch(
    [
      {
        sql: "UPDATE rollout SET status = 'paused', paused_at = ?, paused_reason = ? WHERE id = ? AND status = 'started'",
        args: [at, JSON.stringify(reason), id],
      },
      decisionInsert(id, null, action, by, comment, at, "changes() = 1"),
      ...audited(audit, id),
    ],
    "write",
  );
  return update.rowsAffected === 1;
}

/** resume_rollout: only while paused and no failed task waits for a decision. */
export async function resume(db: Db, id: number, by: string | null, at: number, comment: string | null = null, audit?: AuditEntry): Promise<void> {
  const rs = await db.$client.batch(
    [...unpauseStatements(id, at, "", []), decisionInsert(id, null, "resume_rollout", by, comment, at, "changes() = 1"), ...audited(audit, id)],
    "write",
  );
  if (rs[1].rowsAffected === 1) return;
  const awaiting = await awaitingTasks(db, id);
  if (awaiting.length) throw conflict(`Task ${awaiting[0]} failed and waits for a decision: retry it, skip it or roll back`);
  throw conflict(`resume_rollout is not available while the rollout is ${await statusOf(db, id)}`);
}

/** The runner ends a pause it made (after a retry or a skip), unless another failed task still waits. */
export async function unpauseByOwner(db: Db, id: number, owner: string, at: number): Promise<boolean> {
  const rs = await db.$client.batch(unpauseStatements(id, at, "AND lease_owner = ?", [owner]), "write");
  return rs[1].rowsAffected === 1;
}

/** The runner pauses the run on a failed (or interrupted) task. False when the run is stopping or the lease is gone. */
export async function pauseByOwner(db: Db, id: number, owner: string, reason: PausedReason, at: number): Promise<boolean> {
  const rs = await db.$client.execute({
    sql: `UPDATE rollout SET status = 'paused', paused_at = COALESCE(paused_at, ?), paused_reason = ?
          WHERE id = ? AND lease_owner = ? AND status IN ('started', 'paused')`,
    args: [at, JSON.stringify(reason), id, owner],
  });
  if (rs.rowsAffected === 1) hintChanged(id, "rollout");
  return rs.rowsAffected === 1;
}

/** An approval gate's answer: while it waits and the run goes on (or is paused). */
const answer = {
  sql: "t.waiting_at IS NOT NULL AND t.run_finished_at IS NULL AND t.run_failed_at IS NULL AND r.status IN ('started', 'paused')",
  pendingActions: ["approve", "reject"],
};
/** What to do with a failed task: while the run is paused on it. */
const onFailed = {
  sql: "t.run_failed_at IS NOT NULL AND t.skipped_at IS NULL AND t.revert_started_at IS NULL AND r.status = 'paused'",
  pendingActions: ["retry", "skip"],
};
/** What each task decision needs of the rollout and the task, as SQL (and which decisions under way exclude it). */
const taskDecisionRules: Record<TaskDecision, { sql: string; pendingActions: string[] }> = { approve: answer, reject: answer, retry: onFailed, skip: onFailed };

/** Records approve / reject / retry / skip of one task, when the task is in a state that allows it. */
export async function insertTaskDecision(
  db: Db,
  id: number,
  taskId: number,
  action: TaskDecision,
  by: string | null,
  comment: string | null,
  at: number,
  audit?: AuditEntry,
): Promise<void> {
  const rule = taskDecisionRules[action];
  const pending = rule.pendingActions.map(() => "?").join(", ");
  const unhandled = "SELECT 1 FROM decision d WHERE d.rollout_id = t.rollout_id AND d.task_id = t.id AND d.handled_at IS NULL";
  // A gate that needs several approvals takes one from each person until it has them all;
  // anything else takes one decision at a time.
  const gateOpen = `NOT EXISTS (${unhandled} AND d.action = 'reject') AND (SELECT count(*) FROM (${unhandled} AND d.action = 'approve')) < COALESCE(json_extract(t.state, '$.approvals'), 1)`;
  const notDecided =
    action === "approve"
      ? `${gateOpen} AND NOT EXISTS (${unhandled} AND d.action = 'approve' AND d.by IS ?)`
      : action === "reject"
        ? gateOpen
        : `NOT EXISTS (${unhandled} AND d.action IN (${pending}))`;
  const [rs] = await db.$client.batch([
    decisionInsert(
      id,
      taskId,
      action,
      by,
      comment,
      at,
      `EXISTS (SELECT 1 FROM task t JOIN rollout r ON r.id = t.rollout_id WHERE t.rollout_id = ? AND t.id = ? AND ${rule.sql} AND ${notDecided})`,
      [id, taskId, ...(action === "approve" ? [by] : action === "reject" ? [] : rule.pendingActions)],
    ),
    ...audited(audit, id),
  ], "write");
  if (rs.rowsAffected === 1) return;
  // Say why.
  const task = await db.$client.execute({
    sql: `SELECT t.waiting_at, t.run_started_at, t.run_finished_at, t.run_failed_at, t.skipped_at, t.revert_started_at, r.status,
                 (SELECT d.action || ' by ' || COALESCE(d.by, 'someone') FROM decision d WHERE d.rollout_id = t.rollout_id AND d.task_id = t.id AND d.handled_at IS NULL ORDER BY d.id DESC LIMIT 1) AS pending,
                 EXISTS (SELECT 1 FROM decision d WHERE d.rollout_id = t.rollout_id AND d.task_id = t.id AND d.handled_at IS NULL AND d.action = 'approve' AND d.by IS ?) AS approved_already
          FROM task t JOIN rollout r ON r.id = t.rollout_id WHERE t.rollout_id = ? AND t.id = ?`,
    args: [by, id, taskId],
  });
  const row = task.rows[0];
  if (!row) throw notFound(`Rollout ${id} has no task ${taskId}`);
  const status = String(row.status).replace(/_/g, " ");
  if (action === "approve" && row.approved_already) throw conflict(`You have approved task ${taskId} already: it needs approvals from other people`);
  if (row.pending) throw conflict(`A decision on task ${taskId} is already being carried out (${row.pending})`);
  if (action === "approve" || action === "reject") {
    if (row.run_finished_at || row.run_failed_at) throw conflict(`Task ${taskId} is no longer waiting for approval: it has ${row.run_finished_at ? "finished" : "failed"}`);
    throw conflict(`Task ${taskId} is not waiting for approval`);
  }
  if (!row.run_failed_at || row.skipped_at || row.revert_started_at) throw conflict(`Task ${taskId} has not failed: only a failed task can be ${action === "retry" ? "retried" : "skipped"}`);
  throw conflict(`The rollout is ${status}, not paused on task ${taskId}: ${action} is not available`);
}

/**
 * Retry rollback: a rollout that ended rollback_failed goes back to rolling_back;
 * the tasks whose revert failed are reverted again (the reverts that worked are
 * kept) and any runner picks it up. The stop signals of the failed rollback are
 * cleared so that they do not stop this one.
 */
export async function retryRollback(db: Db, id: number, by: string | null, comment: string | null, at: number, audit?: AuditEntry): Promise<void> {
  const rs = await db.$client.batch(
    [
      {
        sql: "UPDATE rollout SET status = 'rolling_back', rollback_finished_at = NULL, lease_owner = NULL, lease_expires_at = NULL WHERE id = ? AND status = 'rollback_failed'",
        args: [id],
      },
      decisionInsert(id, null, "retry_rollback", by, comment, at, "changes() = 1"),
      ...audited(audit, id),
      {
        sql: `UPDATE task SET revert_started_at = NULL, revert_failed_at = NULL, revert_error = NULL, revert_trace = NULL, revert_result = NULL
              WHERE rollout_id = ? AND revert_started_at IS NOT NULL AND revert_finished_at IS NULL
                AND EXISTS (SELECT 1 FROM decision WHERE rollout_id = ? AND action = 'retry_rollback' AND at = ? AND handled_at IS NULL)`,
        args: [id, id, at],
      },
      {
        sql: `DELETE FROM signal WHERE rollout_id = ? AND name IN ('abort_rollback', 'term_rollback')
                AND EXISTS (SELECT 1 FROM decision WHERE rollout_id = ? AND action = 'retry_rollback' AND at = ? AND handled_at IS NULL)`,
        args: [id, id, at],
      },
    ],
    "write",
  );
  if (rs[0].rowsAffected === 1) return;
  throw conflict(`Only a rollout whose rollback failed can retry it (this one is ${await statusOf(db, id)})`);
}

async function statusOf(db: Db, id: number): Promise<string> {
  const rs = await db.$client.execute({ sql: "SELECT status FROM rollout WHERE id = ?", args: [id] });
  if (!rs.rows.length) throw notFound(`No rollout with id ${id}`);
  return String(rs.rows[0].status).replace(/_/g, " ");
}

/** Leaf tasks that failed and wait for a decision (while the rollout is paused on them). */
export async function awaitingTasks(db: Db, id: number): Promise<number[]> {
  const rs = await db.$client.execute({
    sql: `SELECT t.id FROM task t WHERE t.rollout_id = ? AND t.run_failed_at IS NOT NULL AND t.skipped_at IS NULL AND t.revert_started_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM task c WHERE c.rollout_id = t.rollout_id AND c.parent_id = t.id) ORDER BY t.id`,
    args: [id],
  });
  return rs.rows.map((r) => Number(r.id));
}

const toRow = (r: Record<string, unknown>): DecisionRow => ({
  id: Number(r.id),
  rolloutId: Number(r.rollout_id),
  taskId: r.task_id === null ? null : Number(r.task_id),
  action: String(r.action),
  by: r.by === null ? null : String(r.by),
  comment: r.comment === null ? null : String(r.comment),
  at: Number(r.at),
  handledAt: r.handled_at === null ? null : Number(r.handled_at),
});

/** Every decision of a rollout, oldest first. */
export async function decisionsOf(db: Db, id: number): Promise<DecisionRow[]> {
  const rs = await db.$client.execute({ sql: "SELECT * FROM decision WHERE rollout_id = ? ORDER BY id", args: [id] });
  return rs.rows.map((r) => toRow(r as Record<string, unknown>));
}

/** The decisions the runner has not acted on yet. */
export async function unhandledDecisions(db: Db, id: number): Promise<DecisionRow[]> {
  const rs = await db.$client.execute({ sql: "SELECT * FROM decision WHERE rollout_id = ? AND handled_at IS NULL ORDER BY id", args: [id] });
  return rs.rows.map((r) => toRow(r as Record<string, unknown>));
}

/** The runner has acted on a decision (fenced by its lease). */
export async function markHandled(db: Db, decisionId: number, rolloutId: number, owner: string, at: number): Promise<void> {
  await db.$client.execute({
    sql: "UPDATE decision SET handled_at = ? WHERE id = ? AND handled_at IS NULL AND EXISTS (SELECT 1 FROM rollout WHERE id = ? AND lease_owner = ?)",
    args: [at, decisionId, rolloutId, owner],
  });
}

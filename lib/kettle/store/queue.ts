// A queue per kind (issue 21): a run requested while its kind is at its limit
// (a class's `concurrency` with a `queue`) is accepted as `queued`; it starts
// when a slot frees, in order. Race-free across instances by SQLite's single
// writer: each change is one write transaction (a batch) whose statements read
// the kind's count and its head of the queue as they write, so no two
// instances can both take the last slot, and a promotion is a compare-and-swap
// on the status (each queued rollout starts at most once). Nothing is held in
// memory: an instance killed mid-way leaves only committed rows behind.
import type { InStatement } from "@libsql/client";
import type { Db } from "./db";
import { activeStatuses } from "../status";
import { auditEachStatement, auditStatement, type AuditEntry } from "./audit";
import { notLockedGuard } from "./locks";
import { conflict } from "../errors";
import { hintChanged } from "../change-hints";
import { STALE_PLAN_MS, requireRolloutRow } from "./rollouts";

const busy = activeStatuses.map((s) => `'${s}'`).join(", ");
/** The head of a kind's queue starts if the kind has a free slot and is not locked. */
const promoteHead = (at: number, kind: string): InStatement => ({
  sql: `UPDATE rollout SET status = 'started', rollout_started_at = ?
        WHERE id = (SELECT q.id FROM rollout q WHERE q.kind = ? AND q.status = 'queued' ORDER BY q.queue_rank, q.id LIMIT 1)
          AND (SELECT count(*) FROM rollout o WHERE o.kind = rollout.kind AND o.status IN (${busy})) < queue_limit
          AND ${notLockedGuard}`,
  args: [at, kind],
});

export type QueueRequest = {
  limit: number;
  mode: "fifo" | "newest";
  audit?: AuditEntry;
  finalisedAt?: number;
  freezeOverride?: { by: string | null; reason: string; at: number };
  overrideAudit?: AuditEntry;
  anyAge?: boolean;
};

/**
 * Queues the run and, in the same transaction, supersedes older queued runs ("newest") and
 * starts the head of the queue if a slot is free. Says what became of it.
 */
export async function requestRunQueued(db: Db, id: number, kind: string, user: string | null, at: number, r: QueueRequest): Promise<"started" | "queued"> {
  const samePlan = r.finalisedAt === undefined ? "" : "AND finalised_at = ?";
  const statements: InStatement[] = [
    {
      sql: `UPDATE rollout SET status = 'queued', queued_at = ?, queue_rank = ?, queue_limit = ?, run_by = ?, scheduled_at = NULL,
              freeze_override = COALESCE(?, freeze_override)
            WHERE id = ? AND status = 'not_started' AND finalised_at >= ?
              AND EXISTS (SELECT 1 FROM task WHERE rollout_id = ? AND parent_id IS NULL) AND ${notLockedGuard} ${samePlan}`,
      args: [at, at, r.limit, user, r.freezeOverride ? JSON.stringify(r.freezeOverride) : null, id, r.anyAge ? 0 : at - STALE_PLAN_MS, id, ...(r.finalisedAt === undefined ? [] : [r.finalisedAt])],
    },
    ...(r.audit ? [auditStatement({ ...r.audit, rolloutId: id }, { ifChanged: true })] : []),
    ...(r.overrideAudit ? [auditStatement({ ...r.overrideAudit, rolloutId: id }, { ifChanged: true })] : []),
  ];
  if (r.mode === "newest") {
    statements.push({
      sql: `UPDATE rollout SET status = 'superseded', superseded_by = ?, rollout_finished_at = ?
            WHERE kind = ? AND status = 'queued' AND id != ? AND EXISTS (SELECT 1 FROM rollout n WHERE n.id = ? AND n.status = 'queued')`,
      args: [id, at, kind, id, id],
    });
    // One audit row per superseded rollout, naming the one that replaced it.
    if (r.audit) statements.push(auditEachStatement({ ...r.audit, action: "supersede", comment: `superseded by rollout #${id}` }, "r.superseded_by = ? AND r.status = 'superseded' AND r.rollout_finished_at = ?", [id, at]));
  }
  statements.push(promoteHead(at, kind));
  // Still queued after all that: the queueing is an audit row of its own.
  if (r.audit) {
    const queued = { sql: "EXISTS (SELECT 1 FROM rollout WHERE id = ? AND status = 'queued' AND queued_at = ?)", args: [id, at] };
    statements.push(auditStatement({ ...r.audit, action: "queue", rolloutId: id, comment: `queued: ${kind} is at its limit of ${r.limit} (${r.mode})` }, { where: queued }));
  }
  statements.push({ sql: "SELECT status FROM rollout WHERE id = ?", args: [id] });
  const rs = await db.$client.batch(statements, "write");
  hintChanged(id, "rollout");
  const status = String(rs[rs.length - 1].rows[0]?.status);
  if (rs[0].rowsAffected === 1) return status === "started" ? "started" : "queued";
  const row = await requireRolloutRow(db, id);
  if (row.status !== "not_started") throw conflict(`This rollout has already been run (status: ${row.status.replace(/_/g, " ")})`);
  throw conflict("Run refused: its kind is locked, or it has no tasks, or its plan was finalised more than 5 minutes ago (finalise it again)");
}

/** Kinds with rollouts queued, and whether any slot may be free. */
export async function queuedKinds(db: Db): Promise<string[]> {
  const rs = await db.$client.execute("SELECT DISTINCT kind FROM rollout WHERE status = 'queued'");
  return rs.rows.map((r) => String(r.kind));
}

/** Starts queued rollouts of `kind` while slots are free; how many started. */
export async function promoteQueued(db: Db, kind: string, at: number): Promise<number> {
  let started = 0;
  for (let i = 0; i < 100; i++) {
    const rs = await db.$client.execute(promoteHead(at, kind));
    if (rs.rowsAffected !== 1) break;
    started++;
  }
  return started;
}

/** An operator takes a queued rollout out of the queue: it is not started and may be run again later. */
export async function cancelQueued(db: Db, id: number, audit: AuditEntry): Promise<void> {
  const [rs] = await db.$client.batch(
    [
      { sql: "UPDATE rollout SET status = 'not_started', queued_at = NULL, queue_rank = NULL, queue_limit = NULL, run_by = NULL WHERE id = ? AND status = 'queued'", args: [id] },
      auditStatement({ ...audit, rolloutId: id }, { ifChanged: true }),
    ],
    "write",
  );
  if (rs.rowsAffected !== 1) throw conflict("This rollout is not queued");
  hintChanged(id, "rollout");
}

/** An admin moves a queued rollout to the front of its kind's queue. */
export async function moveToFront(db: Db, id: number, audit: AuditEntry): Promise<void> {
  const [rs] = await db.$client.batch(
    [
      {
        sql: "UPDATE rollout SET queue_rank = (SELECT MIN(q.queue_rank) FROM rollout q WHERE q.kind = rollout.kind AND q.status = 'queued') - 1 WHERE id = ? AND status = 'queued'",
        args: [id],
      },
      auditStatement({ ...audit, rolloutId: id }, { ifChanged: true }),
    ],
    "write",
  );
  if (rs.rowsAffected !== 1) throw conflict("This rollout is not queued");
  hintChanged(id, "rollout");
}

/** Where a queued rollout stands: 1 for the next to start. */
export async function queuePosition(db: Db, id: number): Promise<number | null> {
  const rs = await db.$client.execute({
    sql: `SELECT 1 + (SELECT count(*) FROM rollout q WHERE q.kind = r.kind AND q.status = 'queued' AND (q.queue_rank < r.queue_rank OR (q.queue_rank = r.queue_rank AND q.id < r.id))) AS position
          FROM rollout r WHERE r.id = ? AND r.status = 'queued'`,
    args: [id],
  });
  return rs.rows.length ? Number(rs.rows[0].position) : null;
}

// Rollout rows: creation, finalise, run requests, hiding, signals and reads.
// Each write that depends on the current status is one conditional statement
// (or one batch), so two callers can never both win.
import { desc, eq, sql } from "drizzle-orm";
import type { Db } from "./db";
import { rollout, signal } from "./schema";
import { hintChanged } from "../change-hints";
import { signals, type SignalName } from "../signals";
import { treeInserts } from "./tasks";
import type { Task } from "../authoring/task";
import { conflict, notFound } from "../errors";
import { auditStatement, type AuditEntry } from "./audit";
import { lockOf, lockedMessage, notLockedGuard } from "./locks";
import { planStatement } from "./plans";
import { typeNamesIn } from "../modules/registry";

export type RolloutRow = typeof rollout.$inferSelect;
export type SignalRow = typeof signal.$inferSelect;

/** A plan older than this must be finalised again before it runs. */
export const STALE_PLAN_MS = 5 * 60 * 1000;

export async function insertRollout(db: Db, kind: string, config: Record<string, unknown>, user: string | null, at: number): Promise<number> {
  const [row] = await db
    .insert(rollout)
    .values({ kind, config, createdBy: user, createdAt: at, status: "not_started" })
    .returning({ id: rollout.id });
  return row.id;
}

/** Saves the config and replaces the task tree, in one transaction; refused once started. */
export async function saveFinalised(db: Db, id: number, config: Record<string, unknown>, root: Task, at: number, audit?: AuditEntry): Promise<void> {
  const typeName = await typeNamesIn(root);
  const inserts = await treeInserts(id, root, typeName);
  const plan = planStatement(id, config, root, at, typeName, audit?.user ?? null); // keeps every plan (plan diff, approvals)
  try {
    const [update] = await db.$client.batch(
      [
        {
          sql: "UPDATE rollout SET config = ?, finalised_at = ? WHERE id = ? AND status = 'not_started'",
          args: [JSON.stringify(config), at, id],
        },
        ...(audit ? [auditStatement({ ...audit, rolloutId: id }, { ifChanged: true })] : []),
        ...inserts,
        plan,
      ],
      "write",
    );
    if (update.rowsAffected !== 1) throw conflict("This rollout has already started: it can no longer be finalised");
  } catch (e) {
    if (e instanceof Error && /already started/.test(e.message)) throw conflict("This rollout has already started: it can no longer be finalised");
    throw e;
  }
}

export async function getRolloutRow(db: Db, id: number | "latest"): Promise<RolloutRow | undefined> {
  if (id === "latest") {
    return db.query.rollout.findFirst({ where: eq(rollout.hidden, false), orderBy: desc(rollout.id) });
  }
  return db.query.rollout.findFirst({ where: eq(rollout.id, id) });
}

export async function requireRolloutRow(db: Db, id: number | "latest"): Promise<RolloutRow> {
  const row = await getRolloutRow(db, id);
  if (!row) throw notFound(id === "latest" ? "There are no rollouts yet" : `No rollout with id ${id}`);
  return row;
}

export async function listRolloutRows(db: Db, opts: { hidden?: boolean; limit: number; offset: number }) {
  const where = eq(rollout.hidden, opts.hidden ?? false);
  const [rows, [{ count }]] = await Promise.all([
    db.select().from(rollout).where(where).orderBy(desc(rollout.id)).limit(opts.limit).offset(opts.offset),
    db.select({ count: sql<number>`count(*)` }).from(rollout).where(where),
  ]);
  return { rows, total: Number(count) };
}

/**
 * Marks the rollout started; the runner picks it up from the database. Refused
 * while its kind is locked, and, when `exclusive` (a class with
 * `concurrency = 1`), while another rollout of its kind is in one of those statuses.
 */
export async function requestRun(
  db: Db,
  id: number,
  user: string | null,
  at: number,
  opts: {
    audit?: AuditEntry;
    exclusive?: string[];
    finalisedAt?: number;
    /** Past the freeze windows by an admin's override, recorded on the rollout and audited in the same batch. */
    freezeOverride?: { by: string | null; reason: string; at: number };
    overrideAudit?: AuditEntry;
    /** A scheduled run whose plan was just made again unchanged: its age does not matter. */
    anyAge?: boolean;
  } = {},
): Promise<void> {
  const exclusive = opts.exclusive ?? [];
  // The plan that was approved is the one that runs: not one finalised again meanwhile.
  const samePlan = opts.finalisedAt === undefined ? "" : "AND finalised_at = ?";
  const alone = exclusive.length
    ? `AND NOT EXISTS (SELECT 1 FROM rollout o WHERE o.kind = rollout.kind AND o.id != rollout.id AND o.status IN (${exclusive.map(() => "?").join(", ")}))`
    : "";
  const [rs] = await db.$client.batch(
    [
      {
        sql: `UPDATE rollout SET status = 'started', rollout_started_at = ?, run_by = ?, scheduled_at = NULL,
                freeze_override = COALESCE(?, freeze_override)
              WHERE id = ? AND status = 'not_started' AND finalised_at >= ?
                AND EXISTS (SELECT 1 FROM task WHERE rollout_id = ? AND parent_id IS NULL)
                AND ${notLockedGuard} ${alone} ${samePlan}`,
        args: [at, user, opts.freezeOverride ? JSON.stringify(opts.freezeOverride) : null, id, opts.anyAge ? 0 : at - STALE_PLAN_MS, id, ...exclusive, ...(opts.finalisedAt === undefined ? [] : [opts.finalisedAt])],
      },
      ...(opts.audit ? [auditStatement({ ...opts.audit, rolloutId: id }, { ifChanged: true })] : []),
      ...(opts.overrideAudit ? [auditStatement({ ...opts.overrideAudit, rolloutId: id }, { ifChanged: true })] : []),
    ],
    "write",
  );
  if (rs.rowsAffected === 1) return;
  // Say why.
  const row = await requireRolloutRow(db, id);
  if (row.status !== "not_started") throw conflict(`This rollout has already been run (status: ${row.status})`);
  if (opts.finalisedAt !== undefined && row.finalisedAt !== opts.finalisedAt) throw conflict("Its plan was finalised again meanwhile: the new plan needs approving");
  const lock = await lockOf(db, row.kind);
  if (lock) throw conflict(`Run refused: ${lockedMessage(lock)}`);
  if (exclusive.length) {
    const other = await db.$client.execute({
      sql: `SELECT id, status FROM rollout WHERE kind = ? AND id != ? AND status IN (${exclusive.map(() => "?").join(", ")}) ORDER BY id LIMIT 1`,
      args: [row.kind, id, ...exclusive],
    });
    if (other.rows.length) {
      const o = other.rows[0];
      throw conflict(`Run refused: rollout #${o.id} of ${row.kind} is ${String(o.status).replace(/_/g, " ")}, and this kind runs one at a time (concurrency = 1)`);
    }
  }
  if (!row.finalisedAt) throw conflict("This rollout has no tasks: finalise it first");
  const root = await db.$client.execute({ sql: "SELECT 1 FROM task WHERE rollout_id = ? LIMIT 1", args: [id] });
  if (!root.rows.length) throw conflict("This rollout has no tasks: finalise it first");
  throw conflict("This plan was finalised more than 5 minutes ago: finalise it again before running it");
}

export async function hideRollout(db: Db, id: number, hidden = true, audit?: AuditEntry): Promise<void> {
  const [rs] = await db.$client.batch(
    [
      { sql: "UPDATE rollout SET hidden = ? WHERE id = ?", args: [hidden ? 1 : 0, id] },
      ...(audit ? [auditStatement({ ...audit, rolloutId: id }, { ifChanged: true })] : []),
    ],
    "write",
  );
  if (rs.rowsAffected !== 1) throw notFound(`No rollout with id ${id}`);
}

export async function signalsOf(db: Db, id: number): Promise<SignalRow[]> {
  return db.select().from(signal).where(eq(signal.rolloutId, id)).orderBy(signal.sentAt);
}

/** The runner's beat: the signals sent so far, who holds the lease and the status, in one read. */
export async function signalsAndOwner(db: Db, id: number) {
  const rs = await db.$client.execute({
    sql: "SELECT r.lease_owner, r.status, r.paused_at, s.name, s.sent_by FROM rollout r LEFT JOIN signal s ON s.rollout_id = r.id WHERE r.id = ? ORDER BY s.sent_at",
    args: [id],
  });
  return {
    owner: rs.rows.length && rs.rows[0].lease_owner !== null ? String(rs.rows[0].lease_owner) : null,
    status: rs.rows.length ? String(rs.rows[0].status) : null,
    pausedAt: rs.rows.length && rs.rows[0].paused_at !== null ? Number(rs.rows[0].paused_at) : null,
    signals: rs.rows.filter((r) => r.name !== null).map((r) => ({ name: String(r.name), sentBy: r.sent_by === null ? null : String(r.sent_by) })),
  };
}

/** Records a signal and the status it implies, atomically; says why when it is refused. */
export async function insertSignal(db: Db, id: number, name: SignalName, user: string | null, at: number, audit?: AuditEntry): Promise<void> {
  const spec = signals[name];
  const statuses = spec.availableIn.map(() => "?").join(", ");
  const [inserted] = await db.$client.batch(
    [
      {
        sql: `INSERT INTO signal (rollout_id, name, sent_by, sent_at)
              SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM rollout WHERE id = ? AND status IN (${statuses}))
              ON CONFLICT DO NOTHING`,
        args: [id, name, user, at, id, ...spec.availableIn],
      },
      ...(audit ? [auditStatement({ ...audit, rolloutId: id }, { ifChanged: true })] : []),
      ...(spec.setsStatus
        ? [
            {
              sql: `UPDATE rollout SET status = ? WHERE id = ? AND status IN (${statuses})
                    AND EXISTS (SELECT 1 FROM signal WHERE rollout_id = ? AND name = ? AND sent_at = ?)`,
              args: [spec.setsStatus, id, ...spec.availableIn, id, name, at],
            },
          ]
        : []),
    ],
    "write",
  );
  if (inserted.rowsAffected === 1) return;
  const row = await requireRolloutRow(db, id);
  const sent = (await signalsOf(db, id)).find((s) => s.name === name);
  if (sent) throw conflict(`${name} was already sent${sent.sentBy ? ` by ${sent.sentBy}` : ""}`);
  throw conflict(`${name} is not available while the rollout is ${row.status.replace(/_/g, " ")}`);
}

// ---- the runner's side: leases and phase transitions ----

export type PhaseEnd =
  /** `stopped`: the run stopped early but skip_rollback keeps what ran, so any run-phase status may end as finished. */
  | { status: "finished"; at: number; stopped?: boolean }
  /** `unlessSkipped`: refused when skip_rollback was sent meanwhile, so the caller reads it and keeps what ran. */
  | { status: "rolling_back"; at: number; unlessSkipped?: boolean }
  | { status: "rolled_back" | "rollback_failed"; at: number };

/**
 * Records the end of a phase. Ending the run as `finished` only succeeds while no
 * stop signal changed the status meanwhile: the caller then rechecks the signals.
 */
export async function endPhase(db: Db, id: number, owner: string, end: PhaseEnd): Promise<boolean> {
  const releaseLease = "lease_owner = NULL, lease_expires_at = NULL";
  let set: string;
  let guard = "";
  let args: number[] = [end.at];
  if (end.status === "finished") {
    // A run whose last task ended while it was paused has finished all the same: nothing new would start.
    set = `status = 'finished', rollout_finished_at = ?, paused_at = NULL, paused_reason = NULL, ${releaseLease}`;
    guard = end.stopped ? "AND status IN ('started', 'paused', 'aborting_rollout', 'terminating_rollout')" : "AND status IN ('started', 'paused')";
  } else if (end.status === "rolling_back") {
    set =
      "status = 'rolling_back', paused_at = NULL, paused_reason = NULL, rollout_finished_at = COALESCE(rollout_finished_at, ?), rollback_started_at = COALESCE(rollback_started_at, ?)";
    args = [end.at, end.at];
    if (end.unlessSkipped) guard = "AND NOT EXISTS (SELECT 1 FROM signal WHERE signal.rollout_id = rollout.id AND signal.name = 'skip_rollback')";
  } else {
    set = `status = '${end.status}', rollback_finished_at = ?, ${releaseLease}`;
  }
  const rs = await db.$client.execute({ sql: `UPDATE rollout SET ${set} WHERE id = ? AND lease_owner = ? ${guard}`, args: [...args, id, owner] });
  if (rs.rowsAffected === 1) hintChanged(id, "rollout");
  return rs.rowsAffected === 1;
}


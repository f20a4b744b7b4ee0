// Group commit for task transitions. Each transition is still committed before
// its caller goes on, but the ones that arrive while a commit is under way (the
// starts of a parallel group's children, their ends) go into the next commit
// together: one transaction for a thousand rows instead of a thousand. Within
// a commit, row updates of the same shape become one statement (UPDATE … FROM
// VALUES … RETURNING id), so a thousand starts cost one prepared statement.
//
// A sequence's task i finishes, then task i + 1 starts: one after the other,
// never together, so each paid a statement of its own. A leaf's finish may be
// *carried* instead: it waits (a few microtask turns, never a timer) for the
// next write and shares its commit, as one statement when it is the next start
// (UPDATE … SET col = CASE id …). Still "committed before the next step starts":
// the next task's code runs only once the shared commit is done.
import type { InStatement, InValue } from "@libsql/client";
import type { Db } from "./db";

/**
 * An update of one task row: `set` columns to values where `guard` (SQL over
 * the row, alias task) holds, fenced by the rollout's lease.
 */
export type TaskUpdate = { rolloutId: number; owner: string; taskId: number; set: Record<string, InValue>; guard: string };

type Pending =
  | { kind: "statement"; stmt: InStatement; resolve(rowsAffected: number): void; reject(e: unknown): void }
  | { kind: "update"; update: TaskUpdate; resolve(rowsAffected: number): void; reject(e: unknown): void };

/**
 * The lease fence of a task write, answered from rollout_lease_idx alone (the
 * rollout's row holds its config: a big one's overflow pages were walked per
 * transition). Its arguments: the owner, then the rollout id.
 */
export const LEASE_HELD = "EXISTS (SELECT 1 FROM rollout INDEXED BY rollout_lease_idx WHERE lease_owner = ? AND id = ?)";

/**
 * Microtask turns a carried finish waits for the next write: the way from a
 * task's end to its next sibling's start is about a dozen awaits; past this it
 * is written alone, still within the same turn of the event loop (before any
 * timer, so before the log lines that say it finished).
 */
const CARRY_TURNS = 64;
/** A group of at most this many updates of different shapes becomes one CASE statement. */
const MIXED_MAX = 8;

/** Rows per transaction at most, so that one commit never holds the event loop for long. */
const MAX_GROUP = 1000;

class GroupCommit {
  private queue: Pending[] = [];
  private draining = false;
  private carried: Pending | null = null;

  constructor(private readonly db: Db) {}

  add(p: Pending) {
    // A carried finish goes first, into the same group as this write.
    if (this.carried) this.queue.push(this.carried);
    this.carried = null;
    this.queue.push(p);
    if (!this.draining) {
      this.draining = true;
      // After the current synchronous run, so that a loop issuing many writes lands in one group.
      queueMicrotask(() => void this.drain());
    }
  }

  /** Holds `p` until the next write (or CARRY_TURNS microtask turns), then commits it with that write. */
  carry(p: Pending) {
    if (this.carried) return this.add(p); // one at a time: the earlier one goes now, with this one
    this.carried = p;
    let turns = CARRY_TURNS;
    const wait = () => {
      if (this.carried !== p) return; // it went with a write
      if (--turns > 0) return queueMicrotask(wait);
      this.carried = null;
      this.add(p);
    };
    queueMicrotask(wait);
  }

  private async drain() {
    try {
      while (this.queue.length) {
        const group = this.queue.splice(0, MAX_GROUP);
        try {
          await this.commit(group);
        } catch (e) {
          // A failed transaction changed nothing: every caller in it hears why.
          for (const g of group) g.reject(e);
        }
        // Give the event loop a turn between groups (timers, requests, the next group's callers).
        if (this.queue.length) await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.draining = false;
      if (this.queue.length) {
        this.draining = true;
        queueMicrotask(() => void this.drain());
      }
    }
  }

  /** The tasks among `updates` whose row now holds what its update set (read after a partly refused mixed update). */
  private async rowsAsSet(updates: TaskUpdate[]): Promise<Set<number>> {
    const columns = [...new Set(updates.flatMap((u) => Object.keys(u.set)))];
    const rs = await this.db.$client.execute({
      sql: `SELECT id, ${columns.join(", ")} FROM task WHERE rollout_id = ? AND id IN (${updates.map(() => "?").join(", ")})`,
      args: [updates[0].rolloutId, ...updates.map((u) => u.taskId)],
    });
    const rows = new Map(rs.rows.map((r) => [Number(r.id), r]));
    const same = (a: unknown, b: unknown) => (a === null || b === null ? a === b : String(a) === String(b));
    return new Set(updates.filter((u) => Object.entries(u.set).every(([c, v]) => same(rows.get(u.taskId)?.[c] ?? null, v))).map((u) => u.taskId));
  }

  /** One transaction for the group: statements in order, each shape of row update as one statement where it first came. */
  private async commit(group: Pending[]) {
    if (group.length === 1) {
      // The common case in a sequence: one write, one plain statement.
      const only = group[0];
      only.resolve((await this.db.$client.execute(only.kind === "statement" ? only.stmt : singleUpdate(only.update))).rowsAffected);
      return;
    }
    type Update = Extract<Pending, { kind: "update" }>;
    const mixed = mixedUpdates(group);
    if (mixed) {
      // A finish and the next start (different columns, one rollout): one statement, without RETURNING
      // (a third of its cost). Only when some rows were refused (a pause won over a start) are they read back.
      const updates = mixed.map((p) => p.update);
      const { rowsAffected } = await this.db.$client.execute(mixedUpdate(updates));
      const changed = rowsAffected === updates.length ? null : rowsAffected === 0 ? new Set<number>() : await this.rowsAsSet(updates);
      for (const p of mixed) p.resolve(!changed || changed.has(p.update.taskId) ? 1 : 0);
      return;
    }
    const parts: ({ statement: Extract<Pending, { kind: "statement" }> } | { updates: Update[] })[] = [];
    const shapes = new Map<string, Update[]>();
    for (const p of group) {
      if (p.kind === "statement") {
        parts.push({ statement: p });
        continue;
      }
      const u = p.update;
      const key = `${u.rolloutId}|${u.owner}|${Object.keys(u.set).join(",")}|${u.guard}`;
      const same = shapes.get(key);
      if (same) same.push(p);
      else {
        const updates = [p];
        shapes.set(key, updates);
        parts.push({ updates });
      }
    }
    const statements = parts.map((part) =>
      "statement" in part ? part.statement.stmt : part.updates.length === 1 ? singleUpdate(part.updates[0].update) : mergedUpdate(part.updates.map((p) => p.update)),
    );
    const results = await this.db.$client.batch(statements, "write");
    parts.forEach((part, i) => {
      const rs = results[i];
      if ("statement" in part) return part.statement.resolve(rs.rowsAffected);
      if (part.updates.length === 1) return part.updates[0].resolve(rs.rowsAffected);
      const changed = new Set(rs.rows.map((r) => Number(r.id)));
      for (const p of part.updates) p.resolve(changed.has(p.update.taskId) ? 1 : 0);
    });
  }
}

function singleUpdate(u: TaskUpdate): InStatement {
  const columns = Object.keys(u.set);
  return {
    sql: `UPDATE task SET ${columns.map((c) => `${c} = ?`).join(", ")} WHERE rollout_id = ? AND id = ? AND (${u.guard}) AND ${LEASE_HELD}`,
    args: [...columns.map((c) => u.set[c]), u.rolloutId, u.taskId, u.owner, u.rolloutId],
  };
}

/** One UPDATE for rows of the same shape, returning the ids it changed. */
function mergedUpdate(updates: TaskUpdate[]): InStatement {
  const [first] = updates;
  const columns = Object.keys(first.set);
  const row = `(?${", ?".repeat(columns.length)})`;
  const args: InValue[] = [];
  for (const u of updates) args.push(u.taskId, ...columns.map((c) => u.set[c]));
  return {
    sql: `UPDATE task SET ${columns.map((c, i) => `${c} = v.column${i + 2}`).join(", ")}
          FROM (VALUES ${updates.map(() => row).join(", ")}) AS v
          WHERE task.rollout_id = ? AND task.id = v.column1 AND (${first.guard})
            AND ${LEASE_HELD}
          RETURNING task.id AS id`,
    args: [...args, first.rolloutId, first.owner, first.rolloutId],
  };
}

type UpdatePending = Extract<Pending, { kind: "update" }>;

/** The group as updates of one rollout and owner, of distinct tasks and more than one shape; else null. */
function mixedUpdates(group: Pending[]): UpdatePending[] | null {
  if (group.length < 2 || group.length > MIXED_MAX || group.some((p) => p.kind !== "update")) return null;
  const updates = group as UpdatePending[];
  const [{ update: first }] = updates;
  const shape = (u: TaskUpdate) => `${Object.keys(u.set).join(",")}|${u.guard}`;
  if (updates.every((p) => shape(p.update) === shape(first))) return null; // the same shape: mergedUpdate
  const ids = new Set(updates.map((p) => p.update.taskId));
  if (ids.size !== updates.length || updates.some((p) => p.update.rolloutId !== first.rolloutId || p.update.owner !== first.owner)) return null;
  return updates;
}

/** One UPDATE for rows of different shapes: each column set by CASE on the task id, each row's own guard (rowsAffected says how many). */
function mixedUpdate(updates: TaskUpdate[]): InStatement {
  const [first] = updates;
  const columns = [...new Set(updates.flatMap((u) => Object.keys(u.set)))];
  const args: InValue[] = [];
  const sets = columns.map((c) => {
    const whens = updates.filter((u) => c in u.set).map((u) => {
      args.push(u.taskId, u.set[c]);
      return "WHEN ? THEN ?";
    });
    return `${c} = CASE task.id ${whens.join(" ")} ELSE ${c} END`;
  });
  args.push(first.rolloutId, ...updates.map((u) => u.taskId));
  const guards = updates.map((u) => {
    args.push(u.taskId);
    return `WHEN ? THEN (${u.guard})`;
  });
  args.push(first.owner, first.rolloutId);
  return {
    sql: `UPDATE task SET ${sets.join(", ")}
          WHERE task.rollout_id = ? AND task.id IN (${updates.map(() => "?").join(", ")}) AND CASE task.id ${guards.join(" ")} END
            AND ${LEASE_HELD}`,
    args,
  };
}

const groups = new WeakMap<Db, GroupCommit>();
const groupOf = (db: Db) => {
  let g = groups.get(db);
  if (!g) groups.set(db, (g = new GroupCommit(db)));
  return g;
};

/** Writes one statement through the database's group commit; resolves with its rowsAffected once committed. */
export function groupWrite(db: Db, stmt: InStatement): Promise<number> {
  return new Promise((resolve, reject) => groupOf(db).add({ kind: "statement", stmt, resolve, reject }));
}

/** Like groupUpdate, but carried: committed with the next write of this database (see carry). */
export function groupCarry(db: Db, update: TaskUpdate): Promise<number> {
  return new Promise((resolve, reject) => groupOf(db).carry({ kind: "update", update, resolve, reject }));
}

/** Updates one task row through the group commit (merged with others of its shape); resolves with 1 or 0 rows changed. */
export function groupUpdate(db: Db, update: TaskUpdate): Promise<number> {
  return new Promise((resolve, reject) => groupOf(db).add({ kind: "update", update, resolve, reject }));
}

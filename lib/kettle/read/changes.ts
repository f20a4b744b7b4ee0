// What changed in a rollout since a cursor, for the live event stream. The
// cursor is (last change row, last log line): both ids grow in commit order,
// so a reader never misses a row and needs no clocks to agree.
import type { Db } from "../store/db";
import type { LogStream } from "../store/logs";

export type Cursor = { change: number; log: number };

export const formatCursor = (c: Cursor): string => `${c.change}-${c.log}`;

/** A Last-Event-ID as sent back by a client; null when it is not one of ours. */
export function parseCursor(s: string | null | undefined): Cursor | null {
  const m = /^(\d{1,15})-(\d{1,15})$/.exec(s?.trim() ?? "");
  return m ? { change: Number(m[1]), log: Number(m[2]) } : null;
}

/** Where the rollout's change feed and logs stand now. */
export async function currentCursor(db: Db, rolloutId: number): Promise<Cursor> {
  const rs = await db.$client.execute({
    sql: "SELECT (SELECT coalesce(max(id), 0) FROM change WHERE rollout_id = ?) AS c, (SELECT coalesce(max(id), 0) FROM log WHERE rollout_id = ?) AS l",
    args: [rolloutId, rolloutId],
  });
  return { change: Number(rs.rows[0].c), log: Number(rs.rows[0].l) };
}

/** Which logs a client follows: the rollout's own, and tasks' run or revert logs. */
export type LogFollow = { rollout: Set<"rollout" | "rollback">; tasks: Set<string> };

/** `?logs=rollout,rollback,task:12:run`; null for a malformed list. */
export function parseLogFollow(spec: string | null): LogFollow | null {
  const follow: LogFollow = { rollout: new Set(), tasks: new Set() };
  for (const part of (spec ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    if (part === "rollout" || part === "rollback") follow.rollout.add(part);
    else if (/^task:\d{1,9}:(run|revert)$/.test(part)) follow.tasks.add(part.slice(5));
    else return null;
  }
  return follow;
}

export const followsAny = (f: LogFollow) => f.rollout.size > 0 || f.tasks.size > 0;

export function mergeFollows(follows: Iterable<LogFollow>): LogFollow {
  const all: LogFollow = { rollout: new Set(), tasks: new Set() };
  for (const f of follows) {
    f.rollout.forEach((s) => all.rollout.add(s));
    f.tasks.forEach((s) => all.tasks.add(s));
  }
  return all;
}

export type LogLineChange = { id: number; taskId: number | null; stream: LogStream; at: number; line: string };

export const followed = (f: LogFollow, l: LogLineChange) =>
  l.taskId === null ? f.rollout.has(l.stream as "rollout" | "rollback") : f.tasks.has(`${l.taskId}:${l.stream}`);

export type ChangeBatch = {
  cursor: Cursor;
  /** The rollout row, its signals or decisions changed. */
  rollout: boolean;
  /** The tree was generated again (finalise): the client needs a new snapshot. */
  plan: boolean;
  /** Tasks whose records changed. */
  taskIds: number[];
  logs: LogLineChange[];
  /** More changed than one read takes: the caller reads again from `cursor`. */
  more: boolean;
};

const MAX_CHANGES = 20_000;
const MAX_LOG_LINES = 5_000;

/** The changes after `since` (and the new lines of the logs in `follow`). */
export async function readChanges(db: Db, rolloutId: number, since: Cursor, follow: LogFollow): Promise<ChangeBatch> {
  const rs = await db.$client.execute({
    sql: `SELECT coalesce(max(id), ?) AS last, count(*) AS n, json_group_array(DISTINCT task_id) FILTER (WHERE task_id IS NOT NULL) AS tasks,
            sum(kind IN ('rollout', 'signal', 'decision')) AS rollout, sum(kind = 'plan') AS plan
          FROM (SELECT id, task_id, kind FROM change WHERE rollout_id = ? AND id > ? ORDER BY id LIMIT ${MAX_CHANGES})`,
    args: [since.change, rolloutId, since.change],
  });
  const r = rs.rows[0];
  const batch: ChangeBatch = {
    cursor: { change: Number(r.last), log: since.log },
    rollout: Number(r.rollout ?? 0) > 0,
    plan: Number(r.plan ?? 0) > 0,
    taskIds: r.tasks ? (JSON.parse(String(r.tasks)) as number[]) : [],
    logs: [],
    more: Number(r.n) >= MAX_CHANGES,
  };
  if (followsAny(follow)) {
    const streams: string[] = [];
    const args: (string | number)[] = [rolloutId, since.log];
    if (follow.rollout.size) {
      streams.push(`(task_id IS NULL AND stream IN (${[...follow.rollout].map(() => "?").join(", ")}))`);
      args.push(...follow.rollout);
    }
    for (const t of follow.tasks) {
      const [taskId, stream] = t.split(":");
      streams.push("(task_id = ? AND stream = ?)");
      args.push(Number(taskId), stream);
    }
    const logs = await db.$client.execute({
      sql: `SELECT id, task_id, stream, at, line FROM log WHERE rollout_id = ? AND id > ? AND (${streams.join(" OR ")}) ORDER BY id LIMIT ${MAX_LOG_LINES}`,
      args,
    });
    batch.logs = logs.rows.map((l) => ({ id: Number(l.id), taskId: l.task_id === null ? null : Number(l.task_id), stream: String(l.stream) as LogStream, at: Number(l.at), line: String(l.line) }));
    if (batch.logs.length) batch.cursor.log = batch.logs.at(-1)!.id;
    if (batch.logs.length >= MAX_LOG_LINES) batch.more = true;
  }
  return batch;
}

// Log lines: a rollout log and a rollback log per rollout, a run log and a
// revert log per task. Writes are buffered briefly and flushed in one INSERT,
// so chatty commands and big trees cost one commit per flush, not per line.
import { hintChanged } from "../change-hints";
import type { Db } from "./db";
import { now } from "../clock";

export type LogStream = "rollout" | "rollback" | "run" | "revert";
type Line = { rolloutId: number; taskId: number | null; stream: LogStream; at: number; line: string };

const MAX_LINE = 10_000;
const CHUNK = 200;

export class LogWriter {
  private pending: Line[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly flushMs = 100,
  ) {}

  write(rolloutId: number, taskId: number | null, stream: LogStream, line: string): void {
    this.pending.push({ rolloutId, taskId, stream, at: now(), line: line.length > MAX_LINE ? line.slice(0, MAX_LINE) + "…" : line });
    this.timer ??= setTimeout(() => void this.flush().catch(() => {}), this.flushMs);
  }

  /** Writes everything buffered so far. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const lines = this.pending;
    this.pending = [];
    this.flushing = this.flushing.then(() => insertLines(this.db, lines));
    return this.flushing;
  }
}

async function insertLines(db: Db, lines: Line[]): Promise<void> {
  const statements = [];
  for (let i = 0; i < lines.length; i += CHUNK) {
    const chunk = lines.slice(i, i + CHUNK);
    statements.push({
      sql: `INSERT INTO log (rollout_id, task_id, stream, at, line) VALUES ${chunk.map(() => "(?, ?, ?, ?, ?)").join(", ")}`,
      args: chunk.flatMap((l) => [l.rolloutId, l.taskId, l.stream, l.at, l.line]),
    });
  }
  if (!statements.length) return;
  await db.$client.batch(statements, "write");
  for (const id of new Set(lines.map((l) => l.rolloutId))) hintChanged(id);
}

export async function appendLog(db: Db, rolloutId: number, taskId: number | null, stream: LogStream, line: string): Promise<void> {
  await insertLines(db, [{ rolloutId, taskId, stream, at: now(), line }]);
}

export type LogLine = { id: number; at: number; line: string };

/** A log's lines after `afterId` (for following a log live). */
export async function readLog(db: Db, rolloutId: number, taskId: number | null, stream: LogStream, afterId = 0, limit = 5000): Promise<LogLine[]> {
  const rs = await db.$client.execute({
    sql: `SELECT id, at, line FROM log WHERE rollout_id = ? AND task_id ${taskId === null ? "IS NULL" : "= ?"} AND stream = ? AND id > ? ORDER BY id LIMIT ?`,
    args: taskId === null ? [rolloutId, stream, afterId, limit] : [rolloutId, taskId, stream, afterId, limit],
  });
  return rs.rows.map((r) => ({ id: Number(r.id), at: Number(r.at), line: String(r.line) }));
}

export function formatLogLines(lines: LogLine[]): string {
  return lines.map((l) => `${new Date(l.at).toISOString()} ${l.line}\n`).join("");
}

// Process groups of running shell commands, recorded so that whoever takes a
// rollout over after a crash (on the same host) can stop the orphans.
import type { Db } from "./db";
import { now } from "../clock";

type ProcessRow = { pgid: number; host: string; instanceId: string; rolloutId: number; taskId: number };

export async function registerProcess(db: Db, p: ProcessRow): Promise<void> {
  await db.$client.execute({
    sql: "INSERT OR REPLACE INTO process (pgid, host, instance_id, rollout_id, task_id, started_at) VALUES (?, ?, ?, ?, ?, ?)",
    args: [p.pgid, p.host, p.instanceId, p.rolloutId, p.taskId, now()],
  });
}

export async function unregisterProcess(db: Db, host: string, pgid: number): Promise<void> {
  await db.$client.execute({ sql: "DELETE FROM process WHERE host = ? AND pgid = ?", args: [host, pgid] });
}

/** The recorded process groups of a rollout that another instance on this host left behind. */
export async function orphanGroups(db: Db, rolloutId: number, host: string, exceptInstance: string): Promise<number[]> {
  const rs = await db.$client.execute({
    sql: "SELECT pgid FROM process WHERE rollout_id = ? AND host = ? AND instance_id != ?",
    args: [rolloutId, host, exceptInstance],
  });
  return rs.rows.map((row) => Number(row.pgid));
}

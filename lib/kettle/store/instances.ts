// Runner instances and when each was last heard from.
import os from "node:os";
import type { Db } from "./db";

export async function heartbeatInstance(db: Db, id: string, at: number): Promise<void> {
  await db.$client.execute({
    sql: `INSERT INTO instance (id, host, pid, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`,
    args: [id, os.hostname(), process.pid, at, at],
  });
}

export async function removeInstance(db: Db, id: string): Promise<void> {
  await db.$client.execute({ sql: "DELETE FROM instance WHERE id = ?", args: [id] });
}

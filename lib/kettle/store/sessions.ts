// Browser sessions: the only module that writes `session`.
import { randomBytes } from "node:crypto";
import type { InStatement } from "@libsql/client";
import type { Db } from "./db";

export const newSessionId = () => randomBytes(32).toString("base64url");

/** Starts a session and records the sign-in, in one batch. */
export async function insertSession(db: Db, s: { id: string; user: string; createdAt: number; expiresAt: number }, audit: InStatement): Promise<void> {
  await db.$client.batch(
    [{ sql: "INSERT INTO session (id, user, created_at, expires_at) VALUES (?, ?, ?, ?)", args: [s.id, s.user, s.createdAt, s.expiresAt] }, audit],
    "write",
  );
}

/** Whether the session exists, has not ended and has not expired. */
export async function sessionIsLive(db: Db, id: string, at: number): Promise<boolean> {
  const rs = await db.$client.execute({ sql: "SELECT 1 FROM session WHERE id = ? AND ended_at IS NULL AND expires_at > ?", args: [id, at] });
  return rs.rows.length > 0;
}

/** Ends a session and records the sign-out, in one batch (no row when it had already ended). */
export async function endSession(db: Db, id: string, at: number, audit: InStatement): Promise<boolean> {
  const [upd] = await db.$client.batch([{ sql: "UPDATE session SET ended_at = ? WHERE id = ? AND ended_at IS NULL", args: [at, id] }, audit], "write");
  return upd.rowsAffected === 1;
}

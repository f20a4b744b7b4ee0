// Deploy locks on rollout kinds: the only module that writes `kind_lock`.
import type { InStatement } from "@libsql/client";
import type { Db } from "./db";
import { conflict } from "../errors";

export type KindLock = { kind: string; reason: string; lockedBy: string | null; lockedAt: number };

function toLock(r: Record<string, unknown>): KindLock {
  return { kind: String(r.kind), reason: String(r.reason), lockedBy: r.locked_by === null ? null : String(r.locked_by), lockedAt: Number(r.locked_at) };
}

export async function lockOf(db: Db, kind: string): Promise<KindLock | null> {
  const rs = await db.$client.execute({ sql: "SELECT * FROM kind_lock WHERE kind = ?", args: [kind] });
  return rs.rows.length ? toLock(rs.rows[0] as Record<string, unknown>) : null;
}

export async function allLocks(db: Db): Promise<KindLock[]> {
  const rs = await db.$client.execute("SELECT * FROM kind_lock ORDER BY kind");
  return rs.rows.map((r) => toLock(r as Record<string, unknown>));
}

/** Locks a kind and records it in one batch; 409 naming the holder when it is already locked. */
export async function insertLock(db: Db, lock: KindLock, audit: InStatement): Promise<void> {
  const [ins] = await db.$client.batch(
    [
      { sql: "INSERT INTO kind_lock (kind, reason, locked_by, locked_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", args: [lock.kind, lock.reason, lock.lockedBy, lock.lockedAt] },
      audit,
    ],
    "write",
  );
  if (ins.rowsAffected === 1) return;
  const held = await lockOf(db, lock.kind);
  if (held) throw conflict(lockedMessage(held));
  throw conflict(`${lock.kind} could not be locked: try again`);
}

/** Unlocks a kind and records it in one batch; false when it was not locked. */
export async function deleteLock(db: Db, kind: string, audit: InStatement): Promise<boolean> {
  const [del] = await db.$client.batch([{ sql: "DELETE FROM kind_lock WHERE kind = ?", args: [kind] }, audit], "write");
  return del.rowsAffected === 1;
}

export function lockedMessage(l: KindLock): string {
  return `${l.kind} is locked by ${l.lockedBy ?? "anonymous"} since ${new Date(l.lockedAt).toISOString().replace("T", " ").slice(0, 19)} UTC: ${l.reason}`;
}

/** The SQL condition (on `rollout`) that no deploy lock holds its kind; for the run request's guard. */
export const notLockedGuard = "NOT EXISTS (SELECT 1 FROM kind_lock l WHERE l.kind = rollout.kind)";

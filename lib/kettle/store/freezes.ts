// Freeze windows (issue 21): the only module that writes the `freeze` table.
// A window and its audit row are written in one batch.
import type { Db } from "./db";
import { auditStatement, type AuditEntry } from "./audit";
import { notFound } from "../errors";
import type { FreezeWindow } from "../schedule/windows";

export type FreezeRow = FreezeWindow & { createdBy: string | null; createdAt: number };

const columns = "id, name, reason, mode, kinds, starts_at, ends_at, rrule, cron, duration_ms, time_zone, created_by, created_at";

function fromRow(r: Record<string, unknown>): FreezeRow {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    id: Number(r.id),
    name: String(r.name),
    reason: String(r.reason ?? ""),
    mode: r.mode === "allow" ? "allow" : "deny",
    kinds: r.kinds === null ? null : (JSON.parse(String(r.kinds)) as string[]),
    startsAt: num(r.starts_at),
    endsAt: num(r.ends_at),
    rrule: r.rrule === null ? null : String(r.rrule),
    cron: r.cron === null ? null : String(r.cron),
    durationMs: num(r.duration_ms),
    timeZone: String(r.time_zone),
    createdBy: r.created_by === null ? null : String(r.created_by),
    createdAt: Number(r.created_at),
  };
}

export async function listFreezeRows(db: Db): Promise<FreezeRow[]> {
  const rs = await db.$client.execute(`SELECT ${columns} FROM freeze ORDER BY id`);
  return rs.rows.map((r) => fromRow(r as unknown as Record<string, unknown>));
}

export async function insertFreeze(db: Db, w: Omit<FreezeWindow, "id">, by: string | null, at: number, audit?: AuditEntry): Promise<FreezeRow> {
  const [rs] = await db.$client.batch(
    [
      {
        sql: `INSERT INTO freeze (name, reason, mode, kinds, starts_at, ends_at, rrule, cron, duration_ms, time_zone, created_by, created_at)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${columns}`,
        args: [w.name, w.reason, w.mode, w.kinds ? JSON.stringify(w.kinds) : null, w.startsAt, w.endsAt, w.rrule, w.cron, w.durationMs, w.timeZone, by, at],
      },
      ...(audit ? [auditStatement(audit)] : []),
    ],
    "write",
  );
  return fromRow(rs.rows[0] as unknown as Record<string, unknown>);
}

export async function deleteFreeze(db: Db, id: number, audit?: AuditEntry): Promise<void> {
  const [rs] = await db.$client.batch(
    [{ sql: "DELETE FROM freeze WHERE id = ?", args: [id] }, ...(audit ? [auditStatement(audit, { ifChanged: true })] : [])],
    "write",
  );
  if (rs.rowsAffected !== 1) throw notFound(`No freeze window with id ${id}`);
}

/** What the freeze watcher needs of a rollout: its status, why it is paused, whether an admin overrode the freezes. */
export async function freezeFacts(db: Db, id: number) {
  const rs = await db.$client.execute({ sql: "SELECT status, paused_reason, freeze_override FROM rollout WHERE id = ?", args: [id] });
  const r = rs.rows[0];
  return {
    status: r ? String(r.status) : null,
    pausedReason: r && r.paused_reason !== null ? (JSON.parse(String(r.paused_reason)) as import("./decisions").PausedReason) : null,
    overridden: !!r && r.freeze_override !== null,
  };
}

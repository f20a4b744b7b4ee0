// The only module that writes `webhook`, `outbox` (besides the triggers that
// insert into it, drizzle/0005_outbox.sql) and `webhook_attempt`.
import type { InStatement } from "@libsql/client";
import type { Db } from "./db";

export type WebhookRow = {
  id: number;
  url: string;
  events: string[];
  format: "standard" | "slack";
  secretSealed: string;
  description: string | null;
  createdBy: string | null;
  createdAt: number;
  disabledAt: number | null;
};

export type OutboxRow = {
  id: number;
  webhookId: number;
  event: string;
  rolloutId: number;
  taskId: number | null;
  payload: string;
  createdAt: number;
  nextAttemptAt: number;
  attempts: number;
  deliveredAt: number | null;
  failedAt: number | null;
  lastStatus: number | null;
  lastError: string | null;
};

export type AttemptRow = { id: number; outboxId: number; at: number; durationMs: number; status: number | null; error: string | null; instance: string | null };

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

function webhookOf(r: Record<string, unknown>): WebhookRow {
  return {
    id: Number(r.id),
    url: String(r.url),
    events: JSON.parse(String(r.events)) as string[],
    format: String(r.format) === "slack" ? "slack" : "standard",
    secretSealed: String(r.secret_sealed),
    description: str(r.description),
    createdBy: str(r.created_by),
    createdAt: Number(r.created_at),
    disabledAt: num(r.disabled_at),
  };
}

function outboxOf(r: Record<string, unknown>): OutboxRow {
  return {
    id: Number(r.id),
    webhookId: Number(r.webhook_id),
    event: String(r.event),
    rolloutId: Number(r.rollout_id),
    taskId: num(r.task_id),
    payload: String(r.payload),
    createdAt: Number(r.created_at),
    nextAttemptAt: Number(r.next_attempt_at),
    attempts: Number(r.attempts),
    deliveredAt: num(r.delivered_at),
    failedAt: num(r.failed_at),
    lastStatus: num(r.last_status),
    lastError: str(r.last_error),
  };
}

/** Inserts a subscription and its audit row in one batch. */
export async function insertWebhook(
  db: Db,
  w: { url: string; events: string[]; format: string; secretSealed: string; description: string | null; createdBy: string | null; createdAt: number },
  audit: InStatement,
): Promise<number> {
  const [ins] = await db.$client.batch(
    [
      {
        sql: "INSERT INTO webhook (url, events, format, secret_sealed, description, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        args: [w.url, JSON.stringify(w.events), w.format, w.secretSealed, w.description, w.createdBy, w.createdAt],
      },
      audit,
    ],
    "write",
  );
  return Number(ins.rows[0].id);
}

export async function webhookById(db: Db, id: number): Promise<WebhookRow | null> {
  const rs = await db.$client.execute({ sql: "SELECT * FROM webhook WHERE id = ?", args: [id] });
  return rs.rows.length ? webhookOf(rs.rows[0] as Record<string, unknown>) : null;
}

export async function listWebhooks(db: Db): Promise<WebhookRow[]> {
  const rs = await db.$client.execute("SELECT * FROM webhook ORDER BY id");
  return rs.rows.map((r) => webhookOf(r as Record<string, unknown>));
}

/** Changes what a subscription wants (events, format, enabled), with its audit row. */
export async function updateWebhook(
  db: Db,
  id: number,
  change: { events?: string[]; format?: string; description?: string | null; disabledAt?: number | null },
  audit: InStatement,
): Promise<boolean> {
  const sets: string[] = [];
  const args: (string | number | null)[] = [];
  if (change.events) sets.push("events = ?"), args.push(JSON.stringify(change.events));
  if (change.format) sets.push("format = ?"), args.push(change.format);
  if (change.description !== undefined) sets.push("description = ?"), args.push(change.description);
  if (change.disabledAt !== undefined) sets.push("disabled_at = ?"), args.push(change.disabledAt);
  if (!sets.length) return true;
  const [upd] = await db.$client.batch([{ sql: `UPDATE webhook SET ${sets.join(", ")} WHERE id = ?`, args: [...args, id] }, audit], "write");
  return upd.rowsAffected === 1;
}

/** Deletes a subscription (its undelivered events and their attempts go with it), with its audit row. */
export async function deleteWebhook(db: Db, id: number, audit: InStatement): Promise<boolean> {
  const [, , del] = await db.$client.batch(
    [
      { sql: "DELETE FROM webhook_attempt WHERE outbox_id IN (SELECT id FROM outbox WHERE webhook_id = ?)", args: [id] },
      { sql: "DELETE FROM outbox WHERE webhook_id = ?", args: [id] },
      { sql: "DELETE FROM webhook WHERE id = ?", args: [id] },
      audit,
    ],
    "write",
  );
  return del.rowsAffected === 1;
}

/**
 * Claims up to `limit` due events for `owner` until `leaseUntil`: one conditional
 * UPDATE, so two instances never both hold one. An instance that dies while
 * holding a claim loses it when the lease runs out; another then delivers.
 */
export async function claimDue(db: Db, owner: string, at: number, leaseUntil: number, limit = 20): Promise<OutboxRow[]> {
  const rs = await db.$client.execute({
    sql: `UPDATE outbox SET lease_owner = ?, lease_expires_at = ?
          WHERE id IN (SELECT id FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?
                       AND (lease_expires_at IS NULL OR lease_expires_at < ?) ORDER BY id LIMIT ?)
          RETURNING *`,
    args: [owner, leaseUntil, at, at, limit],
  });
  return rs.rows.map((r) => outboxOf(r as Record<string, unknown>)).sort((a, b) => a.id - b.id);
}

/** The earliest time an undelivered event is due (for the delivery loop's sleep), or null. */
export async function nextDueAt(db: Db): Promise<number | null> {
  const rs = await db.$client.execute(
    "SELECT min(max(next_attempt_at, coalesce(lease_expires_at, 0))) AS due FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL",
  );
  return num(rs.rows[0]?.due);
}

/**
 * Records one attempt and what follows (delivered, a next try, or given up), only
 * while `owner` still holds the claim; false when it lost it (another instance took over).
 */
export async function recordAttempt(
  db: Db,
  id: number,
  owner: string,
  a: { at: number; durationMs: number; status: number | null; error: string | null },
  next: { deliveredAt: number } | { nextAttemptAt: number } | { failedAt: number },
): Promise<boolean> {
  const [upd] = await db.$client.batch(
    [
      {
        sql: `UPDATE outbox SET attempts = attempts + 1, last_status = ?, last_error = ?, lease_owner = NULL, lease_expires_at = NULL,
              delivered_at = ?, failed_at = ?, next_attempt_at = coalesce(?, next_attempt_at)
              WHERE id = ? AND lease_owner = ?`,
        args: [
          a.status,
          a.error,
          "deliveredAt" in next ? next.deliveredAt : null,
          "failedAt" in next ? next.failedAt : null,
          "nextAttemptAt" in next ? next.nextAttemptAt : null,
          id,
          owner,
        ],
      },
      {
        sql: "INSERT INTO webhook_attempt (outbox_id, at, duration_ms, status, error, instance) SELECT ?, ?, ?, ?, ?, ? WHERE changes() = 1",
        args: [id, a.at, a.durationMs, a.status, a.error, owner],
      },
    ],
    "write",
  );
  return upd.rowsAffected === 1;
}

/** Gives claims back (graceful shutdown), so the next instance delivers at once. */
export async function releaseClaims(db: Db, owner: string): Promise<void> {
  await db.$client.execute({ sql: "UPDATE outbox SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner = ? AND delivered_at IS NULL", args: [owner] });
}

/** A subscription's latest events with their attempts, newest first. */
export async function deliveriesOf(db: Db, webhookId: number, limit = 50): Promise<(OutboxRow & { attemptList: AttemptRow[] })[]> {
  const rs = await db.$client.execute({ sql: "SELECT * FROM outbox WHERE webhook_id = ? ORDER BY id DESC LIMIT ?", args: [webhookId, limit] });
  const rows = rs.rows.map((r) => outboxOf(r as Record<string, unknown>));
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const at = await db.$client.execute({
    sql: `SELECT * FROM webhook_attempt WHERE outbox_id IN (${ids.map(() => "?").join(",")}) ORDER BY id`,
    args: ids,
  });
  const byOutbox = new Map<number, AttemptRow[]>();
  for (const r of at.rows) {
    const a: AttemptRow = {
      id: Number(r.id),
      outboxId: Number(r.outbox_id),
      at: Number(r.at),
      durationMs: Number(r.duration_ms),
      status: num(r.status),
      error: str(r.error),
      instance: str(r.instance),
    };
    (byOutbox.get(a.outboxId) ?? byOutbox.set(a.outboxId, []).get(a.outboxId)!).push(a);
  }
  return rows.map((r) => ({ ...r, attemptList: byOutbox.get(r.id) ?? [] }));
}

/** Events not delivered nor given up (a gauge for /metrics). */
export async function pendingCount(db: Db): Promise<number> {
  const rs = await db.$client.execute("SELECT count(*) AS n FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL");
  return Number(rs.rows[0].n);
}

/** Forgets delivered and given-up events (and their attempts) that ended before `before`. */
export async function pruneOutbox(db: Db, before: number): Promise<void> {
  const done = "SELECT id FROM outbox WHERE coalesce(delivered_at, failed_at) < ?";
  await db.$client.batch(
    [
      { sql: `DELETE FROM webhook_attempt WHERE outbox_id IN (${done})`, args: [before] },
      { sql: `DELETE FROM outbox WHERE id IN (${done})`, args: [before] },
    ],
    "write",
  );
}

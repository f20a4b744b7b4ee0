// The audit trail: the only module that writes the `audit` table. Rows are
// appended, never changed (triggers refuse UPDATE and DELETE). A change and its
// row are written in one batch: the change's store function takes the statement
// from `auditStatement` and appends it to its own.
import type { InStatement } from "@libsql/client";
import type { Db } from "./db";

export type AuditEntry = {
  at: number;
  user: string | null;
  role: string | null;
  via: string;
  tokenName?: string | null;
  action: string;
  outcome?: "ok" | "refused";
  rolloutId?: number | null;
  taskId?: number | null;
  kind?: string | null;
  comment?: string | null;
  address?: string | null;
};

const columns = "at, user, role, via, token_name, action, outcome, rollout_id, task_id, kind, comment, address";

function values(e: AuditEntry) {
  return [
    e.at,
    e.user?.slice(0, 200) ?? null,
    e.role,
    e.via,
    e.tokenName ?? null,
    e.action.slice(0, 100), // a refused signal's name comes from the URL
    e.outcome ?? "ok",
    e.rolloutId ?? null,
    e.taskId ?? null,
    e.kind ?? null,
    e.comment?.slice(0, 2000) ?? null,
    e.address?.slice(0, 200) ?? null,
  ];
}

/**
 * The INSERT for one entry. `ifChanged`: written only when the statement just
 * before it in the same batch changed a row (SQLite's changes()), so a refused
 * conditional update leaves no row.
 */
export function auditStatement(e: AuditEntry, { ifChanged = false, where }: { ifChanged?: boolean; where?: { sql: string; args: (string | number)[] } } = {}): InStatement {
  const v = values(e);
  if (where) return { sql: `INSERT INTO audit (${columns}) SELECT ${v.map(() => "?").join(", ")} WHERE ${where.sql}`, args: [...v, ...where.args] };
  if (!ifChanged) return { sql: `INSERT INTO audit (${columns}) VALUES (${v.map(() => "?").join(", ")})`, args: v };
  return { sql: `INSERT INTO audit (${columns}) SELECT ${v.map(() => "?").join(", ")} WHERE changes() > 0`, args: v };
}

/** One entry per rollout `where` (over `rollout r`) names, each with its own rolloutId: e.g. every rollout a newer one superseded. */
export function auditEachStatement(e: AuditEntry, where: string, whereArgs: (string | number)[]): InStatement {
  const v = values({ ...e, rolloutId: null });
  const at = columns.split(", ").indexOf("rollout_id");
  return {
    sql: `INSERT INTO audit (${columns}) SELECT ${v.map((_, i) => (i === at ? "r.id" : "?")).join(", ")} FROM rollout r WHERE ${where}`,
    args: [...v.filter((_, i) => i !== at), ...whereArgs],
  };
}

/** For what is audited on its own: refused attempts, sign-in and sign-out. */
export async function writeAudit(db: Db, e: AuditEntry): Promise<void> {
  await db.$client.execute(auditStatement(e));
}

export type AuditRow = {
  id: number;
  at: number;
  user: string | null;
  role: string | null;
  via: string;
  tokenName: string | null;
  action: string;
  outcome: string;
  rolloutId: number | null;
  taskId: number | null;
  kind: string | null;
  comment: string | null;
  address: string | null;
};

export type AuditFilter = { user?: string; action?: string; rolloutId?: number; from?: number; to?: number; outcome?: string };

export async function readAudit(db: Db, f: AuditFilter, limit: number, offset: number): Promise<{ rows: AuditRow[]; total: number }> {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (f.user !== undefined) (where.push("user = ?"), args.push(f.user));
  if (f.action !== undefined) (where.push("action = ?"), args.push(f.action));
  if (f.outcome !== undefined) (where.push("outcome = ?"), args.push(f.outcome));
  if (f.rolloutId !== undefined) (where.push("rollout_id = ?"), args.push(f.rolloutId));
  if (f.from !== undefined) (where.push("at >= ?"), args.push(f.from));
  if (f.to !== undefined) (where.push("at < ?"), args.push(f.to));
  const clause = where.length ? `WHERE ${where.join(" AND ")}` : "";
  const [rs, count] = await Promise.all([
    db.$client.execute({ sql: `SELECT * FROM audit ${clause} ORDER BY id DESC LIMIT ? OFFSET ?`, args: [...args, limit, offset] }),
    db.$client.execute({ sql: `SELECT count(*) AS n FROM audit ${clause}`, args }),
  ]);
  const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    total: Number(count.rows[0].n),
    rows: rs.rows.map((r) => ({
      id: Number(r.id),
      at: Number(r.at),
      user: str(r.user),
      role: str(r.role),
      via: String(r.via),
      tokenName: str(r.token_name),
      action: String(r.action),
      outcome: String(r.outcome),
      rolloutId: num(r.rollout_id),
      taskId: num(r.task_id),
      kind: str(r.kind),
      comment: str(r.comment),
      address: str(r.address),
    })),
  };
}

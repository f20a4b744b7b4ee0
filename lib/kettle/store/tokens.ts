// API tokens: the only module that writes `api_token`. The secret itself is
// never stored, only its SHA-256.
import { createHash, randomBytes } from "node:crypto";
import type { InStatement } from "@libsql/client";
import type { Db } from "./db";

export type TokenRow = {
  id: number;
  name: string;
  role: string;
  user: string;
  userGroups: string[];
  createdAt: number;
  expiresAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
  revokedBy: string | null;
};

export const TOKEN_PREFIX = "kettle_";
export const hashToken = (secret: string) => createHash("sha256").update(secret, "utf8").digest("hex");
/** `kettle_` and 32 random bytes, base64url. */
export const newTokenSecret = () => TOKEN_PREFIX + randomBytes(32).toString("base64url");

function toRow(r: Record<string, unknown>): TokenRow {
  return {
    id: Number(r.id),
    name: String(r.name),
    role: String(r.role),
    user: String(r.user),
    userGroups: JSON.parse(String(r.user_groups)) as string[],
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
    revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
    revokedBy: r.revoked_by === null ? null : String(r.revoked_by),
  };
}

/** Inserts a token and its audit row in one batch. */
export async function insertToken(
  db: Db,
  t: { name: string; role: string; user: string; userGroups: string[]; createdAt: number; expiresAt: number; secret: string },
  audit: InStatement,
): Promise<number> {
  const [ins] = await db.$client.batch(
    [
      {
        sql: "INSERT INTO api_token (name, hash, role, user, user_groups, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        args: [t.name, hashToken(t.secret), t.role, t.user, JSON.stringify(t.userGroups), t.createdAt, t.expiresAt],
      },
      audit,
    ],
    "write",
  );
  return Number(ins.rows[0].id);
}

export async function tokenByHash(db: Db, hash: string): Promise<TokenRow | null> {
  const rs = await db.$client.execute({ sql: "SELECT * FROM api_token WHERE hash = ?", args: [hash] });
  return rs.rows.length ? toRow(rs.rows[0] as Record<string, unknown>) : null;
}

export async function tokenById(db: Db, id: number): Promise<TokenRow | null> {
  const rs = await db.$client.execute({ sql: "SELECT * FROM api_token WHERE id = ?", args: [id] });
  return rs.rows.length ? toRow(rs.rows[0] as Record<string, unknown>) : null;
}

/** Records a use, at most once a minute per token, so a busy pipeline costs few writes. */
export async function touchToken(db: Db, id: number, at: number): Promise<void> {
  await db.$client.execute({
    sql: "UPDATE api_token SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
    args: [at, id, at - 60_000],
  });
}

export async function listTokens(db: Db, user: string | null): Promise<TokenRow[]> {
  const rs = user === null
    ? await db.$client.execute("SELECT * FROM api_token ORDER BY id DESC")
    : await db.$client.execute({ sql: "SELECT * FROM api_token WHERE user = ? ORDER BY id DESC", args: [user] });
  return rs.rows.map((r) => toRow(r as Record<string, unknown>));
}

/** Revokes a token and records it, in one batch; false when it was already revoked. */
export async function revokeToken(db: Db, id: number, by: string | null, at: number, audit: InStatement): Promise<boolean> {
  const [upd] = await db.$client.batch(
    [{ sql: "UPDATE api_token SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL", args: [at, by, id] }, audit],
    "write",
  );
  return upd.rowsAffected === 1;
}

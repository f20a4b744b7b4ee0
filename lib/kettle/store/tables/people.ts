// Who did what and who may: the audit trail, API tokens, deploy locks, sessions.
import { sqliteTable, integer, text, index } from "drizzle-orm/sqlite-core";

// ---- Who may do what (issue 10): the audit trail, API tokens, deploy locks ----
// Written only by store/audit.ts, store/tokens.ts and store/locks.ts.

// One row per change, sign-in/out and refused attempt. Never updated or deleted.
export const audit = sqliteTable(
  "audit",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at").notNull(),
    user: text("user"),
    role: text("role"),
    // how they were identified: none | proxy | session | token
    via: text("via").notNull(),
    tokenName: text("token_name"),
    action: text("action").notNull(),
    // ok | refused (401/403)
    outcome: text("outcome").notNull().default("ok"),
    rolloutId: integer("rollout_id"),
    taskId: integer("task_id"),
    kind: text("kind"),
    comment: text("comment"),
    address: text("address"),
  },
  (t) => [index("audit_at_idx").on(t.at), index("audit_rollout_idx").on(t.rolloutId, t.id), index("audit_user_idx").on(t.user, t.id)],
);

// API tokens: only the SHA-256 of the secret is kept.
export const apiToken = sqliteTable(
  "api_token",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    hash: text("hash").notNull().unique(),
    role: text("role").notNull(),
    user: text("user").notNull(),
    // the creator's groups when it was made, so the token never outranks its creator
    userGroups: text("user_groups", { mode: "json" }).notNull().$type<string[]>(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
    revokedBy: text("revoked_by"),
  },
  (t) => [index("api_token_user_idx").on(t.user)],
);

// A deploy lock on a rollout kind: while it exists, Run is refused.
export const kindLock = sqliteTable("kind_lock", {
  kind: text("kind").primaryKey(),
  reason: text("reason").notNull(),
  lockedBy: text("locked_by"),
  lockedAt: integer("locked_at").notNull(),
});

// Browser sessions (KETTLE_AUTH=oidc): the sealed cookie names one; sign-out ends it here,
// so a copy of the cookie is worth nothing afterwards.
export const session = sqliteTable("session", {
  id: text("id").primaryKey(),
  user: text("user").notNull(),
  createdAt: integer("created_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
  endedAt: integer("ended_at"),
});

// store/: the tables and their SQL, one module writing each table
// (docs/architecture.md lists which). It imports authoring/ (to rebuild tasks),
// modules/ (task kinds by name) and the shared leaves, never runner/ or read/.
//
// The tables. Every transition a rollout or task makes is a row update here:
// this database is the only channel between the web side and the runner.
import { sqliteTable, integer, text, index, primaryKey } from "drizzle-orm/sqlite-core";

export const rollout = sqliteTable(
  "rollout",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    kind: text("kind").notNull(),
    config: text("config", { mode: "json" }).notNull().$type<Record<string, unknown>>(),
    status: text("status").notNull().default("not_started"),
    hidden: integer("hidden", { mode: "boolean" }).notNull().default(false),
    createdBy: text("created_by"),
    runBy: text("run_by"),
    createdAt: integer("created_at").notNull(),
    finalisedAt: integer("finalised_at"),
    rolloutStartedAt: integer("rollout_started_at"),
    rolloutFinishedAt: integer("rollout_finished_at"),
    rollbackStartedAt: integer("rollback_started_at"),
    rollbackFinishedAt: integer("rollback_finished_at"),
    // The lease: which runner instance executes this rollout, and until when.
    leaseOwner: text("lease_owner"),
    leaseExpiresAt: integer("lease_expires_at"),
    heartbeatAt: integer("heartbeat_at"),
    // Set while the status is `paused`: since when, and why (JSON: kind, message, by, taskId).
    pausedAt: integer("paused_at"),
    pausedReason: text("paused_reason", { mode: "json" }).$type<Record<string, unknown>>(),
    // When rollouts may run (issue 21, drizzle/0012_schedule.sql): an admin's override of the
    // freeze windows (JSON: by, reason, at), and a scheduled run (when, who; why it was skipped).
    freezeOverride: text("freeze_override", { mode: "json" }).$type<{ by: string | null; reason: string; at: number }>(),
    scheduledAt: integer("scheduled_at"),
    scheduledBy: text("scheduled_by"),
    scheduleNote: text("schedule_note", { mode: "json" }).$type<Record<string, unknown>>(),
    // A queue per kind: when it was queued, its place, the kind's limit, who superseded it.
    queuedAt: integer("queued_at"),
    queueRank: integer("queue_rank"),
    queueLimit: integer("queue_limit"),
    supersededBy: integer("superseded_by"),
  },
  // rollout_status_idx ((status, rowid)) is named by per-row guards (INDEXED BY): they read a status
  // from it without touching the row, whose config may be megabytes (drizzle/0008_guards_by_index.sql).
  // rollout_lease_idx ((lease_owner, rowid)) likewise answers the lease fence of every task transition (0009).
  (t) => [index("rollout_status_idx").on(t.status), index("rollout_hidden_id_idx").on(t.hidden, t.id), index("rollout_lease_idx").on(t.leaseOwner)],
);

export const task = sqliteTable(
  "task",
  {
    rolloutId: integer("rollout_id")
      .notNull()
      .references(() => rollout.id, { onDelete: "cascade" }),
    // A task's id is its place in the tree (depth first, parents first) within its
    // rollout, so a whole tree is written in one transaction with no id look-ups.
    id: integer("id").notNull(),
    parentId: integer("parent_id"),
    position: integer("position").notNull().default(0),
    type: text("type").notNull(),
    state: text("state", { mode: "json" }).notNull().$type<Record<string, unknown>>(),
    runStartedAt: integer("run_started_at"),
    runFinishedAt: integer("run_finished_at"),
    runResult: text("run_result"),
    runFailedAt: integer("run_failed_at"),
    runError: text("run_error"),
    runTrace: text("run_trace"),
    revertStartedAt: integer("revert_started_at"),
    revertFinishedAt: integer("revert_finished_at"),
    revertResult: text("revert_result"),
    revertFailedAt: integer("revert_failed_at"),
    revertError: text("revert_error"),
    revertTrace: text("revert_trace"),
    // Earlier attempts of the run (JSON list of {startedAt, finishedAt?, failedAt?, error?}); the run_* columns hold the current one.
    attempts: text("attempts", { mode: "json" }).$type<Record<string, unknown>[]>(),
    // Time the current run spent with the rollout paused (so a delay waits only what is left).
    pausedMs: integer("paused_ms").notNull().default(0),
    // Set while the task waits for a person (an approval gate).
    waitingAt: integer("waiting_at"),
    // Set when an operator skipped the failed task: the run carried on as if it had finished.
    skippedAt: integer("skipped_at"),
  },
  (t) => [primaryKey({ columns: [t.rolloutId, t.id] }), index("task_parent_idx").on(t.rolloutId, t.parentId, t.position)],
);

export const signal = sqliteTable(
  "signal",
  {
    rolloutId: integer("rollout_id")
      .notNull()
      .references(() => rollout.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    sentBy: text("sent_by"),
    sentAt: integer("sent_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.rolloutId, t.name] })],
);

export const log = sqliteTable(
  "log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    rolloutId: integer("rollout_id")
      .notNull()
      .references(() => rollout.id, { onDelete: "cascade" }),
    // null for the rollout's own logs; a task id for a task's run/revert log
    taskId: integer("task_id"),
    stream: text("stream").notNull(), // rollout | rollback | run | revert
    at: integer("at").notNull(),
    line: text("line").notNull(),
  },
  (t) => [index("log_stream_idx").on(t.rolloutId, t.taskId, t.stream, t.id)],
);

// Decisions made by people while a rollout runs: pause/resume, approve/reject an
// approval gate, retry/skip a failed task, retry a failed rollback. The web side
// writes them; the runner that owns the rollout reads the unhandled ones and acts.
export const decision = sqliteTable(
  "decision",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    rolloutId: integer("rollout_id")
      .notNull()
      .references(() => rollout.id, { onDelete: "cascade" }),
    taskId: integer("task_id"),
    action: text("action").notNull(),
    by: text("by"),
    comment: text("comment"),
    at: integer("at").notNull(),
    handledAt: integer("handled_at"),
  },
  (t) => [index("decision_rollout_idx").on(t.rolloutId, t.id)],
);

// The change feed (written by triggers, see drizzle/0004_changes.sql): one row per
// change to a rollout, a task, a signal or a decision; the id is the stream's cursor.
export const change = sqliteTable(
  "change",
  {
    id: integer("id").primaryKey(),
    rolloutId: integer("rollout_id").notNull(),
    taskId: integer("task_id"),
    kind: text("kind").notNull(),
  },
  (t) => [index("change_rollout_idx").on(t.rolloutId, t.id)],
);

// Runner instances, so the UI can say who runs a rollout and when it was last heard from.
export const instance = sqliteTable("instance", {
  id: text("id").primaryKey(),
  host: text("host").notNull(),
  pid: integer("pid").notNull(),
  startedAt: integer("started_at").notNull(),
  heartbeatAt: integer("heartbeat_at").notNull(),
});

// Process groups started by shell tasks, so that after a crash the instance
// that takes over (on the same host) can make sure none survives as an orphan.
export const process_ = sqliteTable("process", {
  pgid: integer("pgid").notNull(),
  host: text("host").notNull(),
  instanceId: text("instance_id").notNull(),
  rolloutId: integer("rollout_id").notNull(),
  taskId: integer("task_id").notNull(),
  startedAt: integer("started_at").notNull(),
}, (t) => [primaryKey({ columns: [t.host, t.pgid] })]);

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

// ---- Webhooks (issue 13): subscriptions, the outbox, delivery attempts ----
// Written only by store/webhooks.ts; outbox rows are inserted by triggers
// (drizzle/0005_outbox.sql) in the transaction of the change they announce.
export const webhook = sqliteTable("webhook", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  url: text("url").notNull(),
  // JSON list of event names ("*" for all)
  events: text("events", { mode: "json" }).notNull().$type<string[]>(),
  format: text("format").notNull().default("standard"), // standard | slack
  // the signing secret, sealed with KETTLE_SECRET_KEY (lib/kettle/secrets.ts)
  secretSealed: text("secret_sealed").notNull(),
  description: text("description"),
  createdBy: text("created_by"),
  createdAt: integer("created_at").notNull(),
  disabledAt: integer("disabled_at"),
});

export const outbox = sqliteTable(
  "outbox",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    webhookId: integer("webhook_id")
      .notNull()
      .references(() => webhook.id, { onDelete: "cascade" }),
    event: text("event").notNull(),
    rolloutId: integer("rollout_id").notNull(),
    taskId: integer("task_id"),
    payload: text("payload").notNull(),
    createdAt: integer("created_at").notNull(),
    nextAttemptAt: integer("next_attempt_at").notNull(),
    attempts: integer("attempts").notNull().default(0),
    // a delivering instance's claim, so that several never send the same row at once
    leaseOwner: text("lease_owner"),
    leaseExpiresAt: integer("lease_expires_at"),
    deliveredAt: integer("delivered_at"),
    failedAt: integer("failed_at"),
    lastStatus: integer("last_status"),
    lastError: text("last_error"),
  },
  (t) => [index("outbox_due_idx").on(t.deliveredAt, t.failedAt, t.nextAttemptAt), index("outbox_webhook_idx").on(t.webhookId, t.id)],
);

export const webhookAttempt = sqliteTable(
  "webhook_attempt",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    outboxId: integer("outbox_id")
      .notNull()
      .references(() => outbox.id, { onDelete: "cascade" }),
    at: integer("at").notNull(),
    durationMs: integer("duration_ms").notNull(),
    status: integer("status"),
    error: text("error"),
    instance: text("instance"),
  },
  (t) => [index("webhook_attempt_outbox_idx").on(t.outboxId, t.id)],
);

// Every plan a rollout was finalised with (issue 14: plan diff), written in finalise's batch
// (saveFinalised, statement from lib/kettle/store/plans.ts). `tree`: {type, description, children}.
export const plan = sqliteTable(
  "plan",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    rolloutId: integer("rollout_id")
      .notNull()
      .references(() => rollout.id, { onDelete: "cascade" }),
    finalisedAt: integer("finalised_at").notNull(),
    config: text("config", { mode: "json" }).notNull().$type<Record<string, unknown>>(),
    tree: text("tree", { mode: "json" }).notNull().$type<{ type: string; description: string; children: unknown[] }>(),
    finalisedBy: text("finalised_by"),
  },
  (t) => [index("plan_rollout_idx").on(t.rolloutId, t.id)],
);

// Approvals and rejections of a plan before it runs (issue 22), each bound to the plan's hash
// (store/plan-decisions.ts writes it).
export const planDecision = sqliteTable(
  "plan_decision",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    rolloutId: integer("rollout_id")
      .notNull()
      .references(() => rollout.id, { onDelete: "cascade" }),
    planHash: text("plan_hash").notNull(),
    decision: text("decision").notNull().$type<"approve" | "reject">(),
    by: text("by"),
    at: integer("at").notNull(),
    comment: text("comment"),
  },
  (t) => [index("plan_decision_rollout_idx").on(t.rolloutId, t.planHash)],
);

// Health analysis (drizzle/0011_analysis.sql; written by store/analysis.ts).
export const analysisRun = sqliteTable("analysis_run", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  rolloutId: integer("rollout_id")
    .notNull()
    .references(() => rollout.id, { onDelete: "cascade" }),
  taskId: integer("task_id"),
  attempt: integer("attempt").notNull().default(0),
  name: text("name").notNull(),
  spec: text("spec").notNull(),
  startedAt: integer("started_at").notNull(),
  finishedAt: integer("finished_at"),
  verdict: text("verdict").$type<"successful" | "failed" | "inconclusive">(),
  why: text("why"),
  metrics: text("metrics"),
});
export const analysisMeasurement = sqliteTable(
  "analysis_measurement",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    runId: integer("run_id")
      .notNull()
      .references(() => analysisRun.id, { onDelete: "cascade" }),
    metric: text("metric").notNull(),
    at: integer("at").notNull(),
    value: text("value"),
    outcome: text("outcome").notNull(),
    message: text("message"),
    counters: text("counters"),
  },
  (t) => [index("analysis_measurement_run_idx").on(t.runId, t.id)],
);

/** Freeze windows (issue 21): deny (no runs then) or allow (runs only then), one-off or recurring. */
export const freeze = sqliteTable("freeze", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull(),
  reason: text("reason").notNull().default(""),
  mode: text("mode").notNull().default("deny").$type<"deny" | "allow">(),
  kinds: text("kinds", { mode: "json" }).$type<string[]>(),
  startsAt: integer("starts_at"),
  endsAt: integer("ends_at"),
  rrule: text("rrule"),
  cron: text("cron"),
  durationMs: integer("duration_ms"),
  timeZone: text("time_zone").notNull().default("UTC"),
  createdBy: text("created_by"),
  createdAt: integer("created_at").notNull(),
});

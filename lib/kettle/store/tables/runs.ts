// The tables of a rollout as it runs: the rollout, its tasks, signals, logs,
// decisions, the change feed, runner instances and their process groups.
import { sqliteTable, integer, text, index, primaryKey } from "drizzle-orm/sqlite-core";

// Every transition a rollout or task makes is a row update here:
// this database is the only channel between the web side and the runner.

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

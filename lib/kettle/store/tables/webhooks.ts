// Webhook subscriptions, the outbox and every delivery attempt.
import { sqliteTable, integer, text, index } from "drizzle-orm/sqlite-core";

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

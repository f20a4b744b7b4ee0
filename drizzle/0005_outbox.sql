-- Webhooks (issue 13): subscriptions, the outbox of events to deliver, and every
-- delivery attempt. Outbox rows are written by triggers on the rollout and task
-- rows, so an event exists exactly when the change that causes it commits (same
-- transaction; no code path can forget one), and survives any crash until the
-- runner side (lib/kettle/outbox.ts) has delivered it. The payload is a snapshot
-- taken at the change (the status, the task's error as they were then), so a
-- rollout that has moved on by delivery time is still described truly.
CREATE TABLE `webhook` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`url` text NOT NULL,
	`events` text NOT NULL,
	`format` text DEFAULT 'standard' NOT NULL,
	`secret_sealed` text NOT NULL,
	`description` text,
	`created_by` text,
	`created_at` integer NOT NULL,
	`disabled_at` integer
);
--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`webhook_id` integer NOT NULL REFERENCES `webhook`(`id`) ON DELETE CASCADE,
	`event` text NOT NULL,
	`rollout_id` integer NOT NULL,
	`task_id` integer,
	`payload` text NOT NULL,
	`created_at` integer NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`lease_owner` text,
	`lease_expires_at` integer,
	`delivered_at` integer,
	`failed_at` integer,
	`last_status` integer,
	`last_error` text
);
--> statement-breakpoint
CREATE INDEX `outbox_due_idx` ON `outbox` (`delivered_at`,`failed_at`,`next_attempt_at`);
--> statement-breakpoint
CREATE INDEX `outbox_webhook_idx` ON `outbox` (`webhook_id`,`id`);
--> statement-breakpoint
CREATE TABLE `webhook_attempt` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`outbox_id` integer NOT NULL REFERENCES `outbox`(`id`) ON DELETE CASCADE,
	`at` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	`status` integer,
	`error` text,
	`instance` text
);
--> statement-breakpoint
CREATE INDEX `webhook_attempt_outbox_idx` ON `webhook_attempt` (`outbox_id`,`id`);
--> statement-breakpoint
CREATE TRIGGER outbox_rollout_status AFTER UPDATE OF status ON rollout
WHEN NEW.status IS NOT OLD.status
  AND (NEW.status IN ('paused', 'finished', 'rolling_back', 'rolled_back', 'rollback_failed') OR (NEW.status = 'started' AND OLD.status = 'not_started'))
BEGIN
  INSERT INTO outbox (webhook_id, event, rollout_id, task_id, payload, created_at, next_attempt_at)
  SELECT w.id, 'rollout.' || NEW.status, NEW.id, NULL,
    json_object(
      'type', 'rollout.' || NEW.status,
      'timestamp', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
      'data', json_object(
        'rollout', json_object(
          'id', NEW.id, 'kind', NEW.kind, 'status', NEW.status, 'user', coalesce(NEW.run_by, NEW.created_by),
          'createdBy', NEW.created_by, 'runBy', NEW.run_by, 'createdAt', NEW.created_at,
          'rolloutStartedAt', NEW.rollout_started_at, 'rolloutFinishedAt', NEW.rollout_finished_at,
          'rollbackStartedAt', NEW.rollback_started_at, 'rollbackFinishedAt', NEW.rollback_finished_at,
          'pausedReason', json(NEW.paused_reason)))),
    CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM webhook w
  WHERE w.disabled_at IS NULL AND EXISTS (SELECT 1 FROM json_each(w.events) WHERE value IN ('rollout.' || NEW.status, '*'));
END;
--> statement-breakpoint
CREATE TRIGGER outbox_task_failed AFTER UPDATE OF run_failed_at ON task
WHEN NEW.run_failed_at IS NOT NULL AND OLD.run_failed_at IS NULL
  AND EXISTS (SELECT 1 FROM webhook WHERE disabled_at IS NULL)
  AND NOT EXISTS (SELECT 1 FROM task c WHERE c.rollout_id = NEW.rollout_id AND c.parent_id = NEW.id)
BEGIN
  INSERT INTO outbox (webhook_id, event, rollout_id, task_id, payload, created_at, next_attempt_at)
  SELECT w.id, 'task.failed', NEW.rollout_id, NEW.id,
    json_object(
      'type', 'task.failed',
      'timestamp', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
      'data', json_object(
        'rollout', json_object(
          'id', r.id, 'kind', r.kind, 'status', r.status, 'user', coalesce(r.run_by, r.created_by),
          'createdBy', r.created_by, 'runBy', r.run_by, 'createdAt', r.created_at,
          'rolloutStartedAt', r.rollout_started_at, 'rolloutFinishedAt', r.rollout_finished_at,
          'rollbackStartedAt', r.rollback_started_at, 'rollbackFinishedAt', r.rollback_finished_at),
        'task', json_object('id', NEW.id, 'type', NEW.type, 'state', json(NEW.state), 'error', NEW.run_error, 'failedAt', NEW.run_failed_at))),
    CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM webhook w JOIN rollout r ON r.id = NEW.rollout_id
  WHERE w.disabled_at IS NULL AND EXISTS (SELECT 1 FROM json_each(w.events) WHERE value IN ('task.failed', '*'));
END;
--> statement-breakpoint
CREATE TRIGGER outbox_approval_requested AFTER UPDATE OF waiting_at ON task
WHEN NEW.waiting_at IS NOT NULL AND OLD.waiting_at IS NULL
BEGIN
  INSERT INTO outbox (webhook_id, event, rollout_id, task_id, payload, created_at, next_attempt_at)
  SELECT w.id, 'approval.requested', NEW.rollout_id, NEW.id,
    json_object(
      'type', 'approval.requested',
      'timestamp', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
      'data', json_object(
        'rollout', json_object(
          'id', r.id, 'kind', r.kind, 'status', r.status, 'user', coalesce(r.run_by, r.created_by),
          'createdBy', r.created_by, 'runBy', r.run_by, 'createdAt', r.created_at,
          'rolloutStartedAt', r.rollout_started_at, 'rolloutFinishedAt', r.rollout_finished_at,
          'rollbackStartedAt', r.rollback_started_at, 'rollbackFinishedAt', r.rollback_finished_at),
        'task', json_object('id', NEW.id, 'type', NEW.type, 'state', json(NEW.state), 'title', json_extract(NEW.state, '$.title'), 'waitingSince', NEW.waiting_at))),
    CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM webhook w JOIN rollout r ON r.id = NEW.rollout_id
  WHERE w.disabled_at IS NULL AND EXISTS (SELECT 1 FROM json_each(w.events) WHERE value IN ('approval.requested', '*'));
END;

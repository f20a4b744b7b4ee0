-- When rollouts may run (issue 21): freeze windows (deny, or allow: deploys only
-- then) an admin defines, one-off or recurring in a time zone; a rollout's
-- override of them (who and why) and its scheduled run. The runner reads these
-- rows: the database stays the only channel.
CREATE TABLE `freeze` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`reason` text NOT NULL DEFAULT '',
	`mode` text NOT NULL DEFAULT 'deny' CHECK (`mode` IN ('deny', 'allow')),
	`kinds` text,
	`starts_at` integer,
	`ends_at` integer,
	`rrule` text,
	`cron` text,
	`duration_ms` integer,
	`time_zone` text NOT NULL DEFAULT 'UTC',
	`created_by` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `rollout` ADD `freeze_override` text;
--> statement-breakpoint
ALTER TABLE `rollout` ADD `scheduled_at` integer;
--> statement-breakpoint
ALTER TABLE `rollout` ADD `scheduled_by` text;
--> statement-breakpoint
ALTER TABLE `rollout` ADD `schedule_note` text;
--> statement-breakpoint
CREATE INDEX `rollout_scheduled_idx` ON `rollout` (`scheduled_at`) WHERE `scheduled_at` IS NOT NULL;
--> statement-breakpoint
-- rollout.frozen: paused by a freeze (beside rollout.paused, which any pause sends).
CREATE TRIGGER outbox_rollout_frozen AFTER UPDATE OF paused_reason ON rollout
WHEN NEW.status = 'paused' AND json_extract(NEW.paused_reason, '$.kind') = 'freeze'
  AND (OLD.paused_reason IS NULL OR json_extract(OLD.paused_reason, '$.kind') IS NOT 'freeze')
BEGIN
  INSERT INTO outbox (webhook_id, event, rollout_id, task_id, payload, created_at, next_attempt_at)
  SELECT w.id, 'rollout.frozen', NEW.id, NULL,
    json_object(
      'type', 'rollout.frozen',
      'timestamp', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
      'data', json_object(
        'rollout', json_object(
          'id', NEW.id, 'kind', NEW.kind, 'status', NEW.status, 'user', coalesce(NEW.run_by, NEW.created_by),
          'createdBy', NEW.created_by, 'runBy', NEW.run_by, 'createdAt', NEW.created_at,
          'rolloutStartedAt', NEW.rollout_started_at, 'pausedReason', json(NEW.paused_reason)))),
    CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM webhook w
  WHERE w.disabled_at IS NULL AND EXISTS (SELECT 1 FROM json_each(w.events) WHERE value IN ('rollout.frozen', '*'));
END;
--> statement-breakpoint
-- schedule.skipped: a scheduled run that did not start (its plan changed, a freeze, an approval missing).
CREATE TRIGGER outbox_schedule_skipped AFTER UPDATE OF schedule_note ON rollout
WHEN NEW.schedule_note IS NOT NULL AND NEW.schedule_note IS NOT OLD.schedule_note
BEGIN
  INSERT INTO outbox (webhook_id, event, rollout_id, task_id, payload, created_at, next_attempt_at)
  SELECT w.id, 'schedule.skipped', NEW.id, NULL,
    json_object(
      'type', 'schedule.skipped',
      'timestamp', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
      'data', json_object(
        'rollout', json_object('id', NEW.id, 'kind', NEW.kind, 'status', NEW.status, 'createdBy', NEW.created_by, 'createdAt', NEW.created_at),
        'schedule', json(NEW.schedule_note))),
    CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM webhook w
  WHERE w.disabled_at IS NULL AND EXISTS (SELECT 1 FROM json_each(w.events) WHERE value IN ('schedule.skipped', '*'));
END;
--> statement-breakpoint
-- A queue per kind (issue 21): when a queued run was accepted, its place (move to front lowers it),
-- the kind's limit it waits under, and which newer rollout superseded it.
ALTER TABLE `rollout` ADD `queued_at` integer;
--> statement-breakpoint
ALTER TABLE `rollout` ADD `queue_rank` integer;
--> statement-breakpoint
ALTER TABLE `rollout` ADD `queue_limit` integer;
--> statement-breakpoint
ALTER TABLE `rollout` ADD `superseded_by` integer;
--> statement-breakpoint
CREATE INDEX `rollout_queue_idx` ON `rollout` (`kind`, `queue_rank`) WHERE `status` = 'queued';
--> statement-breakpoint
CREATE TRIGGER outbox_rollout_queued AFTER UPDATE OF status ON rollout
WHEN NEW.status IS NOT OLD.status AND NEW.status IN ('queued', 'superseded')
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
          'queuedAt', NEW.queued_at, 'supersededBy', NEW.superseded_by))),
    CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM webhook w
  WHERE w.disabled_at IS NULL AND EXISTS (SELECT 1 FROM json_each(w.events) WHERE value IN ('rollout.' || NEW.status, '*'));
END;

-- Health analysis (issue 20): one row per analysis run (a step's attempt, or a
-- background analysis), one per measurement. A verdict of failed or inconclusive
-- writes the webhook event in the same statement (a trigger), as 0005 does.
CREATE TABLE `analysis_run` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`rollout_id` integer NOT NULL REFERENCES `rollout`(`id`) ON DELETE cascade,
	`task_id` integer,
	`attempt` integer DEFAULT 0 NOT NULL,
	`name` text NOT NULL,
	`spec` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`verdict` text CHECK (`verdict` IN ('successful', 'failed', 'inconclusive')),
	`why` text,
	`metrics` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `analysis_run_key` ON `analysis_run` (`rollout_id`, COALESCE(`task_id`, -1), `attempt`, `name`);
--> statement-breakpoint
CREATE TABLE `analysis_measurement` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` integer NOT NULL REFERENCES `analysis_run`(`id`) ON DELETE cascade,
	`metric` text NOT NULL,
	`at` integer NOT NULL,
	`value` text,
	`outcome` text NOT NULL CHECK (`outcome` IN ('successful', 'failed', 'inconclusive', 'error')),
	`message` text,
	`counters` text
);
--> statement-breakpoint
CREATE INDEX `analysis_measurement_run_idx` ON `analysis_measurement` (`run_id`, `id`);
--> statement-breakpoint
CREATE TRIGGER outbox_analysis_verdict AFTER UPDATE OF verdict ON analysis_run
WHEN NEW.verdict IN ('failed', 'inconclusive') AND OLD.verdict IS NULL
BEGIN
  INSERT INTO outbox (webhook_id, event, rollout_id, task_id, payload, created_at, next_attempt_at)
  SELECT w.id, 'analysis.' || NEW.verdict, NEW.rollout_id, NEW.task_id,
    json_object(
      'type', 'analysis.' || NEW.verdict,
      'timestamp', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
      'data', json_object(
        'rollout', json_object(
          'id', r.id, 'kind', r.kind, 'status', r.status, 'user', coalesce(r.run_by, r.created_by),
          'createdBy', r.created_by, 'runBy', r.run_by, 'createdAt', r.created_at,
          'rolloutStartedAt', r.rollout_started_at, 'rolloutFinishedAt', r.rollout_finished_at,
          'rollbackStartedAt', r.rollback_started_at, 'rollbackFinishedAt', r.rollback_finished_at),
        'analysis', json_object('id', NEW.id, 'taskId', NEW.task_id, 'name', NEW.name, 'verdict', NEW.verdict, 'why', NEW.why,
          'metrics', json(NEW.metrics)))),
    CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM webhook w JOIN rollout r ON r.id = NEW.rollout_id
  WHERE w.disabled_at IS NULL AND EXISTS (SELECT 1 FROM json_each(w.events) WHERE value IN ('analysis.' || NEW.verdict, '*'));
END;

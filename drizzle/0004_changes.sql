-- The change feed for live pages: every change to a rollout, its tasks, its
-- signals and decisions appends a row here, in the same transaction (triggers,
-- so no code path can forget it). The id is a cursor that needs no clocks to
-- agree: SQLite commits one writer at a time, so ids grow in commit order.
-- (No AUTOINCREMENT: a rowid above the current largest is cheaper and as
-- monotonic, as long as the newest row is never deleted; pruning keeps it.)
CREATE TABLE `change` (
	`id` integer PRIMARY KEY NOT NULL,
	`rollout_id` integer NOT NULL,
	`task_id` integer,
	`kind` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `change_rollout_idx` ON `change` (`rollout_id`,`id`);
--> statement-breakpoint
CREATE TRIGGER change_task AFTER UPDATE ON task
BEGIN
  INSERT INTO change (rollout_id, task_id, kind) VALUES (NEW.rollout_id, NEW.id, 'task');
END;
--> statement-breakpoint
CREATE TRIGGER change_rollout AFTER UPDATE OF status, hidden, config, finalised_at, run_by, rollout_started_at, rollout_finished_at,
  rollback_started_at, rollback_finished_at, lease_owner, heartbeat_at, paused_at, paused_reason ON rollout
BEGIN
  INSERT INTO change (rollout_id, task_id, kind) VALUES (NEW.id, NULL, CASE WHEN NEW.finalised_at IS NOT OLD.finalised_at THEN 'plan' ELSE 'rollout' END);
END;
--> statement-breakpoint
CREATE TRIGGER change_signal AFTER INSERT ON signal
BEGIN
  INSERT INTO change (rollout_id, task_id, kind) VALUES (NEW.rollout_id, NULL, 'signal');
END;
--> statement-breakpoint
CREATE TRIGGER change_decision AFTER INSERT ON decision
BEGIN
  INSERT INTO change (rollout_id, task_id, kind) VALUES (NEW.rollout_id, NEW.task_id, 'decision');
END;

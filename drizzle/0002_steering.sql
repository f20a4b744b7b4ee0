-- Steering a running rollout by hand (pause/resume, approvals, retry/skip, retry rollback).
ALTER TABLE `rollout` ADD `paused_at` integer;
--> statement-breakpoint
ALTER TABLE `rollout` ADD `paused_reason` text;
--> statement-breakpoint
ALTER TABLE `task` ADD `attempts` text;
--> statement-breakpoint
ALTER TABLE `task` ADD `paused_ms` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
ALTER TABLE `task` ADD `waiting_at` integer;
--> statement-breakpoint
ALTER TABLE `task` ADD `skipped_at` integer;
--> statement-breakpoint
CREATE TABLE `decision` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`rollout_id` integer NOT NULL,
	`task_id` integer,
	`action` text NOT NULL,
	`by` text,
	`comment` text,
	`at` integer NOT NULL,
	`handled_at` integer,
	FOREIGN KEY (`rollout_id`) REFERENCES `rollout`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `decision_rollout_idx` ON `decision` (`rollout_id`,`id`);

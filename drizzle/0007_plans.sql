-- Every plan a rollout was finalised with (config and the generated tree's shape), oldest first:
-- what changed at each finalise can be shown exactly. Written in the same batch as finalise.
CREATE TABLE `plan` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`rollout_id` integer NOT NULL REFERENCES `rollout`(`id`) ON DELETE cascade,
	`finalised_at` integer NOT NULL,
	`config` text NOT NULL,
	`tree` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `plan_rollout_idx` ON `plan` (`rollout_id`,`id`);

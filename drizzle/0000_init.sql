CREATE TABLE `instance` (
	`id` text PRIMARY KEY NOT NULL,
	`host` text NOT NULL,
	`pid` integer NOT NULL,
	`started_at` integer NOT NULL,
	`heartbeat_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`rollout_id` integer NOT NULL,
	`task_id` integer,
	`stream` text NOT NULL,
	`at` integer NOT NULL,
	`line` text NOT NULL,
	FOREIGN KEY (`rollout_id`) REFERENCES `rollout`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `log_stream_idx` ON `log` (`rollout_id`,`task_id`,`stream`,`id`);--> statement-breakpoint
CREATE TABLE `process` (
	`pgid` integer NOT NULL,
	`host` text NOT NULL,
	`instance_id` text NOT NULL,
	`rollout_id` integer NOT NULL,
	`task_id` integer NOT NULL,
	`started_at` integer NOT NULL,
	PRIMARY KEY(`host`, `pgid`)
);
--> statement-breakpoint
CREATE TABLE `rollout` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`config` text NOT NULL,
	`status` text DEFAULT 'not_started' NOT NULL,
	`hidden` integer DEFAULT false NOT NULL,
	`created_by` text,
	`run_by` text,
	`created_at` integer NOT NULL,
	`finalised_at` integer,
	`rollout_started_at` integer,
	`rollout_finished_at` integer,
	`rollback_started_at` integer,
	`rollback_finished_at` integer,
	`lease_owner` text,
	`lease_expires_at` integer,
	`heartbeat_at` integer
);
--> statement-breakpoint
CREATE INDEX `rollout_status_idx` ON `rollout` (`status`);--> statement-breakpoint
CREATE INDEX `rollout_hidden_id_idx` ON `rollout` (`hidden`,`id`);--> statement-breakpoint
CREATE TABLE `signal` (
	`rollout_id` integer NOT NULL,
	`name` text NOT NULL,
	`sent_by` text,
	`sent_at` integer NOT NULL,
	PRIMARY KEY(`rollout_id`, `name`),
	FOREIGN KEY (`rollout_id`) REFERENCES `rollout`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `task` (
	`rollout_id` integer NOT NULL,
	`id` integer NOT NULL,
	`parent_id` integer,
	`position` integer DEFAULT 0 NOT NULL,
	`type` text NOT NULL,
	`state` text NOT NULL,
	`run_started_at` integer,
	`run_finished_at` integer,
	`run_result` text,
	`run_failed_at` integer,
	`run_error` text,
	`run_trace` text,
	`revert_started_at` integer,
	`revert_finished_at` integer,
	`revert_result` text,
	`revert_failed_at` integer,
	`revert_error` text,
	`revert_trace` text,
	PRIMARY KEY(`rollout_id`, `id`),
	FOREIGN KEY (`rollout_id`) REFERENCES `rollout`(`id`) ON UPDATE no action ON DELETE cascade
);

CREATE TABLE `audit` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`user` text,
	`role` text,
	`via` text NOT NULL,
	`token_name` text,
	`action` text NOT NULL,
	`outcome` text DEFAULT 'ok' NOT NULL,
	`rollout_id` integer,
	`task_id` integer,
	`kind` text,
	`comment` text,
	`address` text
);
--> statement-breakpoint
CREATE INDEX `audit_at_idx` ON `audit` (`at`);
--> statement-breakpoint
CREATE INDEX `audit_rollout_idx` ON `audit` (`rollout_id`,`id`);
--> statement-breakpoint
CREATE INDEX `audit_user_idx` ON `audit` (`user`,`id`);
--> statement-breakpoint
CREATE TRIGGER `audit_no_update` BEFORE UPDATE ON `audit`
BEGIN
  SELECT RAISE(ABORT, 'audit rows are never changed');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_no_delete` BEFORE DELETE ON `audit`
BEGIN
  SELECT RAISE(ABORT, 'audit rows are never deleted');
END;
--> statement-breakpoint
CREATE TABLE `api_token` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`hash` text NOT NULL,
	`role` text NOT NULL,
	`user` text NOT NULL,
	`user_groups` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer,
	`revoked_by` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_token_hash_unique` ON `api_token` (`hash`);
--> statement-breakpoint
CREATE INDEX `api_token_user_idx` ON `api_token` (`user`);
--> statement-breakpoint
CREATE TABLE `kind_lock` (
	`kind` text PRIMARY KEY NOT NULL,
	`reason` text NOT NULL,
	`locked_by` text,
	`locked_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `session` (
	`id` text PRIMARY KEY NOT NULL,
	`user` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`ended_at` integer
);

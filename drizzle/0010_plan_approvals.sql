-- Approvals of a plan before it runs (a class's requiresApproval): each decision is
-- bound to the hash of the plan it was given on, so a changed plan needs approving
-- again. Who finalised each plan, for four eyes.
ALTER TABLE `plan` ADD `finalised_by` text;
--> statement-breakpoint
CREATE TABLE `plan_decision` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`rollout_id` integer NOT NULL REFERENCES `rollout`(`id`) ON DELETE cascade,
	`plan_hash` text NOT NULL,
	`decision` text NOT NULL CHECK (`decision` IN ('approve', 'reject')),
	`by` text,
	`at` integer NOT NULL,
	`comment` text
);
--> statement-breakpoint
CREATE INDEX `plan_decision_rollout_idx` ON `plan_decision` (`rollout_id`,`plan_hash`);
--> statement-breakpoint
-- Live pages hear of a plan decision as of any other decision (the change feed, 0004).
CREATE TRIGGER change_plan_decision AFTER INSERT ON plan_decision
BEGIN
  INSERT INTO change (rollout_id, task_id, kind) VALUES (NEW.rollout_id, NULL, 'decision');
END;

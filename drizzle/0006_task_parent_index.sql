-- Children of a task in order, for paging a big tree's groups and finding leaves.
CREATE INDEX `task_parent_idx` ON `task` (`rollout_id`,`parent_id`,`position`);

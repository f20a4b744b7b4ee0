-- Every task transition is fenced by the runner's lease: EXISTS (a rollout row
-- with this id and lease_owner). lease_owner sits after config in the row, so
-- with a sequence of N tasks (config ~16 bytes a task) each fence walked the
-- config's overflow pages: O(N) per transition, a growing share of a sequence's
-- time. rollout_lease_idx holds (lease_owner, rowid): the fence reads the index
-- alone. lease_owner changes only when a runner claims or lets go, never per task.
CREATE INDEX `rollout_lease_idx` ON `rollout` (`lease_owner`);

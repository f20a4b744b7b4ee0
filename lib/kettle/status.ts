// Statuses, as in KETTLE.md. A task's status is derived from its records.
export const taskStatuses = [
  "not_started",
  "started",
  "waiting",
  "finished",
  "failed",
  "skipped",
  "rolling_back",
  "rolled_back",
  "revert_failed",
] as const;
export type TaskStatus = (typeof taskStatuses)[number];

export const rolloutStatuses = [
  "not_started",
  "started",
  "paused",
  "aborting_rollout",
  "terminating_rollout",
  "finished",
  "rolling_back",
  "aborting_rollback",
  "terminating_rollback",
  "rolled_back",
  "rollback_failed",
  // A queue per kind (issue 21): accepted while the kind is at its limit, started when a slot frees;
  // superseded: a newer queued rollout of a "newest" kind replaced it (terminal).
  "queued",
  "superseded",
] as const;
export type RolloutStatus = (typeof rolloutStatuses)[number];

/** Statuses in which a runner owns the rollout and is working on it. */
export const activeStatuses: RolloutStatus[] = [
  "started",
  "paused",
  "aborting_rollout",
  "terminating_rollout",
  "rolling_back",
  "aborting_rollback",
  "terminating_rollback",
];
export const runPhaseStatuses: RolloutStatus[] = ["started", "paused", "aborting_rollout", "terminating_rollout"];
export const rollbackPhaseStatuses: RolloutStatus[] = ["rolling_back", "aborting_rollback", "terminating_rollback"];

export type TaskRecords = {
  runStartedAt: number | null;
  runFinishedAt: number | null;
  runFailedAt: number | null;
  revertStartedAt: number | null;
  revertFinishedAt: number | null;
  revertFailedAt: number | null;
  /** Set while an approval gate waits for a person. */
  waitingAt?: number | null;
  /** Set when an operator skipped the failed task. */
  skippedAt?: number | null;
};

export function taskStatus(r: TaskRecords): TaskStatus {
  if (r.revertFailedAt) return "revert_failed";
  if (r.revertFinishedAt) return "rolled_back";
  if (r.revertStartedAt) return "rolling_back";
  if (r.skippedAt) return "skipped";
  if (r.runFailedAt) return "failed";
  if (r.runFinishedAt) return "finished";
  if (r.waitingAt) return "waiting";
  if (r.runStartedAt) return "started";
  return "not_started";
}

// The shapes of what pages and the API read: a rollout (its header and its
// tree), a task and its records. Types only; views.ts builds them.
import type { Progress } from "./progress";
import type { PausedReason } from "../store/decisions";
import type { PlanApprovalView } from "./plan-approval";
import type { RolloutStatus, TaskStatus } from "../status";
import type { SignalName } from "../signals";
import type { TaskDecision } from "../authoring/phases";
import type { Attempt } from "../authoring/task";
import type { Outlook } from "./outlook";

export type Config = Record<string, unknown>;

/** A run or revert record. Over HTTP, fields with nothing recorded are left out. */
export type RecordView = {
  startedAt?: number | null;
  finishedAt?: number | null;
  result?: string | null;
  failedAt?: number | null;
  error?: string | null;
  trace?: string | null;
};

export type TaskView = {
  id: number;
  type: string;
  description: string;
  progress?: string | null;
  status: TaskStatus;
  state: Record<string, unknown>;
  run: RecordView;
  revert: RecordView;
  /** Every attempt of the run, the current one last (one for a task that ran once). */
  attempts?: Attempt[];
  /** Time the rollout was paused while this run went on (left out when none). */
  pausedMs?: number;
  /** The retry policy's number of attempts, when the task has one. */
  maxAttempts?: number;
  /** The decisions that can be made about this task now (approve / reject, retry / skip). */
  decisions?: TaskDecision[];
  children: TaskView[];
  /** In a summary: how many children the task has, when `children` holds only some (or none) of them. */
  childCount?: number;
};

/** An approval gate that waits: how many approvals it needs, from whom, which it has, and how long it may still wait. */
export type GateView = {
  approvals: number;
  fourEyes: boolean;
  approvers: string[];
  given: { by: string | null; at: number; comment?: string }[];
  /** Unpaused time left before onTimeout applies; null without a timeout. */
  timeoutLeftMs: number | null;
  onTimeout: "reject" | "approve" | "pause";
};

export type DecisionView = { at: number; by: string | null; action: string; taskId?: number; comment?: string };

export type RolloutSummary = {
  id: number;
  kind: string;
  status: RolloutStatus;
  hidden: boolean;
  user: string | null;
  createdBy: string | null;
  runBy: string | null;
  createdAt: number;
  finalisedAt: number | null;
  rolloutStartedAt: number | null;
  rolloutFinishedAt: number | null;
  rollbackStartedAt: number | null;
  rollbackFinishedAt: number | null;
  /** An admin's override of the freeze windows for this rollout (issue 21), or null. */
  freezeOverride: { by: string | null; reason: string; at: number } | null;
  /** A scheduled run: when (epoch ms), who scheduled it; null when none is pending. */
  schedule: { at: number; by: string | null } | null;
  /** Why its scheduled run did not start (the plan changed, a freeze, an approval missing), or null. */
  scheduleSkipped: { at: number; scheduledFor: number; reason: string; diff?: unknown } | null;
  /** While queued: since when; and the rollout that superseded it (status superseded). */
  queuedAt: number | null;
  supersededBy: number | null;
};


/** Everything about a rollout but its tasks: what a change event carries whole. */
export type RolloutHeader = RolloutSummary & Outlook & {
  title: string;
  config: Config;
  info: string[];
  progress: Progress;
  signals: {
    sent: { name: string; sentBy: string | null; sentAt: number }[];
    available: { name: SignalName; description: string; dangerous: boolean }[];
  };
  runner: { owner: string | null; heartbeatAt: number | null; leaseExpiresAt: number | null; silent: boolean; waiting: boolean };
  /** Why the rollout is paused (null unless `paused`): a pause signal and who sent it, a failed or interrupted task, a monitor. */
  pausedReason: (PausedReason & { since: number | null }) | null;
  /** Every decision made about this rollout (pause, resume, approve, reject, retry, skip, retry_rollback), oldest first. */
  decisions: DecisionView[];
  /** Tasks waiting for a person: approval gates, and failed tasks the run is paused on. */
  /** Where the approval of its plan stands (its kind's requiresApproval), while it has not run; null otherwise. */
  planApproval: PlanApprovalView | null;
  waitingFor: { taskId: number; kind: "approval" | "failure"; title: string; error?: string | null; approval?: GateView }[];
  /** While queued: its place in its kind's queue (1: next to start) and the kind's limit. */
  queue: { position: number; limit: number } | null;
  canRetryRollback: boolean;
  canEdit: boolean;
  canRun: { ok: boolean; reason: string | null };
  /** Where the page should refresh itself (ms), or null when the rollout is done. */
  refreshMs: number | null;
  now: number;
};

export type RolloutView = RolloutHeader & {
  /** The tree: whole, or in a summary only the first screenful and the way to what runs now (see `childCount`). */
  tasks: TaskView | null;
  /** "summary" when `tasks` holds only part of the tree. */
  tasksShown: "all" | "summary";
};

/**
 * The view a live page holds: all but the config, which the page does not show
 * and which can be megabytes (a 100 000-task fixture's is 1.4 MB): the page and
 * its event stream leave it out. GET /api/rollouts/{id} has it.
 */
export type LiveView = Omit<RolloutView, "config">;

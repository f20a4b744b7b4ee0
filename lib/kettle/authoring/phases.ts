// The rules of a rollout's phases, apart from walking the tree: what a failure
// leads to (roll back, or pause for a decision), how often a task is tried,
// which tasks may simply carry on after a restart, and what is done with a
// rollout that a restart interrupted.
//
//   not_started → started ⇄ paused → finished
//                 started/paused → aborting/terminating_rollout → rolling_back → rolled_back | rollback_failed
//                 rollback_failed → (retry rollback) → rolling_back
import type { Task } from "./task";
import type { RolloutClass } from "./rollout";

/** What people decide about one task: an approval gate's answer, or what to do with a failed task. */
export const taskDecisions = ["approve", "reject", "retry", "skip"] as const;
export type TaskDecision = (typeof taskDecisions)[number];
export const isTaskDecision = (s: string): s is TaskDecision => (taskDecisions as readonly string[]).includes(s);

/** What a failing task does to the run: roll everything back (the default, as the original), or pause for a decision. */
export type OnFailure = "rollback" | "pause";
export const onFailureOf = (cls: RolloutClass): OnFailure => (cls.onFailure === "pause" ? "pause" : "rollback");

/**
 * A failure that pauses for a decision (retry, skip, roll back) whatever the class's
 * onFailure says: a kind says which of its failures do (an inconclusive analysis).
 */
export function pausesOnFailure(task: Task, message: string | null): boolean {
  const says = (task.constructor as { pausesOn?: (message: string) => boolean }).pausesOn;
  return task.children.length === 0 && message !== null && typeof says === "function" && says(message);
}

/**
 * How often a failing run is tried before it counts as failed. The wait before
 * attempt n+1 is backoffMs · 2^(n-1), capped at maxBackoffMs.
 */
export type RetryPolicy = { attempts: number; backoffMs?: number; maxBackoffMs?: number };

/** A task's retry policy: its state's `retry` when set, else its kind's `static retry`. */
export function retryPolicyOf(task: Task): RetryPolicy | null {
  const own = (task.state as { retry?: unknown }).retry;
  const policy = (isPolicy(own) ? own : (task.constructor as { retry?: unknown }).retry) as RetryPolicy | undefined;
  return isPolicy(policy) && policy.attempts > 1 ? policy : null;
}

const isPolicy = (p: unknown): p is RetryPolicy => typeof p === "object" && p !== null && Number.isFinite((p as RetryPolicy).attempts);

export function backoffMs(policy: RetryPolicy, failedAttempt: number): number {
  const base = Math.max(0, policy.backoffMs ?? 1000);
  return Math.min(base * 2 ** (failedAttempt - 1), policy.maxBackoffMs ?? 5 * 60_000);
}

/**
 * May this task carry on after a restart? Delays, approval gates and the groups
 * say so (`static resumable = true`), as may any user kind; the rollout class's
 * `resumeAfterCrash` says it for all of its tasks.
 */
export function isResumable(task: Task, cls: RolloutClass): boolean {
  return !!cls.resumeAfterCrash || (task.constructor as { resumable?: boolean }).resumable === true;
}

/** What a runner that takes a rollout over does with a run that was interrupted. */
export type Recovery =
  /** Every interrupted task can carry on: carry on. */
  | { plan: "resume" }
  /** Some cannot: they are marked failed, and the run pauses on them for a decision (onFailure "pause"). */
  | { plan: "pause"; failed: Task[] }
  /** Some cannot: they are marked failed and everything that ran is rolled back (onFailure "rollback"), or kept (skip_rollback). */
  | { plan: "stop"; failed: Task[] };

export function recoveryOf(tasks: Task[], cls: RolloutClass): Recovery {
  const interrupted = tasks.filter((t) => t.status === "started" || t.status === "waiting");
  const cannot = interrupted.filter((t) => !isResumable(t, cls));
  if (!cannot.length) return { plan: "resume" };
  // Only a task without children can wait for a decision; a group carries on with its children.
  if (onFailureOf(cls) === "pause" && cannot.every((t) => t.children.length === 0)) return { plan: "pause", failed: cannot };
  return { plan: "stop", failed: interrupted };
}

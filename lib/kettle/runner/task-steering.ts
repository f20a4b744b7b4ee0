// Where one task waits on the pause or on people, on the runner's side: its
// start (held while the run is paused), an approval gate, and what its failure
// leads to (another attempt after a backoff, or a pause until someone retries
// or skips it). Each transition is recorded before the task goes on.
// steering.ts holds the pause and the decision inbox these wait on.
import type { Db } from "../store/db";
import type { Task, TaskContext } from "../authoring/task";
import type { TaskRecorder } from "../store/task-recorder";
import { pauseByOwner, unpauseByOwner, type PausedReason } from "../store/decisions";
import type { LogWriter } from "../store/logs";
import type { Steering } from "./steering";
import type { ExecutionSignals, RolloutLog } from "./execution-signals";
import { backoffMs, pausesOnFailure, type OnFailure, type RetryPolicy } from "../authoring/phases";
import { now } from "../clock";

/** What a task's steering reaches of the execution it belongs to. */
export type TaskSteeringHost = {
  db: Db;
  rolloutId: number;
  owner: string;
  onFailure: OnFailure;
  recorder: TaskRecorder;
  logs: LogWriter;
  steering: Steering;
  signals: ExecutionSignals;
  log: RolloutLog;
};

/**
 * A failed task tried again: when the new attempt started, and the attempts counted
 * against its retry policy so far (a retry decided by someone counts afresh).
 */
export type NextAttempt = { startedAt: number; tries: number };

/** A retry's wait, as its log line says it: 850 ms, 2 s, 1.5 s. */
const formatMs = (ms: number) => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`);

export class TaskSteering {
  /** Tasks a restart interrupted that cannot carry on: with onFailure "pause" they wait for a decision. */
  private readonly interrupted = new Set<number>();

  constructor(private readonly host: TaskSteeringHost) {}

  /** Records a task's start once the run is not paused; refuses when the run is stopping. */
  async start(task: Task): Promise<number> {
    const { run, detached } = this.host.signals;
    const stops = [run.abort.signal, run.term.signal, detached.signal];
    for (;;) {
      if (this.host.steering.isPaused) await this.host.steering.gate(...stops); // (no await otherwise: see runStartedAt below)
      if (task.records.runStartedAt) throw new Error(`Task ${task.id} (${task.description()}) has already run`);
      this.host.signals.assertAttached();
      // No new task starts once the run is stopping (abort, term, or a task failed).
      if (run.term.signal.aborted || run.abort.signal.aborted) {
        throw new Error(`Task ${task.id} (${task.description()}) not started: the run is stopping (${this.host.signals.stopCause ?? (run.term.signal.aborted ? "term" : "abort")})`);
      }
      const at = now();
      task.records.runStartedAt = at; // at once, so that a second run, even a concurrent one, is refused
      if ((await this.host.recorder.startedUnlessPaused(task, at)) === "ok") {
        this.host.logs.write(this.host.rolloutId, task.id, "run", "Started");
        return at;
      }
      task.records.runStartedAt = null;
      this.host.steering.setPaused(true, null); // paused a moment ago: wait for the resume like the others
    }
  }

  /**
   * What a failed attempt (the `tries`th counted against `policy`) leads to: another
   * attempt after the policy's backoff; with onFailure "pause", for a task without
   * children, a pause until someone retries or skips it. Null, without an await, when
   * the task fails for good, so that the caller stops the run before anything else starts.
   */
  afterFailure(task: Task, message: string, policy: RetryPolicy | null, tries: number): Promise<NextAttempt | "skipped" | null> | null {
    const { run } = this.host.signals;
    if (run.abort.signal.aborted || run.term.signal.aborted) return null;
    const retries = policy !== null && tries < policy.attempts;
    const pauses = (this.host.onFailure === "pause" && task.children.length === 0) || pausesOnFailure(task, message);
    return retries || pauses ? this.tryAgain(task, message, retries ? policy : null, tries, pauses) : null;
  }

  private async tryAgain(task: Task, message: string, policy: RetryPolicy | null, tries: number, pauses: boolean): Promise<NextAttempt | "skipped" | null> {
    const { run } = this.host.signals;
    if (policy) {
      const wait = backoffMs(policy, tries);
      this.host.logs.write(this.host.rolloutId, task.id, "run", `Attempt ${tries} of ${policy.attempts} failed; trying again in ${formatMs(wait)}`);
      if (await this.host.steering.sleep(wait, run.abort.signal, run.term.signal)) {
        return { startedAt: await this.nextAttempt(task, `of ${policy.attempts} (automatic retry)`), tries };
      }
    }
    if (pauses && !(run.abort.signal.aborted || run.term.signal.aborted)) {
      const decision = await this.decideOnFailure(task, message);
      if (decision === "retry") {
        const startedAt = await this.nextAttempt(task, "(retried by a decision)");
        await this.afterDecision(task);
        return { startedAt, tries: 0 };
      }
      if (decision === "skip") {
        const at = now();
        await this.host.recorder.skipped(task, at);
        task.records.skippedAt = at;
        this.host.logs.write(this.host.rolloutId, task.id, "run", "Skipped: the run carries on as if this task had finished");
        await this.afterDecision(task);
        return "skipped";
      }
    }
    return null;
  }

  /** A task a restart interrupted that cannot carry on: recorded as failed, so that onFailure decides what follows. */
  async markInterrupted(task: Task, who: string): Promise<void> {
    const at = now();
    const message = `Interrupted: ${who} stopped while this task ran`;
    await this.host.recorder.failed(task, "run", at, message, null);
    Object.assign(task.records, { runFailedAt: at, runError: message });
    this.host.logs.write(this.host.rolloutId, task.id, "run", message);
    this.interrupted.add(task.id!);
  }

  /** An approval gate (ctx.waitForApproval): the task shows as waiting until someone approves or rejects it. */
  async waitForApproval(task: Task, log: (line: string) => void, timeoutMs?: number): ReturnType<TaskContext["waitForApproval"]> {
    const { run, detached } = this.host.signals;
    if (run.abort.signal.aborted || run.term.signal.aborted) throw new Error("The run is stopping: no approval asked");
    if (!task.records.waitingAt) {
      const at = now();
      await this.host.recorder.waiting(task, at);
      task.records.waitingAt = at;
    }
    await this.host.logs.flush(); // so whoever sees the task waiting finds why in its log
    const d = await this.host.steering.waitFor(task.id!, ["approve", "reject"], [run.abort.signal, run.term.signal, detached.signal], timeoutMs);
    this.host.signals.assertAttached();
    if (!d && (run.abort.signal.aborted || run.term.signal.aborted)) {
      log("Stopped while waiting for approval");
      throw new Error("The run stopped while this task waited for approval");
    }
    return d ? { approved: d.action === "approve", by: d.by, comment: d.comment } : null;
  }

  /** ctx.pause: the run pauses for a person, as pause_rollout would, naming the task; a run already paused or stopping stays as it is. */
  async pauseFor(task: Task, reason: string): Promise<void> {
    const { db, rolloutId, owner, signals, steering } = this.host;
    const paused: PausedReason = { kind: "task", message: `Task ${task.id} (${task.description()}): ${reason}`, taskId: task.id! };
    if (await pauseByOwner(db, rolloutId, owner, paused, now())) {
      steering.setPaused(true, null);
      this.host.log("rollout", `${paused.message}; paused until someone resumes it`);
      await this.host.logs.flush();
    } else {
      await signals.poll();
      signals.assertAttached();
    }
  }

  /** Starts a new attempt of a failed task, keeping the last one among its attempts. */
  private async nextAttempt(task: Task, why: "(retried by a decision)" | `of ${number} (automatic retry)`): Promise<number> {
    const r = task.records;
    const attempts = [...r.attempts, { startedAt: r.runStartedAt!, finishedAt: r.runFinishedAt, failedAt: r.runFailedAt, error: r.runError }];
    const at = now();
    await this.host.recorder.newAttempt(task, attempts, at);
    Object.assign(r, { attempts, runStartedAt: at, runFinishedAt: null, runResult: null, runFailedAt: null, runError: null, runTrace: null, pausedMs: 0, waitingAt: null });
    this.interrupted.delete(task.id!);
    this.host.logs.write(this.host.rolloutId, task.id, "run", `--- Attempt ${attempts.length + 1} ${why} ---`);
    return at;
  }

  /**
   * onFailure "pause": the run pauses on the failed task until someone retries it,
   * skips it, or rolls back (abort_rollout / term_rollout). "rollback" also when the
   * run was already stopping.
   */
  private async decideOnFailure(task: Task, message: string): Promise<"retry" | "skip" | "rollback"> {
    const { db, rolloutId, owner, signals, steering } = this.host;
    const interrupted = this.interrupted.has(task.id!);
    const asks = !interrupted && pausesOnFailure(task, message); // an analysis that needs a person: not a failure
    const reason: PausedReason = {
      kind: interrupted ? "interrupted" : asks ? "task" : "failure",
      message: `Task ${task.id} (${task.description()}) ${interrupted ? "was interrupted by a restart" : asks ? message : `failed: ${message}`}`,
      taskId: task.id!,
    };
    if (!(await pauseByOwner(db, rolloutId, owner, reason, now()))) {
      await signals.poll();
      signals.assertAttached();
      return "rollback"; // the run is stopping already
    }
    steering.setPaused(true, null);
    this.host.log("rollout", `${reason.message}; paused until someone retries it, skips it or rolls back`);
    await this.host.logs.flush();
    const d = await steering.waitFor(task.id!, ["retry", "skip"], [signals.run.abort.signal, signals.run.term.signal, signals.detached.signal]);
    signals.assertAttached();
    return d ? (d.action as "retry" | "skip") : "rollback";
  }

  /** After a retry or skip is recorded: mark the decision handled and end the pause, unless another task still waits. */
  private async afterDecision(task: Task): Promise<void> {
    const { db, rolloutId, owner, signals, steering } = this.host;
    await steering.settle(task.id!);
    if (await unpauseByOwner(db, rolloutId, owner, now())) steering.setPaused(false, null);
    else await signals.poll();
  }
}

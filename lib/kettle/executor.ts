// Walks one rollout's tree: runs the root (monitors beside it), stops on
// abort/term, then reverts what started. Every transition is committed before
// the next step starts. Cancellation reaches tasks as AbortSignals.
import os from "node:os";
import type { Db } from "./store/db";
import { Task, type TaskContext } from "./task";
import { ExecutionContext, type ContextHost } from "./task-context";
import type { RolloutClass } from "./rollout";
import { TaskRecorder, LeaseLost, type Phase } from "./store/task-recorder";
import { endPhase, insertSignal, renewLease, signalsAndOwner, type RolloutRow } from "./store/rollouts";
import { pause, pauseByOwner, unhandledDecisions, unpauseByOwner, type PausedReason } from "./store/decisions";
import { Steering } from "./steering";
import { backoffMs, onFailureOf, recoveryOf, retryPolicyOf, type OnFailure } from "./phases";
import { LogWriter } from "./store/logs";
import { describeError, KettleError } from "./errors";
import { now } from "./clock";
import { runPhaseStatuses, rollbackPhaseStatuses, type RolloutStatus } from "./status";
import type { SignalName } from "./signals";
import { Commands } from "./commands";
import { controller, raceTerm, sleep, taskSleep, UnderWay } from "./waiting";
import { startMonitors } from "./monitors";
import { countLeaseRenewal, observeTask } from "./metrics";

export type ExecutionOptions = {
  owner: string;
  leaseMs: number;
  signalPollMs: number;
  /** Set when this runner takes over from one that stopped mid-way. */
  takeoverFrom?: string | null;
};

/** How long the end of a run waits for its monitors to notice that it ended. */
const MONITOR_GRACE_MS = 2000;

type Outcome = { ok: true; result: unknown } | { ok: false; error: unknown; message: string };

const formatMs = (ms: number) => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`);

const asText = (value: unknown): string | null => {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
};

export class Execution {
  private readonly recorder: TaskRecorder;
  readonly logs: LogWriter;
  private readonly run = { abort: controller(), term: controller() };
  private readonly rollback = { abort: controller(), term: controller() };
  /** Fired when this runner must stop touching the rollout (lease lost, shutting down). */
  private readonly detached = controller();
  private seenSignals = new Set<string>();
  private skipRollback: string | null = null;
  /** What first stopped the run (a signal and who sent it, or a task failure), for the logs. */
  private stopCause: string | null = null;
  /** The same for the rollback (abort_rollback / term_rollback). */
  private rollbackStopCause: string | null = null;
  private rollbackFailed = false;
  /**
   * Task runs and reverts under way. On term a parent stops waiting for its children at once;
   * a phase then waits until every child has written its record, so that no record is written
   * after the rollout's status says it is done (nor refused for a lost lease).
   */
  private readonly tasksUnderWay = new UnderWay();
  /** Commands running now (ctx.exec), so that a term can wait until they are gone. */
  private readonly commands: Commands;
  private resuming = false;
  /** Tasks a restart interrupted that cannot carry on: with onFailure "pause" they wait for a decision. */
  private readonly interrupted = new Set<number>();
  private readonly steering: Steering;
  private readonly onFailure: OnFailure;
  private status: RolloutStatus;
  private readonly host = os.hostname();
  /** What the task contexts reach of this execution (see task-context.ts). */
  private readonly contextHost: ContextHost;

  constructor(
    private readonly db: Db,
    private readonly row: RolloutRow,
    private readonly cls: RolloutClass,
    private readonly root: Task,
    private readonly opts: ExecutionOptions,
  ) {
    this.recorder = new TaskRecorder(db, row.id, opts.owner);
    this.logs = new LogWriter(db);
    this.status = row.status as RolloutStatus;
    this.steering = new Steering(db, row.id, opts.owner, (line) => this.log("rollout", line));
    this.commands = new Commands(db, { host: this.host, instanceId: opts.owner, rolloutId: row.id });
    this.onFailure = onFailureOf(cls);
    this.contextHost = {
      rolloutId: row.id,
      writeLog: (taskId, phase, line) => this.logs.write(row.id, taskId, phase, line),
      runSleep: (ms, stops) => this.steering.sleep(ms, ...stops),
      pausedSince: () => this.steering.since,
      exec: (taskId, command, options, log, term) => this.commands.run(taskId, command, options, log, term),
      runTask: (child) => this.runTask(child),
      revertTask: (child) => this.revertTask(child),
      waitForApproval: (task, log, timeoutMs) => this.waitForApproval(task, log, timeoutMs),
    };
  }

  get rolloutId() {
    return this.row.id;
  }

  /** Stops this execution without recording anything more (shutdown or lost lease). */
  detach(reason: string): void {
    if (this.detached.signal.aborted) return;
    this.detached.abort(new LeaseLost(reason));
    this.run.term.abort();
    this.rollback.term.abort();
  }

  private log(stream: "rollout" | "rollback", line: string) {
    this.logs.write(this.row.id, null, stream, line);
  }

  async execute(): Promise<void> {
    const heartbeat = this.heartbeat();
    try {
      await this.pollSignals();
      if (this.opts.takeoverFrom !== undefined) await this.recover();
      if (runPhaseStatuses.includes(this.status)) await this.runPhase();
      if (rollbackPhaseStatuses.includes(this.status)) await this.rollbackPhase();
    } catch (e) {
      if (!(e instanceof LeaseLost) && !this.detached.signal.aborted) throw e;
    } finally {
      this.detach("execution ended");
      await heartbeat;
      await this.logs.flush().catch(() => {});
    }
  }

  // ---- phases ----

  private async runPhase() {
    const fresh = !this.root.records.runStartedAt;
    if (fresh) this.log("rollout", `Rollout started${this.row.runBy ? ` by ${this.row.runBy}` : ""} on ${this.host} (instance ${this.opts.owner})`);
    const monitors = startMonitors({
      rolloutId: this.row.id,
      config: this.row.config,
      monitors: this.cls.monitors ?? {},
      log: (line) => this.log("rollout", line),
      abort: (by) => this.sendOwnSignal("abort_rollout", by),
      pause: async (by, message) => {
        await pause(this.db, this.row.id, "pause_rollout", by, { kind: "monitor", message, by }, now(), message);
        await this.pollSignals();
      },
    });
    let failure: string | null = null;
    try {
      await this.runTask(this.root);
    } catch (e) {
      if (e instanceof LeaseLost) throw e;
      failure = describeError(e).message;
    } finally {
      // term stops waiting for tasks at once; their commands are being killed: let them go first.
      if (this.run.term.signal.aborted) await this.commandsGone("rollout");
      await this.tasksUnderWay.settled();
      monitors.stop.abort();
      // A monitor that ignores its signal must not hold the rollout up.
      const gave = controller();
      const settled = await Promise.race([monitors.done.then(() => true), sleep(MONITOR_GRACE_MS, gave.signal).then(() => false)]);
      gave.abort();
      if (!settled) this.log("rollout", `A monitor was still running ${MONITOR_GRACE_MS} ms after the run ended; no longer waiting for it`);
    }
    if (this.detached.signal.aborted) throw new LeaseLost("detached");
    await this.logs.flush();
    for (;;) {
      await this.pollSignals();
      const stopped = this.run.abort.signal.aborted || this.run.term.signal.aborted;
      const at = now();
      if (!failure && !stopped) {
        if (await endPhase(this.db, this.row.id, this.opts.owner, { status: "finished", at })) {
          this.status = "finished";
          this.log("rollout", "Rollout finished");
          await this.logs.flush(); // at once: whoever sees the status looks for this line
          return;
        }
        continue; // a stop signal arrived as we finished: read it and roll back
      }
      const cause = this.stopCause ?? (failure ? `a failure: ${failure}` : "a stop signal");
      if (this.skipRollback) {
        // The run stopped, and the operator asked to keep what was deployed: nothing is
        // reverted, so no rollback is recorded either; the rollout ends as finished.
        this.log("rollout", `Rollout stopped by ${cause}`);
        this.log("rollout", `No rollback: ${this.skipRollback}; the tasks that ran are kept as they are`);
        await this.logs.flush(); // before the status changes, so whoever sees it finds the reason
        await this.ensure(endPhase(this.db, this.row.id, this.opts.owner, { status: "finished", at, stopped: true }));
        this.status = "finished";
        return;
      }
      if (!(await endPhase(this.db, this.row.id, this.opts.owner, { status: "rolling_back", at, unlessSkipped: true }))) {
        await this.pollSignals();
        if (this.skipRollback) continue; // skip_rollback arrived just now: honour it
        throw new LeaseLost(`Lost the lease on rollout ${this.row.id}`);
      }
      this.log("rollout", `Rollout stopped by ${cause}; rolling back`);
      this.status = "rolling_back";
      return;
    }
  }

  private async rollbackPhase() {
    this.log("rollback", `Rollback started: reverting every task that started${this.resuming ? " (reverts already done are kept)" : ""}`);
    if (this.root.status !== "not_started") await this.revertTask(this.root);
    if (this.rollback.term.signal.aborted) await this.commandsGone("rollback");
    await this.tasksUnderWay.settled();
    if (this.detached.signal.aborted) throw new LeaseLost("detached");
    await this.logs.flush();
    const status = this.rollbackFailed ? "rollback_failed" : "rolled_back";
    const notReverted = [...this.root.walk()].filter((t) => t.children.length === 0 && t.records.runStartedAt && !t.records.revertFinishedAt).length;
    const left = notReverted ? `; ${notReverted} task(s) that ran are not reverted` : "";
    this.log(
      "rollback",
      this.rollbackStopCause
        ? `Rollback stopped by ${this.rollbackStopCause}${left}`
        : this.rollbackFailed
          ? `Rollback finished with errors${left}`
          : "Rollback finished",
    );
    await this.logs.flush();
    await this.ensure(endPhase(this.db, this.row.id, this.opts.owner, { status, at: now() }));
    this.status = status;
  }

  /**
   * After a crash or a handover: make the records tell the truth, then carry on.
   * Interrupted tasks that can resume (delays, approval gates, groups, kinds that
   * say so) simply carry on; any other is marked failed, and the rollout's
   * onFailure says what follows: a pause for a decision, or the rollback.
   */
  private async recover() {
    const who = this.opts.takeoverFrom ? `instance ${this.opts.takeoverFrom}` : "a runner that shut down";
    const inRun = runPhaseStatuses.includes(this.status);
    const tasks = [...this.root.walk()];
    const anyStarted = tasks.some((t) => t.records.runStartedAt);
    const stream = inRun ? "rollout" : "rollback";
    if (!anyStarted && inRun) return; // nothing ran yet: simply start
    this.log(stream, `Taken over by instance ${this.opts.owner} on ${this.host} from ${who}`);
    for (const task of tasks) {
      if (task.status === "rolling_back") {
        this.logs.write(this.row.id, task.id, "revert", `Interrupted: ${who} stopped during this revert; reverting again`);
        await this.recorder.resetRevert(task);
        Object.assign(task.records, { revertStartedAt: null });
      }
    }
    if (!inRun) {
      this.resuming = true; // reverts already done are kept
      return;
    }
    const recovery = recoveryOf(tasks, this.cls);
    this.resuming = true;
    if (recovery.plan === "resume") {
      this.log("rollout", "Resuming: finished tasks are kept, interrupted ones carry on, delays continue with the time left");
      return;
    }
    for (const task of recovery.failed) {
      const at = now();
      const message = `Interrupted: ${who} stopped while this task ran`;
      await this.recorder.failed(task, "run", at, message, null);
      Object.assign(task.records, { runFailedAt: at, runError: message });
      this.logs.write(this.row.id, task.id, "run", message);
      this.interrupted.add(task.id!);
    }
    if (recovery.plan === "pause" && !this.skipRollback) {
      this.log("rollout", `Resuming: ${recovery.failed.map((t) => `task ${t.id}`).join(", ")} cannot simply carry on, so the rollout pauses for a decision on it`);
      return;
    }
    this.resuming = false;
    if (this.skipRollback) {
      // The operator asked to keep what ran, whatever stops the run: a crash too.
      this.log("rollout", `Rollout interrupted; no rollback: ${this.skipRollback}; the tasks that ran are kept as they are`);
      await this.logs.flush();
      await this.ensure(endPhase(this.db, this.row.id, this.opts.owner, { status: "finished", at: now(), stopped: true }));
      this.status = "finished";
    } else {
      this.log("rollout", "Rollout interrupted; rolling back everything that started");
      await this.ensure(endPhase(this.db, this.row.id, this.opts.owner, { status: "rolling_back", at: now() }));
      this.status = "rolling_back";
    }
  }

  // ---- tasks ----

  private context(task: Task, phase: Phase, startedAt: number): TaskContext {
    const signals = phase === "run" ? this.run : this.rollback;
    return new ExecutionContext(this.contextHost, task, phase, startedAt, signals.abort.signal, signals.term.signal);
  }

  private async waitForApproval(task: Task, log: (line: string) => void, timeoutMs?: number) {
    if (this.run.abort.signal.aborted || this.run.term.signal.aborted) throw new Error("The run is stopping: no approval asked");
    if (!task.records.waitingAt) {
      const at = now();
      await this.recorder.waiting(task, at);
      task.records.waitingAt = at;
    }
    await this.logs.flush(); // so whoever sees the task waiting finds why in its log
    const d = await this.steering.waitFor(task.id!, ["approve", "reject"], [this.run.abort.signal, this.run.term.signal, this.detached.signal], timeoutMs);
    if (this.detached.signal.aborted) throw new LeaseLost("detached");
    if (!d && (this.run.abort.signal.aborted || this.run.term.signal.aborted)) {
      log("Stopped while waiting for approval");
      throw new Error("The run stopped while this task waited for approval");
    }
    return d ? { approved: d.action === "approve", by: d.by, comment: d.comment } : null;
  }

  /** Waits until every command killed by term has exited (SIGKILL comes after a short grace). */
  private async commandsGone(stream: "rollout" | "rollback") {
    if (this.commands.size) this.log(stream, `Waiting for ${this.commands.size} terminated command(s) to exit`);
    await this.commands.settled();
  }

  /** Runs a task and records it; throws when it fails. */
  runTask(task: Task): Promise<unknown> {
    return this.tasksUnderWay.add(this.runTaskNow(task));
  }

  /** Reverts a task that started and records it. Never throws (but a lost lease): says whether it worked. */
  revertTask(task: Task): Promise<boolean> {
    return this.tasksUnderWay.add(this.revertTaskNow(task));
  }

  private async runTaskNow(task: Task): Promise<unknown> {
    const r = task.records;
    if (this.resuming && (r.runFinishedAt || r.skippedAt)) return r.runResult;
    const awaitsDecision = this.resuming && task.status === "failed" && this.onFailure === "pause" && task.children.length === 0;
    if (r.runStartedAt && !(this.resuming && (task.status === "started" || task.status === "waiting")) && !awaitsDecision) {
      throw new Error(`Task ${task.id} (${task.description()}) has already run`);
    }
    if (this.detached.signal.aborted) throw new LeaseLost("detached");
    const policy = retryPolicyOf(task);
    let startedAt = r.runStartedAt;
    let outcome: Outcome | null = null;
    if (awaitsDecision) {
      outcome = { ok: false, error: new Error(r.runError ?? "failed"), message: r.runError ?? "failed" };
    } else if (startedAt) {
      this.logs.write(this.row.id, task.id, "run", "Running again after a takeover");
    } else {
      startedAt = await this.start(task);
    }
    // Each pass: one attempt (unless it already ended before a takeover), then what its failure leads to.
    for (let tries = awaitsDecision ? Infinity : 1; ; tries++) {
      outcome ??= await this.perform(task, "run", startedAt!);
      if (outcome.ok) return outcome.result;
      const stopping = () => this.run.abort.signal.aborted || this.run.term.signal.aborted;
      if (policy && tries < policy.attempts && !stopping()) {
        const wait = backoffMs(policy, tries);
        this.logs.write(this.row.id, task.id, "run", `Attempt ${tries} of ${policy.attempts} failed; trying again in ${formatMs(wait)}`);
        if (await this.steering.sleep(wait, this.run.abort.signal, this.run.term.signal)) {
          startedAt = await this.nextAttempt(task, `of ${policy.attempts} (automatic retry)`);
          outcome = null;
          continue;
        }
      }
      if (this.onFailure === "pause" && task.children.length === 0 && !stopping()) {
        const decision = await this.decideOnFailure(task, outcome.message);
        if (decision === "retry") {
          startedAt = await this.nextAttempt(task, "(retried by a decision)");
          await this.afterDecision(task);
          outcome = null;
          tries = 0;
          continue;
        }
        if (decision === "skip") {
          const at = now();
          await this.recorder.skipped(task, at);
          r.skippedAt = at;
          this.logs.write(this.row.id, task.id, "run", "Skipped: the run carries on as if this task had finished");
          await this.afterDecision(task);
          return null;
        }
      }
      if (task.children.length === 0) this.log("rollout", `Task ${task.id} (${task.description()}) failed: ${outcome.message}`);
      // A failing task stops the run: nothing new starts, delays end, running commands finish.
      if (!this.stopCause) {
        this.stopCause = `the failure of task ${task.id} (${task.description()}): ${outcome.message}`;
        this.run.abort.abort();
      }
      throw outcome.error;
    }
  }

  /** Records a task's start once the run is not paused; refuses when the run is stopping. */
  private async start(task: Task): Promise<number> {
    const stops = [this.run.abort.signal, this.run.term.signal, this.detached.signal];
    for (;;) {
      if (this.steering.isPaused) await this.steering.gate(...stops); // (no await otherwise: see runStartedAt below)
      if (task.records.runStartedAt) throw new Error(`Task ${task.id} (${task.description()}) has already run`);
      if (this.detached.signal.aborted) throw new LeaseLost("detached");
      // No new task starts once the run is stopping (abort, term, or a task failed).
      if (this.run.term.signal.aborted || this.run.abort.signal.aborted) {
        throw new Error(`Task ${task.id} (${task.description()}) not started: the run is stopping (${this.stopCause ?? (this.run.term.signal.aborted ? "term" : "abort")})`);
      }
      const at = now();
      task.records.runStartedAt = at; // at once, so that a second run, even a concurrent one, is refused
      if ((await this.recorder.startedUnlessPaused(task, at)) === "ok") {
        this.logs.write(this.row.id, task.id, "run", "Started");
        return at;
      }
      task.records.runStartedAt = null;
      this.steering.setPaused(true, null); // paused a moment ago: wait for the resume like the others
    }
  }

  /** Starts a new attempt of a failed task, keeping the last one among its attempts. */
  private async nextAttempt(task: Task, why: "(retried by a decision)" | `of ${number} (automatic retry)`): Promise<number> {
    const r = task.records;
    const attempts = [...r.attempts, { startedAt: r.runStartedAt!, finishedAt: r.runFinishedAt, failedAt: r.runFailedAt, error: r.runError }];
    const at = now();
    await this.recorder.newAttempt(task, attempts, at);
    Object.assign(r, { attempts, runStartedAt: at, runFinishedAt: null, runResult: null, runFailedAt: null, runError: null, runTrace: null, pausedMs: 0, waitingAt: null });
    this.interrupted.delete(task.id!);
    this.logs.write(this.row.id, task.id, "run", `--- Attempt ${attempts.length + 1} ${why} ---`);
    return at;
  }

  /**
   * onFailure "pause": the run pauses on the failed task until someone retries it,
   * skips it, or rolls back (abort_rollout / term_rollout). "rollback" also when the
   * run was already stopping.
   */
  private async decideOnFailure(task: Task, message: string): Promise<"retry" | "skip" | "rollback"> {
    const interrupted = this.interrupted.has(task.id!);
    const reason: PausedReason = {
      kind: interrupted ? "interrupted" : "failure",
      message: `Task ${task.id} (${task.description()}) ${interrupted ? "was interrupted by a restart" : `failed: ${message}`}`,
      taskId: task.id!,
    };
    if (!(await pauseByOwner(this.db, this.row.id, this.opts.owner, reason, now()))) {
      await this.pollSignals();
      if (this.detached.signal.aborted) throw new LeaseLost("detached");
      return "rollback"; // the run is stopping already
    }
    this.steering.setPaused(true, null);
    this.log("rollout", `${reason.message}; paused until someone retries it, skips it or rolls back`);
    await this.logs.flush();
    const d = await this.steering.waitFor(task.id!, ["retry", "skip"], [this.run.abort.signal, this.run.term.signal, this.detached.signal]);
    if (this.detached.signal.aborted) throw new LeaseLost("detached");
    return d ? (d.action as "retry" | "skip") : "rollback";
  }

  /** After a retry or skip is recorded: mark the decision handled and end the pause, unless another task still waits. */
  private async afterDecision(task: Task) {
    await this.steering.settle(task.id!);
    if (await unpauseByOwner(this.db, this.row.id, this.opts.owner, now())) this.steering.setPaused(false, null);
    else await this.pollSignals();
  }

  private async revertTaskNow(task: Task): Promise<boolean> {
    const r = task.records;
    if (!r.runStartedAt) throw new Error(`Task ${task.id} (${task.description()}) never ran: nothing to revert`);
    if (r.revertFinishedAt || r.revertFailedAt) {
      if (this.resuming) return !r.revertFailedAt;
      throw new Error(`Task ${task.id} (${task.description()}) has already been reverted`);
    }
    if (r.revertStartedAt && !this.resuming) throw new Error(`Task ${task.id} (${task.description()}) is already being reverted`);
    if (this.detached.signal.aborted) throw new LeaseLost("detached");
    // No new revert starts once the rollback is stopping (abort_rollback, term_rollback).
    if (this.rollback.term.signal.aborted || this.rollback.abort.signal.aborted) return false;
    const startedAt = now();
    r.revertStartedAt = startedAt; // at once, so that a second revert, even a concurrent one, is refused
    await this.recorder.started(task, "revert", startedAt);
    this.logs.write(this.row.id, task.id, "revert", "Revert started");
    const outcome = await this.perform(task, "revert", startedAt);
    if (outcome.ok) return true;
    this.rollbackFailed = true;
    if (task.children.length === 0) this.log("rollback", `Revert of task ${task.id} (${task.description()}) failed: ${outcome.message}`);
    return false;
  }

  /** Runs or reverts a started task, stopping at once on term, and records how it ended. */
  private async perform(task: Task, phase: Phase, startedAt: number): Promise<Outcome> {
    const run = phase === "run";
    const term = (run ? this.run : this.rollback).term.signal;
    const ctx = this.context(task, phase, startedAt);
    try {
      const result = await raceTerm(() => (run ? task.run(ctx) : task.revert(ctx)), term, run ? "Terminated by term_rollout" : "Terminated by term_rollback");
      const at = now();
      const text = asText(result);
      await this.recorder.finished(task, phase, at, text);
      observeTask(task.typeName ?? task.constructor.name, phase, true, at - startedAt); // metrics (issue 13)
      Object.assign(task.records, run ? { runFinishedAt: at, runResult: text } : { revertFinishedAt: at, revertResult: text });
      const done = run ? "Finished" : "Reverted";
      this.logs.write(this.row.id, task.id, phase, text === null ? done : `${done}: ${text}`);
      await this.steering.settle(task.id!); // an approval that let it finish
      return { ok: true, result };
    } catch (e) {
      if (e instanceof LeaseLost || this.detached.signal.aborted) throw e instanceof LeaseLost ? e : new LeaseLost("detached");
      const { message, trace } = describeError(e);
      const at = now();
      await this.recorder.failed(task, phase, at, message, trace);
      observeTask(task.typeName ?? task.constructor.name, phase, false, at - startedAt); // metrics (issue 13)
      Object.assign(
        task.records,
        run ? { runFailedAt: at, runError: message, runTrace: trace } : { revertFailedAt: at, revertError: message, revertTrace: trace },
      );
      this.logs.write(this.row.id, task.id, phase, `${run ? "Failed" : "Revert failed"}: ${message}`);
      await this.steering.settle(task.id!); // a rejection that failed it
      return { ok: false, error: e, message };
    }
  }

  // ---- monitors, signals, lease ----

  private async sendOwnSignal(name: SignalName, by: string) {
    try {
      await insertSignal(this.db, this.row.id, name, by, now());
    } catch (e) {
      if (!(e instanceof KettleError)) throw e; // already sent or no longer available: fine
    }
    await this.pollSignals();
  }

  /** Reads the signals from the database and fires the matching AbortControllers. */
  async pollSignals(): Promise<void> {
    const [{ owner, status, pausedAt, signals: rows }, decisions] = await Promise.all([
      signalsAndOwner(this.db, this.row.id),
      unhandledDecisions(this.db, this.row.id),
    ]);
    // Someone else took the rollout over (we were silent too long): stop at once, write nothing more.
    if (owner !== this.opts.owner) this.detach("lease lost");
    for (const s of rows) {
      if (this.seenSignals.has(s.name)) continue;
      this.seenSignals.add(s.name);
      const from = s.sentBy ? ` from ${s.sentBy}` : "";
      const rollbackSignal = s.name === "abort_rollback" || s.name === "term_rollback";
      this.log(rollbackSignal ? "rollback" : "rollout", `Signal ${s.name} received${from}`);
      const cause = `${s.name}${from}`;
      if (s.name === "abort_rollout" || s.name === "term_rollout") this.stopCause ??= cause;
      if (s.name === "abort_rollback" || s.name === "term_rollback") this.rollbackStopCause ??= cause;
      if (s.name === "abort_rollout") this.run.abort.abort();
      if (s.name === "term_rollout") this.run.term.abort();
      if (s.name === "skip_rollback") this.skipRollback = cause;
      if (s.name === "abort_rollback") this.rollback.abort.abort();
      if (s.name === "term_rollback") this.rollback.term.abort();
    }
    if (status && !this.detached.signal.aborted) await this.steering.observe(status, pausedAt, decisions);
  }

  /** Renews the lease and watches for signals until the execution ends. */
  private async heartbeat() {
    const renewEvery = Math.max(100, Math.floor(this.opts.leaseMs / 3));
    let lastRenew = now();
    while (!this.detached.signal.aborted) {
      await sleep(this.opts.signalPollMs, this.detached.signal);
      if (this.detached.signal.aborted) break;
      try {
        await this.pollSignals();
        if (now() - lastRenew >= renewEvery) {
          lastRenew = now();
          if (!(await renewLease(this.db, this.row.id, this.opts.owner, lastRenew, this.opts.leaseMs))) {
            this.detach("lease lost");
          } else countLeaseRenewal(); // metrics (issue 13)
        }
      } catch {
        // A passing database error: try again next beat; the lease covers the gap.
      }
    }
  }

  private async ensure(ok: Promise<boolean>) {
    if (!(await ok)) throw new LeaseLost(`Lost the lease on rollout ${this.row.id}`);
  }
}

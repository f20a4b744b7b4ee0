// Walks one rollout's tree: runs the root (monitors beside it), stops on
// abort/term, then reverts what started. Every transition is committed before
// the next step starts. Cancellation reaches tasks as AbortSignals.
//
// Around it: execution-signals.ts (stop signals, heartbeat, lease),
// task-steering.ts (a task's start, approvals, what its failure leads to),
// run-end.ts (how a run ends), takeover.ts (the records made true again after
// a crash or a handover).
import os from "node:os";
import type { Db } from "../store/db";
import { Task, type TaskContext } from "../authoring/task";
import { ExecutionContext, type ContextHost } from "./task-context";
import type { RolloutClass } from "../authoring/rollout";
import { TaskRecorder, LeaseLost, type Phase } from "../store/task-recorder";
import { endPhase, type RolloutRow } from "../store/rollouts";
import { pause } from "../store/decisions";
import { Steering } from "./steering";
import { TaskSteering } from "./task-steering";
import { ExecutionSignals, type LivenessOptions, type RolloutLog } from "./execution-signals";
import { onFailureOf, pausesOnFailure, retryPolicyOf, type OnFailure } from "../authoring/phases";
import { recover } from "./takeover";
import { endRun } from "./run-end";
import { LogWriter } from "../store/logs";
import { describeError } from "../errors";
import { now } from "../clock";
import { runPhaseStatuses, rollbackPhaseStatuses, type RolloutStatus } from "../status";
import { Commands } from "./commands";
import { UnderWay } from "./waiting";
import { startMonitors, stopMonitors } from "./monitors";
import { stepAnalysisHost, type AnalysisDeps } from "./analysis-host";
import { startBackgroundAnalyses } from "./background-analysis";
import { leavesOfSequences } from "../authoring/tasks/sequential";
import { watchFreezes } from "./freeze-watch";
import { perform, type Outcome, type PerformHost } from "./perform";
import { freezeFacts } from "../store/freezes";

export type ExecutionOptions = LivenessOptions & {
  /** Set when this runner takes over from one that stopped mid-way. */
  takeoverFrom?: string | null;
};


export class Execution {
  private readonly recorder: TaskRecorder;
  readonly logs: LogWriter;
  private readonly signals: ExecutionSignals;
  private readonly taskSteering: TaskSteering;
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
  private readonly steering: Steering;
  private readonly onFailure: OnFailure;
  private status: RolloutStatus;
  private readonly host = os.hostname();
  /** What the task contexts reach of this execution (see task-context.ts). */
  private readonly contextHost: ContextHost;
  private readonly log: RolloutLog = (stream, line) => this.logs.write(this.row.id, null, stream, line);
  /** Leaves whose run's end shares the commit of the next start (group-commit.ts). */
  private readonly carriedEnds: Set<Task>;

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
    this.signals = new ExecutionSignals(db, row.id, opts, this.steering, this.log);
    this.onFailure = onFailureOf(cls);
    this.carriedEnds = leavesOfSequences(root);
    const { onFailure, recorder, logs, steering, signals, log } = this;
    this.taskSteering = new TaskSteering({ db, rolloutId: row.id, owner: opts.owner, onFailure, recorder, logs, steering, signals, log });
    this.commands = new Commands(db, { host: this.host, instanceId: opts.owner, rolloutId: row.id });
    this.contextHost = {
      rolloutId: row.id,
      writeLog: (taskId, phase, line) => this.logs.write(row.id, taskId, phase, line),
      runSleep: (ms, stops) => this.steering.sleep(ms, ...stops),
      pausedSince: () => this.steering.since,
      exec: (taskId, command, options, log, term) => this.commands.run(taskId, command, options, log, term),
      runTask: (child) => this.runTask(child),
      revertTask: (child) => this.revertTask(child),
      waitForApproval: (task, log, timeoutMs) => this.taskSteering.waitForApproval(task, log, timeoutMs),
      pauseRun: (task, reason) => this.taskSteering.pauseFor(task, reason),
      analysis: (task, name, ctx) => stepAnalysisHost(this.analysisDeps, task, name, ctx, this.contextHost.runSleep),
    };
  }

  private get analysisDeps(): AnalysisDeps {
    return { db: this.db, rolloutId: this.row.id, config: this.row.config, measures: this.cls.measures ?? {}, rolloutLog: (line) => this.log("rollout", line) };
  }

  get rolloutId() {
    return this.row.id;
  }

  /** Stops this execution without recording anything more (shutdown or lost lease). */
  detach(reason: string): void {
    this.signals.detach(reason);
  }

  /** Reads the signals now instead of at the next beat (a signal was just sent in this process). */
  pollSignals(): Promise<void> {
    return this.signals.poll();
  }

  async execute(): Promise<void> {
    const heartbeat = this.signals.heartbeat();
    const { db, row, steering } = this;
    const freezes = watchFreezes({
      db, rolloutId: row.id, kind: row.kind, owner: this.opts.owner, steering,
      current: () => freezeFacts(db, row.id),
      log: (line) => this.log("rollout", line),
      stop: this.signals.detached.signal,
    });
    try {
      await this.signals.poll();
      await freezes.ready;
      if (this.opts.takeoverFrom !== undefined) {
        const { db, row, root, cls, host, log, logs, recorder, signals, taskSteering } = this;
        ({ resuming: this.resuming, status: this.status } = await recover(
          { db, rolloutId: row.id, owner: this.opts.owner, takeoverFrom: this.opts.takeoverFrom, host, root, cls, log, logs, recorder, signals, taskSteering },
          this.status,
        ));
      }
      if (runPhaseStatuses.includes(this.status)) await this.runPhase();
      if (rollbackPhaseStatuses.includes(this.status)) await this.rollbackPhase();
    } catch (e) {
      if (!(e instanceof LeaseLost) && !this.signals.detached.signal.aborted) throw e;
    } finally {
      this.detach("execution ended");
      await heartbeat;
      await freezes.done;
      await this.logs.flush().catch(() => {});
    }
  }

  // ---- phases ----

  private async runPhase() {
    const fresh = !this.root.records.runStartedAt;
    if (fresh) this.log("rollout", `Rollout started${this.row.runBy ? ` by ${this.row.runBy}` : ""} on ${this.host} (instance ${this.opts.owner})`);
    const watch = {
      rolloutId: this.row.id,
      config: this.row.config,
      log: (line: string) => this.log("rollout", line),
      abort: (by: string) => this.signals.sendOwn("abort_rollout", by),
      pause: async (by: string, message: string) => {
        await pause(this.db, this.row.id, "pause_rollout", by, { kind: "monitor", message, by }, now(), message);
        await this.signals.poll();
      },
    };
    const monitors = startMonitors({ ...watch, monitors: this.cls.monitors ?? {} });
    const analyses = startBackgroundAnalyses({ ...this.analysisDeps, ...watch, cls: this.cls }); // beside the run, as monitors
    const { run } = this.signals;
    let failure: string | null = null;
    try {
      await this.runTask(this.root);
    } catch (e) {
      if (e instanceof LeaseLost) throw e;
      failure = describeError(e).message;
    } finally {
      // term stops waiting for tasks at once; their commands are being killed: let them go first.
      if (run.term.signal.aborted) await this.commandsGone("rollout");
      await this.tasksUnderWay.settled();
      await stopMonitors(monitors, (line) => this.log("rollout", line));
      await stopMonitors(analyses, (line) => this.log("rollout", line));
    }
    this.signals.assertAttached();
    await this.logs.flush();
    const { db, log, logs, signals } = this;
    this.status = await endRun({ db, rolloutId: this.row.id, owner: this.opts.owner, log, logs, signals }, failure);
  }

  private async rollbackPhase() {
    this.log("rollback", `Rollback started: reverting every task that started${this.resuming ? " (reverts already done are kept)" : ""}`);
    if (this.root.status !== "not_started") await this.revertTask(this.root);
    if (this.signals.rollback.term.signal.aborted) await this.commandsGone("rollback");
    await this.tasksUnderWay.settled();
    this.signals.assertAttached();
    await this.logs.flush();
    const status = this.rollbackFailed ? "rollback_failed" : "rolled_back";
    const notReverted = [...this.root.walk()].filter((t) => t.children.length === 0 && t.records.runStartedAt && !t.records.revertFinishedAt).length;
    const left = notReverted ? `; ${notReverted} task(s) that ran are not reverted` : "";
    this.log(
      "rollback",
      this.signals.rollbackStopCause
        ? `Rollback stopped by ${this.signals.rollbackStopCause}${left}`
        : this.rollbackFailed
          ? `Rollback finished with errors${left}`
          : "Rollback finished",
    );
    await this.logs.flush();
    await this.signals.ensure(endPhase(this.db, this.row.id, this.opts.owner, { status, at: now() }));
    this.status = status;
  }

  // ---- tasks ----

  private context(task: Task, phase: Phase, startedAt: number): TaskContext {
    const stops = phase === "run" ? this.signals.run : this.signals.rollback;
    return new ExecutionContext(this.contextHost, task, phase, startedAt, stops.abort.signal, stops.term.signal);
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
    const awaitsDecision = this.resuming && task.status === "failed" && ((this.onFailure === "pause" && task.children.length === 0) || pausesOnFailure(task, r.runError));
    if (r.runStartedAt && !(this.resuming && (task.status === "started" || task.status === "waiting")) && !awaitsDecision) {
      throw new Error(`Task ${task.id} (${task.description()}) has already run`);
    }
    this.signals.assertAttached();
    const policy = retryPolicyOf(task);
    let startedAt = r.runStartedAt;
    let outcome: Outcome | null = null;
    if (awaitsDecision) {
      outcome = { ok: false, error: new Error(r.runError ?? "failed"), message: r.runError ?? "failed" };
    } else if (startedAt) {
      this.logs.write(this.row.id, task.id, "run", "Running again after a takeover");
    } else {
      startedAt = await this.taskSteering.start(task);
    }
    // Each pass: one attempt (unless it already ended before a takeover), then what its failure leads to.
    for (let tries = awaitsDecision ? Infinity : 1; ; tries++) {
      outcome ??= await this.perform(task, "run", startedAt!);
      if (outcome.ok) return outcome.result;
      const again = this.taskSteering.afterFailure(task, outcome.message, policy, tries);
      const next = again && (await again); // no await when the task failed for good: the run stops at once
      if (next === "skipped") return null;
      if (next) {
        ({ startedAt, tries } = next);
        outcome = null;
        continue;
      }
      if (task.children.length === 0) this.log("rollout", `Task ${task.id} (${task.description()}) failed: ${outcome.message}`);
      this.signals.stopRun(`the failure of task ${task.id} (${task.description()}): ${outcome.message}`);
      throw outcome.error;
    }
  }

  private async revertTaskNow(task: Task): Promise<boolean> {
    const r = task.records;
    if (!r.runStartedAt) throw new Error(`Task ${task.id} (${task.description()}) never ran: nothing to revert`);
    if (r.revertFinishedAt || r.revertFailedAt) {
      if (this.resuming) return !r.revertFailedAt;
      throw new Error(`Task ${task.id} (${task.description()}) has already been reverted`);
    }
    if (r.revertStartedAt && !this.resuming) throw new Error(`Task ${task.id} (${task.description()}) is already being reverted`);
    this.signals.assertAttached();
    const { rollback } = this.signals;
    // No new revert starts once the rollback is stopping (abort_rollback, term_rollback).
    if (rollback.term.signal.aborted || rollback.abort.signal.aborted) return false;
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

  private perform(task: Task, phase: Phase, startedAt: number): Promise<Outcome> {
    // Made once (a 10 000-task group performs 10 000 tasks).
    this.performHost ??= { rolloutId: this.row.id, signals: this.signals, recorder: this.recorder, logs: this.logs, steering: this.steering, carriedEnds: this.carriedEnds, context: (t, p, at) => this.context(t, p, at) };
    return perform(this.performHost, task, phase, startedAt);
  }
  private performHost?: PerformHost;

}

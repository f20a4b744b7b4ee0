// authoring/: what a rollout is made of (Task, Rollout, the built-in kinds in
// tasks/, gradualExec, the rollback order, the phase rules). What authors build
// on; it imports only the shared leaves (and ctx.exec's types from runner/exec).
//
// The Task base class and the context a task gets while it runs or reverts.
import type { TaskRecords, TaskStatus } from "../status";
import { taskStatus } from "../status";
import type { ExecOptions, ExecResult } from "../runner/exec";
import type { AnalysisHost } from "../analysis/run";

export type TaskState = Record<string, unknown>;

/** Marks tasks, so that `instanceof Task` holds across copies of this module (the web bundle's and the server's). */
const TASK_BRAND = Symbol.for("kettle.Task");

/**
 * What a task sees while it runs (or reverts). Modelled on Temporal's activity
 * context: cancellation arrives as AbortSignals the task can pass on.
 */
export interface TaskContext {
  /** Graceful stop (abort_rollout, or abort_rollback while reverting): finish what you are doing, start nothing new. */
  readonly abort: AbortSignal;
  /** Immediate stop (term_rollout / term_rollback): stop now. The engine stops waiting for the task at once. */
  readonly term: AbortSignal;
  /** "run" or "revert". */
  readonly phase: "run" | "revert";
  /** When this task's run (or revert) started; earlier than now when a resumed rollout picks it up again. */
  readonly startedAt: number;
  /** Appends a line to this task's run or revert log. */
  log(line: string): void;
  /**
   * How long this run (this attempt) has been going, not counting the time the rollout
   * was paused: lets a task resumed after a restart carry on with what is left.
   */
  activeMs(): number;
  /**
   * Waits, ending early on abort or term. Resolves true when the full time passed.
   * While the rollout is paused the time stops counting.
   */
  sleep(ms: number): Promise<boolean>;
  /**
   * Waits for a person to approve or reject this task (the task shows as `waiting`, with
   * Approve and Reject on the page). Null when `timeoutMs` passed first (paused time not
   * counted); throws when the run stops meanwhile.
   */
  waitForApproval(timeoutMs?: number): Promise<{ approved: boolean; by: string | null; comment: string | null } | null>;
  /**
   * Pauses the rollout for a person to look (as pause_rollout does, with `reason` shown on
   * the page): no new task starts and delays stop counting until someone resumes it. This
   * task carries on meanwhile.
   */
  pause(reason: string): Promise<void>;
  /**
   * The record of an analysis this task runs (AnalysisTask): each measurement is a row, so a
   * restart carries on from those taken; the rollout class's static measures; the engine's clock.
   * `name` tells several analyses of one task apart. Each attempt of the task starts afresh.
   */
  analysis(name: string): AnalysisHost;
  /** Runs a command, streaming its output into the log; throws on a non-zero exit; killed on term. */
  exec(command: string[], options?: ExecOptions): Promise<ExecResult>;
  /**
   * Runs a child task, recording it. For composite kinds. Throws if the child fails, if the run
   * is stopping (abort, term, or a task failed: no new task starts), or if the child already ran.
   */
  run(child: Task): Promise<unknown>;
  /**
   * Reverts a child task that started, recording it. For composite kinds. Resolves false when the
   * revert failed or was not started because the rollback is stopping; throws only when the child
   * never ran or was already reverted (a bug in the composite).
   */
  revert(child: Task): Promise<boolean>;
}

/**
 * One step of a rollout. Subclasses implement run (and usually revert) and keep
 * their parameters in `this.state`, a JSON object, because a task is rebuilt
 * from the database by type and state alone (its constructor is not called again).
 */
export abstract class Task<S extends TaskState = TaskState> {
  /** Set `static resumable = true` on a kind that may simply carry on after a restart (its run is safe to call again). */
  static resumable?: boolean;
  /** Set `static retry = { attempts: 3, backoffMs: 2000 }` to try a failing run again (a task's `state.retry` overrides it). */
  static retry?: { attempts: number; backoffMs?: number; maxBackoffMs?: number };

  state: S;
  children: Task[] = [];
  /** Set once stored. */
  id: number | null = null;
  /** The registered type name, set when rebuilt from the database. */
  typeName: string | null = null;
  records: TaskRecords & {
    runResult: string | null;
    runError: string | null;
    runTrace: string | null;
    revertResult: string | null;
    revertError: string | null;
    revertTrace: string | null;
    /** Earlier attempts of the run; the run* fields hold the current one. */
    attempts: Attempt[];
    /** Paused time during the current run. */
    pausedMs: number;
  } = emptyRecords();

  constructor(state: S, children: Task[] = []) {
    this.state = state;
    this.children = children;
  }

  abstract run(ctx: TaskContext): Promise<unknown> | unknown;

  /** Undo what run did. The default does nothing. */
  revert(_ctx: TaskContext): Promise<unknown> | unknown {
    return undefined;
  }

  /** The line shown for this task. The default is its kind's export name (class names may be minified in a production build). */
  description(): string {
    return this.typeName?.split(":").pop() ?? this.constructor.name;
  }

  /** What the description adds while the task runs (e.g. a countdown), given the time now. */
  progress(_now: number): string | null {
    return null;
  }

  /** The description with the progress in brackets while it runs: `Delay for 15 secs (14 secs left)`. */
  label(now: number): string {
    const progress = this.progress(now);
    return progress ? `${this.description()} (${progress})` : this.description();
  }

  get status(): TaskStatus {
    return taskStatus(this.records);
  }

  /** Every task of this subtree, parents before children. */
  *walk(): Generator<Task> {
    yield this;
    for (const child of this.children) yield* child.walk();
  }

  /**
   * `value instanceof Task` is true for a task made by any copy of this module: the
   * server loads rollouts/ once and the web bundle's copy of the engine uses those classes.
   * Subclasses keep the usual check.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    if (this !== Task) return Function.prototype[Symbol.hasInstance].call(this, value);
    // Branded through the prototype chain, but not the base prototype itself (of any copy).
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[TASK_BRAND] === true && !Object.hasOwn(value, TASK_BRAND);
  }
}
Object.defineProperty(Task.prototype, TASK_BRAND, { value: true });

/** A task's return value as its records keep it (runResult, revertResult): text as it is, anything else as JSON. */
export function resultText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** One try of a task's run. */
export type Attempt = { startedAt: number; finishedAt?: number | null; failedAt?: number | null; error?: string | null };

export function emptyRecords(): Task["records"] {
  return {
    attempts: [],
    pausedMs: 0,
    waitingAt: null,
    skippedAt: null,
    runStartedAt: null,
    runFinishedAt: null,
    runFailedAt: null,
    runResult: null,
    runError: null,
    runTrace: null,
    revertStartedAt: null,
    revertFinishedAt: null,
    revertFailedAt: null,
    revertResult: null,
    revertError: null,
    revertTrace: null,
  };
}

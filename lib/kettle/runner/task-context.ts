// The TaskContext a task gets for one run or revert. A big parallel group has
// thousands of these alive at once, so each is one small object: the methods
// are made when a task first reads them (a no-op reads none), not eleven
// closures up front, which were an eighth of what a 10 000-task group
// allocated. A method read once keeps working when taken off the object
// (`const { log } = ctx`).
import type { Task, TaskContext } from "../authoring/task";
import type { ExecOptions, ExecResult } from "./exec";
import type { Phase } from "../store/task-recorder";
import { taskSleep } from "./waiting";
import { now } from "../clock";
import type { AnalysisHost } from "../analysis/run";

/** What a context needs from the execution it belongs to. */
export interface ContextHost {
  readonly rolloutId: number;
  /** Writes a line to a task's run or revert log. */
  writeLog(taskId: number, phase: Phase, line: string): void;
  /** The run's sleep (time stops while paused), ending early on any of `stops`. */
  runSleep(ms: number, stops: AbortSignal[]): Promise<boolean>;
  /** When the current pause began, or null. */
  pausedSince(): number | null;
  exec(taskId: number, command: string[], options: ExecOptions, log: (line: string) => void, term: AbortSignal): Promise<ExecResult>;
  runTask(child: Task): Promise<unknown>;
  revertTask(child: Task): Promise<boolean>;
  waitForApproval(task: Task, log: (line: string) => void, timeoutMs?: number): ReturnType<TaskContext["waitForApproval"]>;
  pauseRun(task: Task, reason: string): Promise<void>;
  analysis(task: Task, name: string, ctx: TaskContext): AnalysisHost;
}

type Methods = Omit<TaskContext, "abort" | "term" | "phase" | "startedAt">;

export class ExecutionContext implements TaskContext {
  private made: Partial<Methods> = {};

  constructor(
    private readonly host: ContextHost,
    private readonly task: Task,
    readonly phase: Phase,
    readonly startedAt: number,
    readonly abort: AbortSignal,
    readonly term: AbortSignal,
  ) {}

  get log(): Methods["log"] {
    return (this.made.log ??= (line) => this.host.writeLog(this.task.id!, this.phase, line));
  }

  get activeMs(): Methods["activeMs"] {
    return (this.made.activeMs ??= () => {
      // Only a run pauses; the paused time so far is recorded, the current pause is not yet.
      if (this.phase !== "run") return now() - this.startedAt;
      const end = this.host.pausedSince() ?? now();
      return Math.max(0, end - this.startedAt - this.task.records.pausedMs);
    });
  }

  get sleep(): Methods["sleep"] {
    return (this.made.sleep ??= (ms) => (this.phase === "run" ? this.host.runSleep(ms, [this.abort, this.term]) : taskSleep(ms, this.abort, this.term)));
  }

  get exec(): Methods["exec"] {
    return (this.made.exec ??= (command, options) => this.host.exec(this.task.id!, command, options ?? {}, this.log, this.term));
  }

  get run(): Methods["run"] {
    return (this.made.run ??= (child) => this.host.runTask(child));
  }

  get revert(): Methods["revert"] {
    return (this.made.revert ??= (child) => this.host.revertTask(child));
  }

  get waitForApproval(): Methods["waitForApproval"] {
    return (this.made.waitForApproval ??= (timeoutMs) => this.host.waitForApproval(this.task, this.log, timeoutMs));
  }

  get analysis(): Methods["analysis"] {
    return (this.made.analysis ??= (name) => this.host.analysis(this.task, name, this));
  }

  get pause(): Methods["pause"] {
    return (this.made.pause ??= (reason) => this.host.pauseRun(this.task, reason));
  }
}

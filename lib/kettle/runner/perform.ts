// Runs or reverts one started task: stops at once on term, records how it ended
// (a sequence's leaf carries its end to the next start's commit), its log line,
// its metrics, and marks handled the decision that let it end.
import { resultText, type Task, type TaskContext } from "../authoring/task";
import { LeaseLost, type Phase, type TaskRecorder } from "../store/task-recorder";
import type { LogWriter } from "../store/logs";
import type { Steering } from "./steering";
import type { ExecutionSignals } from "./execution-signals";
import { describeError } from "../errors";
import { now } from "../clock";
import { raceTerm } from "./waiting";
import { observeTask } from "../outbound/metrics";

export type Outcome = { ok: true; result: unknown } | { ok: false; error: unknown; message: string };

/** What performing a task reaches of its execution. */
export type PerformHost = {
  rolloutId: number;
  signals: ExecutionSignals;
  recorder: TaskRecorder;
  logs: LogWriter;
  steering: Steering;
  carriedEnds: Set<Task>;
  context(task: Task, phase: Phase, startedAt: number): TaskContext;
};

/** Runs or reverts a started task, stopping at once on term, and records how it ended. */
export async function perform(h: PerformHost, task: Task, phase: Phase, startedAt: number): Promise<Outcome> {
  const run = phase === "run";
  const term = (run ? h.signals.run : h.signals.rollback).term.signal;
  const ctx = h.context(task, phase, startedAt);
  try {
    const result = await raceTerm(() => (run ? task.run(ctx) : task.revert(ctx)), term, run ? "Terminated by term_rollout" : "Terminated by term_rollback");
    const at = now();
    const text = resultText(result);
    // A sequence's leaf: its end is committed with the next start (nothing but that start depends on it).
    if (run && h.carriedEnds.has(task) && !h.steering.hasTaken(task.id!)) h.recorder.finishedCarried(task, at, text);
    else await h.recorder.finished(task, phase, at, text);
    observeTask(task.typeName ?? task.constructor.name, phase, true, at - startedAt); // metrics (issue 13)
    Object.assign(task.records, run ? { runFinishedAt: at, runResult: text } : { revertFinishedAt: at, revertResult: text });
    const done = run ? "Finished" : "Reverted";
    h.logs.write(h.rolloutId, task.id, phase, text === null ? done : `${done}: ${text}`);
    await h.steering.settle(task.id!); // an approval that let it finish
    return { ok: true, result };
  } catch (e) {
    if (e instanceof LeaseLost || h.signals.detached.signal.aborted) throw e instanceof LeaseLost ? e : new LeaseLost("detached");
    const { message, trace } = describeError(e);
    const at = now();
    await h.recorder.failed(task, phase, at, message, trace);
    observeTask(task.typeName ?? task.constructor.name, phase, false, at - startedAt); // metrics (issue 13)
    Object.assign(
      task.records,
      run ? { runFailedAt: at, runError: message, runTrace: trace } : { revertFailedAt: at, revertError: message, revertTrace: trace },
    );
    h.logs.write(h.rolloutId, task.id, phase, `${run ? "Failed" : "Revert failed"}: ${message}`);
    await h.steering.settle(task.id!); // a rejection that failed it
    return { ok: false, error: e, message };
  }
}

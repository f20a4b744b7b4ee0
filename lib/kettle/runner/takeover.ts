// After a crash or a handover: make the records tell the truth, then carry on.
// Interrupted tasks that can resume (delays, approval gates, groups, kinds that
// say so) simply carry on; any other is marked failed, and the rollout's
// onFailure says what follows: a pause for a decision, or the rollback.
import type { Db } from "../store/db";
import type { Task } from "../authoring/task";
import type { RolloutClass } from "../authoring/rollout";
import type { TaskRecorder } from "../store/task-recorder";
import type { LogWriter } from "../store/logs";
import { endPhase } from "../store/rollouts";
import type { ExecutionSignals, RolloutLog } from "./execution-signals";
import type { TaskSteering } from "./task-steering";
import { recoveryOf } from "../authoring/phases";
import { now } from "../clock";
import { runPhaseStatuses, type RolloutStatus } from "../status";

export type TakeoverHost = {
  db: Db;
  rolloutId: number;
  /** This runner. */
  owner: string;
  /** The runner it takes over from (null: one that shut down). */
  takeoverFrom: string | null | undefined;
  host: string;
  root: Task;
  cls: RolloutClass;
  log: RolloutLog;
  logs: LogWriter;
  recorder: TaskRecorder;
  signals: ExecutionSignals;
  taskSteering: TaskSteering;
};

/** What the execution goes on with: `resuming` keeps what already ran (and reverted); `status` is where the rollout now stands. */
export async function recover(h: TakeoverHost, status: RolloutStatus): Promise<{ resuming: boolean; status: RolloutStatus }> {
  const who = h.takeoverFrom ? `instance ${h.takeoverFrom}` : "a runner that shut down";
  const inRun = runPhaseStatuses.includes(status);
  const tasks = [...h.root.walk()];
  const anyStarted = tasks.some((t) => t.records.runStartedAt);
  const stream = inRun ? "rollout" : "rollback";
  if (!anyStarted && inRun) return { resuming: false, status }; // nothing ran yet: simply start
  h.log(stream, `Taken over by instance ${h.owner} on ${h.host} from ${who}`);
  for (const task of tasks) {
    if (task.status === "rolling_back") {
      h.logs.write(h.rolloutId, task.id, "revert", `Interrupted: ${who} stopped during this revert; reverting again`);
      await h.recorder.resetRevert(task);
      Object.assign(task.records, { revertStartedAt: null });
    }
  }
  if (!inRun) return { resuming: true, status }; // reverts already done are kept
  const recovery = recoveryOf(tasks, h.cls);
  if (recovery.plan === "resume") {
    h.log("rollout", "Resuming: finished tasks are kept, interrupted ones carry on, delays continue with the time left");
    return { resuming: true, status };
  }
  for (const task of recovery.failed) await h.taskSteering.markInterrupted(task, who);
  const { skipRollback } = h.signals;
  if (recovery.plan === "pause" && !skipRollback) {
    h.log("rollout", `Resuming: ${recovery.failed.map((t) => `task ${t.id}`).join(", ")} cannot simply carry on, so the rollout pauses for a decision on it`);
    return { resuming: true, status };
  }
  if (skipRollback) {
    // The operator asked to keep what ran, whatever stops the run: a crash too.
    h.log("rollout", `Rollout interrupted; no rollback: ${skipRollback}; the tasks that ran are kept as they are`);
    await h.logs.flush();
    await h.signals.ensure(endPhase(h.db, h.rolloutId, h.owner, { status: "finished", at: now(), stopped: true }));
    return { resuming: false, status: "finished" };
  }
  h.log("rollout", "Rollout interrupted; rolling back everything that started");
  await h.signals.ensure(endPhase(h.db, h.rolloutId, h.owner, { status: "rolling_back", at: now() }));
  return { resuming: false, status: "rolling_back" };
}

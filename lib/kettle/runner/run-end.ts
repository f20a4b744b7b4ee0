// How a run ends, once its tasks are done or stopped: finished; stopped and kept
// as it is (skip_rollback); or stopped and rolling back. Each is one guarded
// status change, read again when a signal arrives at the same moment.
import type { Db } from "../store/db";
import type { LogWriter } from "../store/logs";
import { endPhase } from "../store/rollouts";
import { LeaseLost } from "../store/task-recorder";
import type { ExecutionSignals, RolloutLog } from "./execution-signals";
import { now } from "../clock";

export type RunEndHost = { db: Db; rolloutId: number; owner: string; log: RolloutLog; logs: LogWriter; signals: ExecutionSignals };

/** Records the end of the run (`failure`: why a task failed, if one did); returns the rollout's new status. */
export async function endRun(h: RunEndHost, failure: string | null): Promise<"finished" | "rolling_back"> {
  const { run } = h.signals;
  for (;;) {
    await h.signals.poll();
    const stopped = run.abort.signal.aborted || run.term.signal.aborted;
    const at = now();
    if (!failure && !stopped) {
      if (await endPhase(h.db, h.rolloutId, h.owner, { status: "finished", at })) {
        h.log("rollout", "Rollout finished");
        await h.logs.flush(); // at once: whoever sees the status looks for this line
        return "finished";
      }
      continue; // a stop signal arrived as we finished: read it and roll back
    }
    const { skipRollback } = h.signals;
    const cause = h.signals.stopCause ?? (failure ? `a failure: ${failure}` : "a stop signal");
    if (skipRollback) {
      // The run stopped, and the operator asked to keep what was deployed: nothing is
      // reverted, so no rollback is recorded either; the rollout ends as finished.
      h.log("rollout", `Rollout stopped by ${cause}`);
      h.log("rollout", `No rollback: ${skipRollback}; the tasks that ran are kept as they are`);
      await h.logs.flush(); // before the status changes, so whoever sees it finds the reason
      await h.signals.ensure(endPhase(h.db, h.rolloutId, h.owner, { status: "finished", at, stopped: true }));
      return "finished";
    }
    if (!(await endPhase(h.db, h.rolloutId, h.owner, { status: "rolling_back", at, unlessSkipped: true }))) {
      await h.signals.poll();
      if (h.signals.skipRollback) continue; // skip_rollback arrived just now: honour it
      throw new LeaseLost(`Lost the lease on rollout ${h.rolloutId}`);
    }
    h.log("rollout", `Rollout stopped by ${cause}; rolling back`);
    return "rolling_back";
  }
}

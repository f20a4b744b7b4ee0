// Gradual rollouts over a list of items (hosts, shards): one item, a delay,
// up to half of all items, a delay, then the rest.
import type { Task } from "./task";
import { DelayTask, type DelayState } from "./tasks/delay";
import { ApprovalTask, type ApprovalState } from "./tasks/approval";
import { ParallelExecTask } from "./tasks/parallel";
import { SequentialExecTask } from "./tasks/sequential";
import { AnalysisTask, type AnalysisTaskState } from "./tasks/analysis";

/** The three waves: [first], [up to half of all], [the rest]; empty ones dropped. */
export function gradualGroups<T>(items: readonly T[]): T[][] {
  const half = Math.floor(items.length / 2);
  const groups = [items.slice(0, 1), items.slice(1, Math.max(1, half)), items.slice(Math.max(1, half))];
  return groups.filter((g) => g.length > 0);
}

/** Options of the gradual helpers. */
export type GradualOptions = {
  /**
   * An approval gate before each wave after the first: "instead-of-delay" replaces the
   * delay with it, "after-delay" asks once the delay has passed.
   */
  approval?: "instead-of-delay" | "after-delay";
  /** The approval gates' timeout and what it means (see ApprovalTask). */
  approvalTimeoutMinutes?: number;
  onApprovalTimeout?: ApprovalState["onTimeout"];
  /**
   * A health analysis (AnalysisTask's spec) after each wave, the last included: with the
   * delay, or instead of it when the delay is null. Its title says the wave.
   */
  analysis?: AnalysisTaskState;
};

function gradual<T>(items: readonly T[], makeTask: (item: T) => Task, delay: DelayState | null, group: (tasks: Task[]) => Task, options: GradualOptions): Task {
  const steps: Task[] = [];
  const waves = gradualGroups(items);
  for (const [i, items_] of waves.entries()) {
    if (steps.length) {
      if (delay && options.approval !== "instead-of-delay") steps.push(new DelayTask(delay));
      if (options.approval) {
        steps.push(
          new ApprovalTask({
            title: `Go on with wave ${i + 1} of ${waves.length} (${items_.length} item${items_.length === 1 ? "" : "s"})?`,
            timeoutMinutes: options.approvalTimeoutMinutes,
            onTimeout: options.onApprovalTimeout,
          }),
        );
      }
    }
    const tasks = items_.map(makeTask);
    steps.push(tasks.length === 1 ? tasks[0] : group(tasks));
    if (options.analysis) {
      const wave = `wave ${i + 1} of ${waves.length}`;
      steps.push(new AnalysisTask({ ...options.analysis, title: options.analysis.title ? `${options.analysis.title} (${wave})` : `Health after ${wave}` }));
    }
  }
  return new SequentialExecTask(steps);
}

/** Each wave of more than one item runs in parallel. `delay` null: no delay (with an approval gate instead). */
export function gradualExec<T>(items: readonly T[], makeTask: (item: T) => Task, delay: DelayState | null, options: GradualOptions = {}): Task {
  return gradual(items, makeTask, delay, (tasks) => new ParallelExecTask(tasks), options);
}

/** Like gradualExec, but each wave runs its items one after another. */
export function gradualSequentialExec<T>(items: readonly T[], makeTask: (item: T) => Task, delay: DelayState | null, options: GradualOptions = {}): Task {
  return gradual(items, makeTask, delay, (tasks) => new SequentialExecTask(tasks), options);
}

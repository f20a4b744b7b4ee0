// Gradual rollouts over a list of items (hosts, shards): one item, a delay,
// up to half of all items, a delay, then the rest.
import type { Task } from "./task";
import { DelayTask, type DelayState } from "./tasks/delay";
import { ParallelExecTask } from "./tasks/parallel";
import { SequentialExecTask } from "./tasks/sequential";

/** The three waves: [first], [up to half of all], [the rest]; empty ones dropped. */
export function gradualGroups<T>(items: readonly T[]): T[][] {
  const half = Math.floor(items.length / 2);
  const groups = [items.slice(0, 1), items.slice(1, Math.max(1, half)), items.slice(Math.max(1, half))];
  return groups.filter((g) => g.length > 0);
}

function gradual<T>(items: readonly T[], makeTask: (item: T) => Task, delay: DelayState, group: (tasks: Task[]) => Task): Task {
  const steps: Task[] = [];
  for (const items_ of gradualGroups(items)) {
    if (steps.length) steps.push(new DelayTask(delay));
    const tasks = items_.map(makeTask);
    steps.push(tasks.length === 1 ? tasks[0] : group(tasks));
  }
  return new SequentialExecTask(steps);
}

/** Each wave of more than one item runs in parallel. */
export function gradualExec<T>(items: readonly T[], makeTask: (item: T) => Task, delay: DelayState): Task {
  return gradual(items, makeTask, delay, (tasks) => new ParallelExecTask(tasks));
}

/** Like gradualExec, but each wave runs its items one after another. */
export function gradualSequentialExec<T>(items: readonly T[], makeTask: (item: T) => Task, delay: DelayState): Task {
  return gradual(items, makeTask, delay, (tasks) => new SequentialExecTask(tasks));
}

// The order in which a rollback reverts the tasks that started, described once:
// the composite kinds' revert() follow it (SequentialExecTask, ParallelExecTask
// call revertOrder()), and the rollback preview is built from it, so the two
// cannot disagree. Pure: reads only the tasks' records.
import type { Task } from "./task";
import type { TaskStatus } from "../status";

/** How a composite reverts its children: which ones, in what order, and whether all at once. */
export type RevertOrder = { children: Task[]; parallel: boolean };

/** A composite that says how it reverts its children. */
type Ordered = Task & { revertOrder(): RevertOrder };

const hasOrder = (task: Task): task is Ordered => typeof (task as Partial<Ordered>).revertOrder === "function";

/** The revert order of a composite kind, or null for a kind that reverts its children its own way (a user's composite). */
export function revertOrderOf(task: Task): RevertOrder | null {
  return hasOrder(task) ? task.revertOrder() : null;
}

/** The started children of a sequence, newest first: what SequentialExecTask reverts, one after another. */
export function sequentialRevertOrder(children: Task[]): RevertOrder {
  return { parallel: false, children: [...children].reverse().filter((c) => c.status !== "not_started") };
}

/** The started children of a parallel group, reverted all at once. */
export function parallelRevertOrder(children: Task[]): RevertOrder {
  return { parallel: true, children: children.filter((c) => c.status !== "not_started") };
}

/** One task to revert (a leaf, or a composite that reverts its children its own way: `own`). */
export type PreviewTask = { taskId: number; type: string; description: string; status: TaskStatus; own?: true };
/** A step of the preview: a task, tasks reverted at once (each branch a step or a sequence), or a sequence inside a parallel branch. */
export type PreviewStep = PreviewTask | { parallel: PreviewStep[] } | { sequence: PreviewStep[] };

export type RollbackPreview = {
  /** How many tasks would be reverted. */
  count: number;
  /** How many of them `steps` lists: the first PREVIEW_MAX in order (all when fewer). */
  shown: number;
  /** In order; a `parallel` step's branches are reverted at the same time. */
  steps: PreviewStep[];
  /** skip_rollback was sent: the run stops without reverting anything. */
  skipRollback: boolean;
};

/** The reverts a rollback starting now would make, in order (those already reverted are left out, as a resumed rollback does). */
export function revertSteps(task: Task): PreviewStep[] {
  if (task.status === "not_started") return [];
  const r = task.records;
  if (r.revertFinishedAt || r.revertFailedAt) return [];
  const order = task.children.length ? revertOrderOf(task) : null;
  if (!task.children.length || !order) {
    const leaf: PreviewTask = { taskId: task.id!, type: task.typeName ?? task.constructor.name, description: task.description(), status: task.status };
    if (task.children.length) leaf.own = true;
    return [leaf];
  }
  if (!order.parallel) return order.children.flatMap(revertSteps);
  const branches = order.children.map(revertSteps).filter((b) => b.length > 0);
  if (branches.length <= 1) return branches[0] ?? [];
  return [{ parallel: branches.map((b) => (b.length === 1 ? b[0] : { sequence: b })) }];
}

export function countSteps(steps: PreviewStep[]): number {
  let n = 0;
  for (const s of steps) n += "parallel" in s ? countSteps(s.parallel) : "sequence" in s ? countSteps(s.sequence) : 1;
  return n;
}

/** The tasks in the order the preview lists them (a parallel step's branches one after the other). */
export function previewTasks(steps: PreviewStep[]): PreviewTask[] {
  return steps.flatMap((s) => ("parallel" in s ? previewTasks(s.parallel) : "sequence" in s ? previewTasks(s.sequence) : [s]));
}

/** The preview lists at most this many tasks (the first to be reverted); `count` says how many in all. */
export const PREVIEW_MAX = 200;

/** The first `max` tasks of the steps, in order, keeping their grouping. */
export function firstSteps(steps: PreviewStep[], max: number): PreviewStep[] {
  let left = max;
  const cut = (ss: PreviewStep[]): PreviewStep[] => {
    const out: PreviewStep[] = [];
    for (const s of ss) {
      if (left <= 0) break;
      if ("parallel" in s) out.push({ parallel: cut(s.parallel) });
      else if ("sequence" in s) out.push({ sequence: cut(s.sequence) });
      else {
        out.push(s);
        left--;
      }
    }
    return out;
  };
  return cut(steps);
}

/** The rollback preview of a rollout whose whole tree is loaded. */
export function rollbackPreview(root: Task | null, skipRollback: boolean, max = PREVIEW_MAX): RollbackPreview {
  const all = root ? revertSteps(root) : [];
  const count = countSteps(all);
  const steps = count > max ? firstSteps(all, max) : all;
  return { count, shown: Math.min(count, max), steps, skipRollback };
}

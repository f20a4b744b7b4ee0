import { Task, type TaskContext } from "../task";
import { sequentialRevertOrder, type RevertOrder } from "../rollback-plan";

/** Runs children one after another, stopping before the next on abort or term. */
export class SequentialExecTask extends Task<Record<string, never>> {
  /** After a restart it carries on with its children. */
  static resumable = true;

  constructor(children: Task[]) {
    super({}, children);
  }

  async run(ctx: TaskContext) {
    for (const child of this.children) {
      if (ctx.abort.aborted || ctx.term.aborted) throw new Error(stopMessage(ctx));
      await ctx.run(child);
    }
  }

  /** Newest first, only the children that started: what revert() does and the rollback preview shows. */
  revertOrder(): RevertOrder {
    return sequentialRevertOrder(this.children);
  }

  /** Reverts, newest first, only the children that started. */
  async revert(ctx: TaskContext) {
    let failed = 0;
    for (const child of this.revertOrder().children) {
      if (ctx.abort.aborted || ctx.term.aborted) throw new Error(stopMessage(ctx));
      if (!(await ctx.revert(child))) failed++;
    }
    if (failed) throw new Error(`${failed} child task(s) failed to revert`);
  }

  description(): string {
    return "Execute in sequence:";
  }
}

/**
 * The leaves whose run's end may share a commit with what comes next (see
 * group-commit.ts, carry): children of a built-in sequence, whose next step is
 * the next child's start or the sequence's own end, both recorded. Not the root,
 * nor a child of any other composite (its code may act on the end at once).
 */
export function leavesOfSequences(root: Task): Set<Task> {
  const leaves = new Set<Task>();
  for (const t of root.walk()) if ((t.constructor as unknown) === SequentialExecTask) for (const c of t.children) if (!c.children.length) leaves.add(c);
  return leaves;
}

export function stopMessage(ctx: TaskContext): string {
  const verb = ctx.term.aborted ? "Terminated" : "Aborted";
  return ctx.phase === "run" ? `${verb}: no further tasks started` : `${verb}: rollback stopped`;
}

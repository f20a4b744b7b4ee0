import { Task, type TaskContext } from "../task";
import { stopMessage } from "./sequential";
import { parallelRevertOrder, type RevertOrder } from "../rollback-plan";

/** Starts all children at once and waits for all of them. */
export class ParallelExecTask extends Task<Record<string, never>> {
  /** After a restart it carries on with its children. */
  static resumable = true;

  constructor(children: Task[]) {
    super({}, children);
  }

  async run(ctx: TaskContext) {
    if (ctx.abort.aborted || ctx.term.aborted) throw new Error(stopMessage(ctx));
    const failures: unknown[] = []; // in the order they happened: the first is usually the cause of the others
    await Promise.allSettled(this.children.map((child) => ctx.run(child).catch((e) => failures.push(e))));
    if (failures.length) {
      const first = failures[0] instanceof Error ? failures[0].message : String(failures[0]);
      throw new Error(`${failures.length} of ${this.children.length} parallel task(s) failed; the first: ${first}`);
    }
  }

  /** Only the children that started, all at once: what revert() does and the rollback preview shows. */
  revertOrder(): RevertOrder {
    return parallelRevertOrder(this.children);
  }

  /** Reverts, in parallel, only the children that started. */
  async revert(ctx: TaskContext) {
    const started = this.revertOrder().children;
    if (started.length && (ctx.abort.aborted || ctx.term.aborted)) throw new Error(stopMessage(ctx));
    const ok = await Promise.all(started.map((child) => ctx.revert(child)));
    const failed = ok.filter((x) => !x).length;
    if (failed) throw new Error(`${failed} of ${started.length} parallel task(s) failed to revert`);
  }

  description(): string {
    return "Execute in parallel:";
  }
}

import { Task, type TaskContext } from "../task";
import { stopMessage } from "./sequential";

/** Starts all children at once and waits for all of them. */
export class ParallelExecTask extends Task<Record<string, never>> {
  constructor(children: Task[]) {
    super({}, children);
  }

  async run(ctx: TaskContext) {
    if (ctx.abort.aborted || ctx.term.aborted) throw new Error(stopMessage(ctx));
    const results = await Promise.allSettled(this.children.map((child) => ctx.run(child)));
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failures.length) {
      const first = failures[0].reason instanceof Error ? failures[0].reason.message : String(failures[0].reason);
      throw new Error(`${failures.length} of ${this.children.length} parallel task(s) failed; the first: ${first}`);
    }
  }

  /** Reverts, in parallel, only the children that started. */
  async revert(ctx: TaskContext) {
    const started = this.children.filter((c) => c.status !== "not_started");
    if (started.length && (ctx.abort.aborted || ctx.term.aborted)) throw new Error(stopMessage(ctx));
    const ok = await Promise.all(started.map((child) => ctx.revert(child)));
    const failed = ok.filter((x) => !x).length;
    if (failed) throw new Error(`${failed} of ${started.length} parallel task(s) failed to revert`);
  }

  description(): string {
    return "Execute in parallel:";
  }
}

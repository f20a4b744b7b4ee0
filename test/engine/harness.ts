// Shared set-up for the engine tests: a real migrated libSQL file, a runner
// polling it fast, and helpers to create, run and inspect TreeRollouts.
import { tempDb, waitFor, type TempDb } from "../helpers/db";
import { Runner } from "@/lib/kettle/runner/runner";
import { createRollout, decideTask, getLog, getRollout, retryRollback, runRollout, sendSignal, type RolloutView, type TaskView } from "@/lib/kettle/operations";
import type { TreeSpec, KindSpec } from "@/rollouts/fixtures";
import type { RolloutStatus } from "@/lib/kettle/status";
import { Task, type TaskContext } from "@/lib/kettle/authoring/task";
import { registerTaskKinds } from "@/lib/kettle/modules/registry";
import fs from "node:fs";

export const TREE = "fixtures:TreeRollout";
export const KINDS = "fixtures:KindsRollout";
export const PAUSING = "fixtures:PausingTreeRollout";
export const offered = [TREE, KINDS, PAUSING];

// ---- task kinds defined by the tests themselves (registered, then built by KindsRollout) ----

/** What the CountTasks did, in order: `run:A`, `ran:A`, `revert:A`, `reverted:A`. */
export const journal: string[] = [];
/** The journal entries of the keys starting with `prefix`, with the prefix taken off. */
export const eventsOf = (prefix: string) =>
  journal.filter((e) => e.split(":")[1].startsWith(prefix)).map((e) => e.replace(`:${prefix}`, ":"));

type CountState = { key: string; runMs?: number; revertMs?: number; fail?: string; failRevert?: string };
/** Records each run and revert in the journal; can take time (ignoring abort) and fail. */
export class CountTask extends Task<CountState> {
  async run() {
    journal.push(`run:${this.state.key}`);
    if (this.state.runMs) await new Promise((r) => setTimeout(r, this.state.runMs));
    if (this.state.fail) throw new Error(this.state.fail);
    journal.push(`ran:${this.state.key}`);
    return { ran: this.state.key };
  }
  async revert() {
    journal.push(`revert:${this.state.key}`);
    if (this.state.revertMs) await new Promise((r) => setTimeout(r, this.state.revertMs));
    if (this.state.failRevert) throw new Error(this.state.failRevert);
    journal.push(`reverted:${this.state.key}`);
    return `undid ${this.state.key}`;
  }
  description() {
    return `Count ${this.state.key}`;
  }
}

const refusal = (e: unknown) => `refused: ${e instanceof Error ? e.message : String(e)}`;

/** Runs its only child, then tries to run it again (one after the other, or both at once); reverts it twice likewise. */
export class TwiceTask extends Task<{ concurrent?: boolean }> {
  async run(ctx: TaskContext) {
    const child = this.children[0];
    if (this.state.concurrent) {
      const rs = await Promise.allSettled([ctx.run(child), ctx.run(child)]);
      return rs.map((r) => (r.status === "fulfilled" ? "ran" : refusal(r.reason))).join(" | ");
    }
    await ctx.run(child);
    try {
      await ctx.run(child);
      return "ran twice";
    } catch (e) {
      return refusal(e);
    }
  }
  async revert(ctx: TaskContext) {
    const child = this.children[0];
    if (this.state.concurrent) {
      const rs = await Promise.allSettled([ctx.revert(child), ctx.revert(child)]);
      return rs.map((r) => (r.status === "fulfilled" ? `reverted: ${r.value}` : refusal(r.reason))).join(" | ");
    }
    await ctx.revert(child);
    try {
      await ctx.revert(child);
      return "reverted twice";
    } catch (e) {
      return refusal(e);
    }
  }
}

/** Tries to revert its only child, which never ran. */
export class RevertFirstTask extends Task<Record<string, never>> {
  async run(ctx: TaskContext) {
    try {
      await ctx.revert(this.children[0]);
      return "reverted a task that never ran";
    } catch (e) {
      return refusal(e);
    }
  }
}

/** Uses the whole task context: logs, sleeps, runs a command, and reports what it saw. */
export class ContextTask extends Task<{ command?: string[]; sleepMs?: number }> {
  async run(ctx: TaskContext) {
    ctx.log(`phase ${ctx.phase}`);
    const slept = await ctx.sleep(this.state.sleepMs ?? 1);
    const out = this.state.command ? (await ctx.exec(this.state.command)).output.join(",") : null;
    return { slept, out, abort: ctx.abort.aborted, term: ctx.term.aborted };
  }
  async revert(ctx: TaskContext) {
    ctx.log(`phase ${ctx.phase}`);
    return ctx.phase;
  }
}

export const kindsReady = registerTaskKinds({
  "test:Count": CountTask,
  "test:Twice": TwiceTask,
  "test:RevertFirst": RevertFirstTask,
  "test:Context": ContextTask,
});

/** KindSpec shorthands. */
export const count = (key: string, more: Omit<CountState, "key"> = {}): KindSpec => ({ type: "test:Count", state: { key, ...more } });
export const seqOf = (...children: KindSpec[]): KindSpec => ({ type: "SequentialExecTask", children });
export const parOf = (...children: KindSpec[]): KindSpec => ({ type: "ParallelExecTask", children });

export type Engine = TempDb & {
  runner: Runner;
  create(tree: TreeSpec, extra?: Record<string, unknown>): Promise<number>;
  /** Creates and starts a rollout; returns its id. */
  start(tree: TreeSpec, extra?: Record<string, unknown>, user?: string): Promise<number>;
  /** Creates and starts a KindsRollout (a tree of task kinds by type name). */
  startKinds(root: KindSpec, extra?: Record<string, unknown>, user?: string): Promise<number>;
  view(id: number): Promise<RolloutView>;
  /** Waits until the rollout has reached one of `statuses` (default: a final one). */
  until(id: number, statuses?: RolloutStatus[], timeoutMs?: number): Promise<RolloutView>;
  /** Waits for a condition on the rollout's view. */
  waitView(id: number, check: (v: RolloutView) => unknown, what?: string, timeoutMs?: number): Promise<RolloutView>;
  signal(id: number, name: string, user?: string, comment?: string): Promise<void>;
  /** Creates and starts a rollout of the given kind (e.g. PAUSING) from a tree spec. */
  startAs(kind: string, tree: TreeSpec, extra?: Record<string, unknown>, user?: string): Promise<number>;
  decide(id: number, taskId: number, action: string, user?: string, comment?: string): Promise<void>;
  retryRollback(id: number, user?: string): Promise<void>;
  log(id: number, stream: "rollout" | "rollback"): Promise<string[]>;
  taskLog(id: number, taskId: number, stream: "run" | "revert"): Promise<string[]>;
  stop(): Promise<void>;
};

export const finalStatuses: RolloutStatus[] = ["finished", "rolled_back", "rollback_failed"];

export async function engine(): Promise<Engine> {
  await kindsReady;
  const t = await tempDb();
  const runner = new Runner(t.db, { pollMs: 20, signalPollMs: 20, leaseMs: 5000 }).start();
  const e: Engine = {
    ...t,
    runner,
    create: (tree, extra = {}) => createRollout(t.db, { kind: TREE, config: { tree, ...extra } }, offered),
    async start(tree, extra = {}, user = "tester") {
      const id = await e.create(tree, extra);
      await runRollout(t.db, id, user);
      runner.wake();
      return id;
    },
    async startKinds(root, extra = {}, user = "tester") {
      const id = await createRollout(t.db, { kind: KINDS, config: { root, ...extra } }, offered);
      await runRollout(t.db, id, user);
      runner.wake();
      return id;
    },
    view: (id) => getRollout(t.db, id),
    until: (id, statuses = finalStatuses, timeoutMs = 20_000) =>
      e.waitView(id, (v) => statuses.includes(v.status), `rollout ${id} to reach ${statuses.join("/")}`, timeoutMs),
    async waitView(id, check, what = "condition", timeoutMs = 20_000) {
      let last: RolloutView | undefined;
      try {
        await waitFor(
          async () => {
            last = await getRollout(t.db, id);
            return check(last);
          },
          { timeoutMs, what },
        );
      } catch (err) {
        const tasks = flatten(last?.tasks ?? null).map((x) => `${x.id}:${x.status}`).join(" ");
        throw new Error(`${(err as Error).message} (rollout ${id} is ${last?.status}; tasks ${tasks})`);
      }
      return last!;
    },
    signal: async (id, name, user = "operator", comment) => {
      await sendSignal(t.db, id, name, user, comment);
      runner.wake();
    },
    async startAs(kind, tree, extra = {}, user = "tester") {
      const id = await createRollout(t.db, { kind, config: { tree, ...extra } }, offered);
      await runRollout(t.db, id, user);
      runner.wake();
      return id;
    },
    async decide(id, taskId, action, user = "operator", comment) {
      await decideTask(t.db, id, String(taskId), action, user, comment);
      runner.wake();
    },
    async retryRollback(id, user = "operator") {
      await retryRollback(t.db, id, user);
      runner.wake();
    },
    log: async (id, stream) => (await getLog(t.db, { rolloutId: String(id), stream })).map((l) => l.line),
    taskLog: async (id, taskId, stream) => (await getLog(t.db, { rolloutId: String(id), taskId: String(taskId), stream })).map((l) => l.line),
    async stop() {
      await runner.stop();
      t.close();
    },
  };
  return e;
}

/** Every task of a view's tree, parents first. */
export function flatten(task: TaskView | null): TaskView[] {
  if (!task) return [];
  return [task, ...task.children.flatMap(flatten)];
}

export function leaves(view: RolloutView): TaskView[] {
  return flatten(view.tasks).filter((t) => t.children.length === 0);
}

export const statuses = (tasks: TaskView[]) => tasks.map((t) => t.status);

export { waitFor };

/**
 * True while a process with this pid runs. A killed process whose parent has
 * not reaped it yet (a zombie: an orphan waits for PID 1 to reap it) has
 * stopped running, so it counts as gone.
 */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw e;
  }
  try {
    const state = fs.readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "")[0];
    return state !== "Z" && state !== "X";
  } catch {
    return false; // gone between the two looks
  }
}


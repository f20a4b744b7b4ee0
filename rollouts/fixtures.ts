// Rollouts and task kinds used by the test suite and the benchmarks: a tree
// described as JSON in the config, so any shape can be run through the API.
// Offer them in the UI with KETTLE_ROLLOUT_CLS=fixtures:TreeRollout if you like.
import fs from "node:fs";
import { z } from "zod";
import {
  Rollout,
  Task,
  DelayTask,
  SequentialExecTask,
  ParallelExecTask,
  ShellTask,
  ApprovalTask,
  gradualExec,
  gradualSequentialExec,
  type TaskContext,
  type Monitor,
} from "@/lib/kettle";

/** Does nothing, quickly: measures the engine's own overhead. */
export class NoopTask extends Task<{ label?: string }> {
  run() {
    return undefined;
  }
  description() {
    return this.state.label ?? "No-op";
  }
}

/** Fails on run (or on revert) with the given message. */
export class FailTask extends Task<{ message: string; onRevert?: boolean }> {
  run() {
    if (!this.state.onRevert) throw new Error(this.state.message);
    return "ran";
  }
  revert() {
    if (this.state.onRevert) throw new Error(this.state.message);
    return "reverted";
  }
  description() {
    return `Fail${this.state.onRevert ? " on revert" : ""}: ${this.state.message}`;
  }
}

/** Appends its id to the file $KETTLE_TEST_JOURNAL when its run is called (crash tests compare it with the records). */
export class JournalTask extends Task<Record<string, never>> {
  run() {
    fs.appendFileSync(process.env.KETTLE_TEST_JOURNAL!, `${this.id}\n`);
  }
}

/** Logs a line every `everyMs` for `count` lines. */
export class ChattyTask extends Task<{ count: number; everyMs: number }> {
  async run(ctx: TaskContext) {
    for (let i = 1; i <= this.state.count; i++) {
      ctx.log(`line ${i} of ${this.state.count}`);
      if (!(await ctx.sleep(this.state.everyMs))) throw new Error("Stopped");
    }
  }
  description() {
    return `Log ${this.state.count} lines`;
  }
}

/** How often each FlakyTask key has been run, in this process. */
const flakyRuns = new Map<string, number>();

/** Fails its first `failTimes` runs (per key, in this process), then succeeds; may fail its first revert too. */
export class FlakyTask extends Task<{ key: string; failTimes: number; failRevertOnce?: boolean; retry?: { attempts: number; backoffMs?: number } }> {
  run() {
    const n = (flakyRuns.get(this.state.key) ?? 0) + 1;
    flakyRuns.set(this.state.key, n);
    if (n <= this.state.failTimes) throw new Error(`${this.state.key}: failure ${n} of ${this.state.failTimes}`);
    return `${this.state.key}: worked on run ${n}`;
  }
  revert() {
    const key = `${this.state.key}:revert`;
    const n = (flakyRuns.get(key) ?? 0) + 1;
    flakyRuns.set(key, n);
    if (this.state.failRevertOnce && n === 1) throw new Error(`${this.state.key}: revert failed the first time`);
    return "reverted";
  }
  description() {
    return `Flaky ${this.state.key}`;
  }
}

export type TreeSpec =
  | { seq: TreeSpec[] }
  | { par: TreeSpec[] }
  | { delay: number; reversible?: boolean }
  | { noop: true | string }
  | { journal: true }
  | { fail: string; onRevert?: boolean }
  | { shell: string[]; revert?: string[] }
  | { chatty: number; everyMs?: number }
  | { approval: string; timeoutMinutes?: number; onTimeout?: "reject" | "approve" | "pause"; approvals?: number; fourEyes?: boolean; approvers?: string[] }
  | { flaky: string; failTimes: number; failRevertOnce?: boolean; retry?: { attempts: number; backoffMs?: number } };

export function buildTree(spec: TreeSpec): Task {
  if ("seq" in spec) return new SequentialExecTask(spec.seq.map(buildTree));
  if ("par" in spec) return new ParallelExecTask(spec.par.map(buildTree));
  if ("delay" in spec) return new DelayTask({ seconds: spec.delay, reversible: spec.reversible });
  if ("noop" in spec) return new NoopTask(typeof spec.noop === "string" ? { label: spec.noop } : {});
  if ("journal" in spec) return new JournalTask({});
  if ("fail" in spec) return new FailTask({ message: spec.fail, onRevert: spec.onRevert });
  if ("shell" in spec) return new ShellTask({ command: spec.shell, revertCommand: spec.revert });
  if ("chatty" in spec) return new ChattyTask({ count: spec.chatty, everyMs: spec.everyMs ?? 100 });
  if ("approval" in spec) {
    const { approval, ...rest } = spec;
    return new ApprovalTask({ title: approval, ...rest });
  }
  if ("flaky" in spec) {
    const { flaky, ...rest } = spec;
    return new FlakyTask({ key: flaky, ...rest });
  }
  throw new Error(`Unknown tree spec: ${JSON.stringify(spec)}`);
}

/** Monitors for tests: one that aborts after `abortAfterMs`, one that throws. */
const monitors: Record<string, Monitor> = {
  abortSoon: async (ctx) => {
    const ms = Number(ctx.config.abortAfterMs ?? 500);
    if (await ctx.sleep(ms)) await ctx.abort(`error rate too high after ${ms} ms`);
  },
  pauseSoon: async (ctx) => {
    const ms = Number(ctx.config.abortAfterMs ?? 500);
    if (await ctx.sleep(ms)) await ctx.pause(`latency above the limit after ${ms} ms`);
  },
  crash: async (ctx) => {
    if (await ctx.sleep(Number(ctx.config.abortAfterMs ?? 500))) throw new Error("monitor crashed");
  },
};

const treeConfig = z.object({
  tree: z.custom<TreeSpec>((v) => typeof v === "object" && v !== null, "tree must be a JSON tree spec"),
  monitors: z.array(z.string()).optional(),
  abortAfterMs: z.number().optional(),
});

/** Runs the tree described by `config.tree`. */
export class TreeRollout extends Rollout<z.infer<typeof treeConfig>> {
  static title = "Test fixture: a tree from JSON";
  static configSchema = treeConfig;
  static monitors = monitors;

  generateTasks() {
    return buildTree(this.config.tree);
  }

  info() {
    return ["A test fixture: its tree comes from config.tree"];
  }
}

/** The same, opting into resuming interrupted tasks after a crash. */
export class ResumableTreeRollout extends TreeRollout {
  static title = "Test fixture: a resumable tree from JSON";
  static resumeAfterCrash = true;
}

/** The same, pausing on a failure for a decision (retry / skip / roll back) instead of rolling back. */
export class PausingTreeRollout extends TreeRollout {
  static title = "Test fixture: a tree from JSON that pauses on failure";
  static onFailure = "pause" as const;
}

/** A task given by its registered type name and state, with children: see KindsRollout. */
export type KindSpec = { type: string; state?: Record<string, unknown>; children?: KindSpec[] };

/**
 * Builds a tree of any registered task kinds (the built-ins, Task subclasses
 * exported from rollouts/, or kinds added with registerTaskKinds) the way the
 * database rebuilds them: by type name and state, constructors not called.
 * Lets engine tests run task kinds they define themselves.
 */
export async function buildKinds(spec: KindSpec): Promise<Task> {
  const [{ taskClassOf }, { emptyRecords }] = await Promise.all([import("@/lib/kettle/modules/registry"), import("@/lib/kettle/authoring/task")]);
  const cls = await taskClassOf(spec.type);
  const task = Object.create(cls.prototype) as Task;
  Object.assign(task, { state: spec.state ?? {}, children: [], id: null, typeName: null, records: emptyRecords() });
  for (const child of spec.children ?? []) task.children.push(await buildKinds(child));
  return task;
}

const kindsConfig = z.object({
  root: z.custom<KindSpec>((v) => typeof v === "object" && v !== null && typeof (v as KindSpec).type === "string", "root must be a {type, state, children} spec"),
  monitors: z.array(z.string()).optional(),
  abortAfterMs: z.number().optional(),
});

/** Runs the tree of task kinds described by `config.root`. */
export class KindsRollout extends Rollout<z.infer<typeof kindsConfig>> {
  static title = "Test fixture: a tree of task kinds by type name";
  static configSchema = kindsConfig;
  static monitors: Record<string, Monitor> = {
    ...monitors,
    /** Ignores its signal: the end of the run must not wait for it for long. */
    stubborn: async () => {
      await new Promise((r) => setTimeout(r, 5000));
    },
  };

  generateTasks() {
    return buildKinds(this.config.root);
  }
}

const gradualConfig = z.object({
  items: z.array(z.string()),
  sequential: z.boolean().optional(),
  delaySeconds: z.number().positive().optional(),
});

/** A gradual rollout of no-op tasks over `config.items` (gradualExec, or its sequential variant). */
export class GradualRollout extends Rollout<z.infer<typeof gradualConfig>> {
  static title = "Test fixture: a gradual rollout of no-ops";
  static configSchema = gradualConfig;

  generateTasks() {
    const make = this.config.sequential ? gradualSequentialExec : gradualExec;
    return make(this.config.items, (item) => new NoopTask({ label: item }), { seconds: this.config.delaySeconds ?? 0.05 });
  }
}

/** The tree rollout, one at a time: Run is refused while another one runs or is paused. */
export class SoloTreeRollout extends TreeRollout {
  static title = "Test fixture: a tree from JSON, one at a time";
  static concurrency = 1;
}

const failingPlanConfig = z.object({
  reason: z.string().default("no hosts given").meta({ title: "Reason", description: "What generateTasks() throws." }),
});

/** A rollout whose generateTasks() throws: what an author sees when their plan fails. */
export class FailingPlanRollout extends Rollout<z.infer<typeof failingPlanConfig>> {
  static title = "Test fixture: a plan that fails";
  static configSchema = failingPlanConfig;

  generateTasks(): Task {
    throw new Error(this.config.reason);
  }
}

/** A tree whose plan two people other than its makers must approve before it runs. */
export class ApprovedTreeRollout extends TreeRollout {
  static title = "Test fixture: a tree whose plan needs two approvals (four eyes)";
  static requiresApproval = { approvals: 2, fourEyes: true };
}

/**
 * A tree read from a file the config names, as a real plan reads an inventory: the plan can
 * change with nothing in the config changing (a scheduled run's stale-plan check, issue 21).
 */
export class FileTreeRollout extends Rollout<{ file: string }> {
  static title = "Test fixture: a tree read from a file";
  static configSchema = z.object({ file: z.string() });

  generateTasks() {
    return buildTree(JSON.parse(fs.readFileSync(this.config.file, "utf8")) as TreeSpec);
  }
}

/** Two at a time; more runs wait their turn in a queue, first come first served (issue 21). */
export class QueuedTreeRollout extends TreeRollout {
  static title = "Test fixture: a tree from JSON, two at a time, the rest queued";
  static concurrency = 2;
  static queue = "fifo" as const;
}

/** One at a time; a newer queued run supersedes the older queued ones (issue 21). */
export class NewestTreeRollout extends TreeRollout {
  static title = "Test fixture: a tree from JSON, one at a time, only the newest queued run kept";
  static concurrency = 1;
  static queue = "newest" as const;
}

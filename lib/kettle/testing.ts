// Testing rollouts: `import { testRollout } from "@/lib/kettle/testing"`.
//
// testRollout finalises a rollout class with a config and runs it, as the server
// would, against a temporary database, with fake time: delays and sleeps finish
// at once (time jumps over them), so a rollout of many minutes is tested in
// milliseconds. It returns the final status, every task with its records and
// logs, and the rollout and rollback logs. Commands run for real unless
// `commands` stands in for them.
//
//   import { test, expect } from "vitest";
//   import { testRollout } from "@/lib/kettle/testing";
//   import { MyRollout } from "@/rollouts/rollout";
//
//   test("MyRollout waits 15 seconds", async () => {
//     const r = await testRollout(MyRollout);
//     expect(r.status).toBe("finished");
//     expect(r.root?.description).toBe("Delay for 15 secs");
//   });
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readyDb, closeDb } from "./store/db";
import { migrateDb } from "./store/migrations";
import { analysisOf, createRollout, decideTask, getLog, getRollout, runRollout, sendSignal, type AnalysisView, type RecordView, type RolloutView, type TaskView } from "./operations";
import { Runner } from "./runner/runner";
import { kindOf, registerRolloutClass, registerTaskKinds } from "./modules/registry";
import { simulate, outsideSimulation, FakeTime, type CommandStub, type CommandOutcome } from "./runner/simulation";
import { runningGroups } from "./runner/exec";
import type { Rollout, RolloutClass } from "./authoring/rollout";
import type { Task } from "./authoring/task";
import type { RolloutStatus, TaskStatus } from "./status";

export type { CommandStub, CommandOutcome };

export type TestRolloutOptions = {
  /** Who runs it (recorded as the rollout's user). */
  user?: string;
  /**
   * Stands in for every command the tasks run (ctx.exec, ShellTask): gets the argv and
   * options, returns `{ output, exitCode }` (a non-zero exit fails the task). Without it
   * the commands run for real (and take real time).
   */
  commands?: CommandStub;
  /** Task kinds that are not exported from a module in rollouts/ (say, defined in the test), by type name. */
  taskKinds?: Record<string, abstract new (...args: never[]) => Task>;
  /**
   * Steers the rollout while it runs, as an operator would: wait for a moment, then send a
   * signal. While it runs, fake time runs at the real pace (nothing jumps past what it waits
   * for); once it returns, time jumps again.
   */
  during?: (rollout: RolloutControl) => Promise<void> | void;
  /** Gives up after this much real time (ms). Default 10 000. */
  timeoutMs?: number;
};

/** What `during` gets. */
export type RolloutControl = {
  id: number;
  /** The rollout as the API shows it now. */
  view(): Promise<RolloutView>;
  /** Waits until `check` holds for the rollout's view (or gives up after timeoutMs of real time). */
  until(check: (view: RolloutView) => unknown, timeoutMs?: number): Promise<RolloutView>;
  /** Sends a signal (abort_rollout, term_rollout, skip_rollback, abort_rollback, term_rollback). */
  signal(name: string, user?: string): Promise<void>;
  /** Decides on a task as a person would on the page: approve, reject, retry, skip. */
  decide(taskId: number, action: "approve" | "reject" | "retry" | "skip", user?: string): Promise<void>;
  /** The rollout's analyses as GET /api/rollouts/{id}/analysis answers them now. */
  analysis(): Promise<AnalysisView>;
};

export type TestedTask = {
  id: number;
  type: string;
  description: string;
  status: TaskStatus;
  /** What run returned (as text), or its error. */
  run: RecordView;
  revert: RecordView;
  /** The task's run and revert logs, line by line. */
  logs: { run: string[]; revert: string[] };
  children: TestedTask[];
};

export type TestRolloutResult = {
  id: number;
  kind: string;
  status: RolloutStatus;
  /** The config after validation (defaults filled in). */
  config: Record<string, unknown>;
  info: string[];
  /** The root task, with its children. */
  root: TestedTask | null;
  /** Every task, parents before children. */
  tasks: TestedTask[];
  /** The first task whose description matches. */
  task(description: string | RegExp): TestedTask | undefined;
  logs: { rollout: string[]; rollback: string[] };
  /** How long the run took in fake time (ms): delays count in full. */
  elapsedMs: number;
  /** The rollout as the API shows it. */
  view: RolloutView;
  /** Its health analyses, each measurement included (GET /api/rollouts/{id}/analysis). */
  analysis: AnalysisView;
};

/** Any Rollout subclass, whatever its config type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRolloutClass = new (id: number, config: never) => Rollout<any>;

const finalStatuses: RolloutStatus[] = ["finished", "rolled_back", "rollback_failed"];

/**
 * Finalises `cls` with `config` and runs it to the end. Rejects, as finalise does, when the
 * config is invalid (a KettleError with per-field messages) or generateTasks throws
 * (FinaliseError). One database per call, removed afterwards; calls may run side by side.
 */
export async function testRollout(
  rolloutClass: AnyRolloutClass,
  config: Record<string, unknown> = {},
  options: TestRolloutOptions = {},
): Promise<TestRolloutResult> {
  const cls = rolloutClass as unknown as RolloutClass;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kettle-testrollout-"));
  const url = `file:${path.join(dir, "kettle.sqlite")}`;
  let steering = 0;
  const time = new FakeTime(() => runningGroups.size > 0 || steering > 0);
  try {
    const db = await readyDb(url);
    await migrateDb(db);
    if (options.taskKinds) await registerTaskKinds(options.taskKinds);
    let kind = await kindOf(cls);
    if (!kind) {
      kind = `test:${cls.name || "Rollout"}`;
      registerRolloutClass(kind, cls);
    }
    return await simulate({ time, commands: options.commands }, async () => {
      const user = options.user ?? "tester";
      const id = await createRollout(db, { kind, config, user }, [kind]);
      const started = time.now();
      await runRollout(db, id, user);
      // A lease that cannot run out in fake time; the runner is woken (after a run request, a
      // signal) rather than polling often, so that the engine is quiet while tasks sleep.
      const runner = new Runner(db, { id: "testRollout", pollMs: 100, signalPollMs: 100, leaseMs: 10 * 365 * 86_400_000 }).start();
      runner.wake();
      let view: RolloutView;
      let steered: Promise<void> = Promise.resolve();
      if (options.during) {
        const control: RolloutControl = {
          id,
          view: () => outsideSimulation(() => getRollout(db, id)),
          async until(check, timeoutMs = 5000) {
            const deadline = Date.now() + timeoutMs;
            for (;;) {
              const v = await outsideSimulation(() => getRollout(db, id));
              if (check(v)) return v;
              if (Date.now() > deadline) throw new Error(`testRollout: the condition did not hold within ${timeoutMs} ms (the rollout is ${v.status})`);
              await new Promise((r) => setTimeout(r, 2));
            }
          },
          async signal(name, by = "operator") {
            await sendSignal(db, id, name, by);
            runner.wake();
          },
          async decide(taskId, action, by = "operator") {
            await outsideSimulation(() => decideTask(db, id, String(taskId), action, by));
            runner.wake();
          },
          analysis: () => outsideSimulation(() => analysisOf(db, id)),
        };
        steering++;
        steered = Promise.resolve()
          .then(() => options.during!(control))
          .finally(() => steering--);
      }
      try {
        const deadline = Date.now() + (options.timeoutMs ?? 10_000);
        for (;;) {
          view = await outsideSimulation(() => getRollout(db, id));
          if (finalStatuses.includes(view.status) && !view.runner.owner) break;
          if (Date.now() > deadline) {
            throw new Error(`testRollout: rollout ${id} did not end within ${options.timeoutMs ?? 10_000} ms of real time (it is ${view.status})`);
          }
          await new Promise((r) => setTimeout(r, 2));
        }
        await steered; // its failure is the test's failure
      } finally {
        await steered.catch(() => {});
        await runner.stop();
      }
      const elapsedMs = (view.rollbackFinishedAt ?? view.rolloutFinishedAt ?? time.now()) - (view.rolloutStartedAt ?? started);
      const log = async (taskId: number | null, stream: string) =>
        (await getLog(db, { rolloutId: String(id), taskId: taskId === null ? undefined : String(taskId), stream })).map((l) => l.line);
      const tested = async (t: TaskView): Promise<TestedTask> => ({
        id: t.id,
        type: t.type,
        description: t.description,
        status: t.status,
        run: t.run,
        revert: t.revert,
        logs: { run: await log(t.id, "run"), revert: await log(t.id, "revert") },
        children: await Promise.all(t.children.map(tested)),
      });
      const root = view.tasks ? await tested(view.tasks) : null;
      const tasks: TestedTask[] = [];
      const walk = (t: TestedTask) => {
        tasks.push(t);
        t.children.forEach(walk);
      };
      if (root) walk(root);
      return {
        id,
        kind: view.kind,
        status: view.status,
        config: view.config,
        info: view.info,
        root,
        tasks,
        task: (d: string | RegExp) => tasks.find((t) => (typeof d === "string" ? t.description === d : d.test(t.description))),
        logs: { rollout: await log(null, "rollout"), rollback: await log(null, "rollback") },
        elapsedMs,
        view,
        analysis: await analysisOf(db, id),
      };
    });
  } finally {
    closeDb(url);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

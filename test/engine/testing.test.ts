// testRollout's fake time: delays and sleeps jump ahead in order, monitors see
// the same clock, an hour-long rollout runs in milliseconds, and a real command
// still takes its real time.
import { beforeAll, expect, test } from "vitest";
import { loadTaskKinds } from "@/lib/kettle/modules/registry";
import { testRollout } from "@/lib/kettle/testing";
import { TreeRollout } from "@/rollouts/fixtures";
import { Rollout, Task, DelayTask, SequentialExecTask, type TaskContext } from "@/lib/kettle";

// Loading the modules in rollouts/ happens once per process; the timings below are of the runs.
beforeAll(() => loadTaskKinds());

test("parallel delays end in the order of their durations, in fake time", async () => {
  const r = await testRollout(TreeRollout, { tree: { par: [{ delay: 600 }, { seq: [{ delay: 300 }, { noop: "after 5 minutes" }] }] } });
  expect(r.status).toBe("finished");
  const long = r.task("Delay for 10:00 mins")!;
  const short = r.task("Delay for 5:00 mins")!;
  const after = r.task("after 5 minutes")!;
  expect(short.run.finishedAt! - short.run.startedAt!).toBeGreaterThanOrEqual(300_000);
  expect(after.run.finishedAt!).toBeLessThan(long.run.finishedAt!);
  expect(r.elapsedMs).toBeGreaterThanOrEqual(600_000);
  expect(r.elapsedMs).toBeLessThan(660_000);
});

test("an hour of delays takes milliseconds", async () => {
  const started = performance.now();
  const r = await testRollout(TreeRollout, { tree: { seq: Array.from({ length: 12 }, () => ({ delay: 300 })) } });
  expect(r.status).toBe("finished");
  expect(r.elapsedMs).toBeGreaterThanOrEqual(3_600_000);
  expect(performance.now() - started).toBeLessThan(1000);
});

test("a monitor's sleep runs on the same clock: it aborts a long delay, which rolls back", async () => {
  const r = await testRollout(TreeRollout, { tree: { delay: 3600 }, monitors: ["abortSoon"], abortAfterMs: 90_000 });
  expect(r.status).toBe("rolled_back");
  expect(r.logs.rollout.join("\n")).toMatch(/Monitor abortSoon aborts the rollout: error rate too high after 90000 ms/);
  const delay = r.root!;
  expect(delay.run.error).toMatch(/Stopped by abort after 90 of 3600 secs/);
});

test("a real command takes its real time; fake time does not fly past it", async () => {
  const r = await testRollout(TreeRollout, { tree: { par: [{ shell: ["sleep", "0.3"] }, { delay: 1 }] } });
  expect(r.status).toBe("finished");
  const shell = r.tasks.find((t) => t.type === "ShellTask")!;
  const delay = r.task("Delay for 1 secs")!;
  expect(shell.run.finishedAt! - shell.run.startedAt!).toBeGreaterThanOrEqual(250);
  // While the command ran, the delay beside it waited at the real pace: the command ended first, as it would for real.
  expect(shell.run.finishedAt!).toBeLessThan(delay.run.finishedAt!);
});

/** Defined here, not in rollouts/: registered for the test with `taskKinds`. */
class Probe extends Task<{ ms: number }> {
  async run(ctx: TaskContext) {
    const t0 = Date.now();
    const full = await ctx.sleep(this.state.ms);
    ctx.log(`slept ${this.state.ms} ms of fake time in ${Date.now() - t0 < 500 ? "no" : "real"} time`);
    return full;
  }
}
class ProbeRollout extends Rollout {
  generateTasks() {
    return new SequentialExecTask([new Probe({ ms: 86_400_000 }), new DelayTask({ seconds: 1 })]);
  }
}

test("a class and a task kind defined in the test file, and ctx.sleep in fake time", async () => {
  const r = await testRollout(ProbeRollout, {}, { taskKinds: { "test:Probe": Probe } });
  expect(r.kind).toBe("test:ProbeRollout");
  expect(r.status).toBe("finished");
  expect(r.task("Probe")?.run.result).toBe("true");
  expect(r.task("Probe")?.logs.run).toContain("slept 86400000 ms of fake time in no time");
});

test("a generateTasks() that throws rejects with its message and where it was thrown", async () => {
  await expect(testRollout(TreeRollout, { tree: { bogus: 1 } })).rejects.toThrow(/Finalise failed in generateTasks: Unknown tree spec.*\(at rollouts\/fixtures\.ts:\d+:\d+\)/);
});

test("during: an operator aborts a long delay while it runs, and the rollout rolls back", async () => {
  const started = performance.now();
  const r = await testRollout(
    TreeRollout,
    { tree: { seq: [{ noop: "first" }, { delay: 3600 }] } },
    {
      during: async (rollout) => {
        await rollout.until((v) => v.tasks?.children[1]?.status === "started");
        await rollout.signal("abort_rollout", "alice");
      },
    },
  );
  expect(r.status).toBe("rolled_back");
  expect(r.logs.rollout).toContain("Signal abort_rollout received from alice");
  expect(r.tasks.find((t) => t.type === "DelayTask")?.run.error).toMatch(/^Stopped by abort after \d+ of 3600 secs$/);
  expect(r.task("first")?.status).toBe("rolled_back");
  expect(performance.now() - started).toBeLessThan(1000);
});

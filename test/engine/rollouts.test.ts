// Rollouts run by the real runner on a real database: runs, failures and
// rollbacks over flat and nested trees, what is recorded, logs, reloads.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { loadTree } from "@/lib/kettle/store/tasks";
import { runRollout, getRollout, createRollout } from "@/lib/kettle/operations";
import { DelayTask, SequentialExecTask, ParallelExecTask } from "@/lib/kettle";
import { NoopTask, FailTask } from "@/rollouts/fixtures";
import { engine, flatten, leaves, eventsOf, count, seqOf, parOf, offered, type Engine } from "./harness";
import type { TaskView } from "@/lib/kettle/operations";

let e: Engine;
beforeAll(async () => {
  e = await engine();
});
afterAll(async () => {
  await e.stop();
});

const byKey = (view: { tasks: TaskView | null }) =>
  Object.fromEntries(flatten(view.tasks).map((t) => [String((t.state as { key?: string }).key ?? t.type + t.id), t]));

describe.concurrent("a single task", () => {
  it("runs: finished, with its records, the rollout's timestamps and who ran it", async () => {
    const before = Date.now();
    const id = await e.start({ noop: "hello" }, {}, "alice");
    const v = await e.until(id);
    expect(v.status).toBe("finished");
    expect(v.runBy).toBe("alice");
    expect(v.rolloutStartedAt).toBeGreaterThanOrEqual(before);
    expect(v.rolloutFinishedAt).toBeGreaterThanOrEqual(v.rolloutStartedAt!);
    expect(v.rollbackStartedAt).toBeNull();
    expect(v.rollbackFinishedAt).toBeNull();
    expect(v.finalisedAt).toBeGreaterThanOrEqual(v.createdAt);
    expect(v.finalisedAt).toBeLessThanOrEqual(v.rolloutStartedAt!);
    const t = v.tasks!;
    expect(t.description).toBe("hello");
    expect(t.status).toBe("finished");
    expect(t.run.startedAt).toBeGreaterThanOrEqual(v.rolloutStartedAt!);
    expect(t.run.finishedAt).toBeGreaterThanOrEqual(t.run.startedAt!);
    expect(t.run.failedAt).toBeNull();
    expect(t.revert.startedAt).toBeNull();
    expect(v.signals.available).toEqual([]);
    expect(v.refreshMs).toBeNull();
  });

  it("that fails is rolled back: failed, then reverted, the rollout rolled_back", async () => {
    const id = await e.start({ fail: "boom" });
    const v = await e.until(id);
    expect(v.status).toBe("rolled_back");
    const t = v.tasks!;
    expect(t.status).toBe("rolled_back");
    expect(t.run.error).toBe("boom");
    expect(t.run.finishedAt).toBeNull();
    expect(t.revert.result).toBe("reverted");
    expect(v.rolloutFinishedAt).not.toBeNull();
    expect(v.rollbackStartedAt).toBeGreaterThanOrEqual(v.rolloutFinishedAt!);
    expect(v.rollbackFinishedAt).toBeGreaterThanOrEqual(v.rollbackStartedAt!);
  });

  it("a delay waits its time and says so", async () => {
    const id = await e.start({ delay: 0.3 });
    const running = await e.waitView(id, (v) => v.tasks!.status === "started", "the delay to start");
    expect(running.tasks!.progress).toMatch(/^\d+ secs left$/);
    const v = await e.until(id);
    expect(v.status).toBe("finished");
    const t = v.tasks!;
    expect(t.description).toBe("Delay for 0.3 secs");
    expect(t.run.result).toBe("Waited 0.3 secs");
    expect(t.run.finishedAt! - t.run.startedAt!).toBeGreaterThanOrEqual(295);
    expect(await e.taskLog(id, t.id, "run")).toEqual(["Started", "Waiting 0.3 secs", "Finished: Waited 0.3 secs"]);
  });
});

describe.concurrent("groups of four", () => {
  it("a sequence runs its children one after another, in order", async () => {
    const k = "s4-";
    const id = await e.startKinds(seqOf(count(`${k}a`, { runMs: 20 }), count(`${k}b`, { runMs: 20 }), count(`${k}c`), count(`${k}d`)));
    const v = await e.until(id);
    expect(v.status).toBe("finished");
    expect(eventsOf(k)).toEqual(["run:a", "ran:a", "run:b", "ran:b", "run:c", "ran:c", "run:d", "ran:d"]);
    const ls = leaves(v);
    expect(ls.map((t) => t.status)).toEqual(["finished", "finished", "finished", "finished"]);
    for (let i = 1; i < 4; i++) expect(ls[i].run.startedAt).toBeGreaterThanOrEqual(ls[i - 1].run.finishedAt!);
    expect(v.tasks!.run.result).toBeNull();
    expect(ls[0].run.result).toBe(JSON.stringify({ ran: `${k}a` }));
  });

  it("a parallel group starts all four at once and waits for all", async () => {
    const k = "p4-";
    const id = await e.startKinds(parOf(count(`${k}a`, { runMs: 300 }), count(`${k}b`, { runMs: 300 }), count(`${k}c`, { runMs: 300 }), count(`${k}d`, { runMs: 300 })));
    const v = await e.until(id);
    expect(v.status).toBe("finished");
    const ls = leaves(v);
    // Every child started before any finished.
    expect(Math.max(...ls.map((t) => t.run.startedAt!))).toBeLessThan(Math.min(...ls.map((t) => t.run.finishedAt!)));
    expect(v.tasks!.run.finishedAt).toBeGreaterThanOrEqual(Math.max(...ls.map((t) => t.run.finishedAt!)));
    expect(v.tasks!.description).toBe("Execute in parallel:");
  });

  it("nested: a sequence of four groups, parallel and sequential, to depth four", async () => {
    const k = "n4-";
    const c = (x: string) => count(`${k}${x}`, { runMs: 10 });
    const root = seqOf(c("a"), parOf(c("b1"), c("b2"), seqOf(c("b3"), parOf(c("b4"), c("b5")))), seqOf(c("c1"), c("c2")), c("d"));
    const id = await e.startKinds(root);
    const v = await e.until(id);
    expect(v.status).toBe("finished");
    expect(flatten(v.tasks).every((t) => t.status === "finished")).toBe(true);
    const ev = eventsOf(k);
    const at = (x: string) => ev.indexOf(x);
    expect(at("ran:a")).toBeLessThan(at("run:b1"));
    expect(at("ran:b3")).toBeLessThan(at("run:b4"));
    for (const b of ["b1", "b2", "b4", "b5"]) expect(at(`ran:${b}`)).toBeLessThan(at("run:c1"));
    expect(at("ran:c1")).toBeLessThan(at("run:c2"));
    expect(at("ran:c2")).toBeLessThan(at("run:d"));
    expect(ev.filter((x) => x.startsWith("run:"))).toHaveLength(9);
  });

  it("nested: a parallel group of four sequences; one fails, and all that started is reverted", async () => {
    const k = "np-";
    const c = (x: string, more = {}) => count(`${k}${x}`, more);
    const root = parOf(
      seqOf(c("a1", { runMs: 300 }), c("a2")),
      seqOf(c("b1", { runMs: 300 }), c("b2")),
      seqOf(c("c1"), c("c2", { fail: "c2 broke" }), c("c3")),
      seqOf(c("d1", { runMs: 300 }), c("d2")),
    );
    const id = await e.startKinds(root);
    const v = await e.until(id);
    expect(v.status).toBe("rolled_back");
    const t = byKey(v);
    // c3 never ran; every task that started was reverted, each once.
    expect(t[`${k}c3`].status).toBe("not_started");
    const started = leaves(v).filter((x) => x.run.startedAt);
    expect(started.length).toBeGreaterThanOrEqual(4);
    for (const x of started) expect(x.status, x.description).toBe("rolled_back");
    const ev = eventsOf(k);
    for (const x of started) expect(ev.filter((y) => y === `revert:${x.description.slice(`Count ${k}`.length)}`)).toHaveLength(1);
    expect(ev.indexOf("revert:c2")).toBeLessThan(ev.indexOf("revert:c1"));
    // The others stopped because of it (a running task finishes, no next one starts): the first failure is named.
    expect(v.tasks!.run.error).toMatch(/^\d of 4 parallel task\(s\) failed; the first: c2 broke$/);
    expect(t[`${k}a2`].status).toBe("not_started");
  });
});

describe.concurrent("failures and rollback", () => {
  it("a sequence whose second of three fails: first and second reverted (second first), third never run, one rollback", async () => {
    const k = "s3-";
    const id = await e.startKinds(seqOf(count(`${k}1`), count(`${k}2`, { fail: "second failed" }), count(`${k}3`)));
    const v = await e.until(id);
    expect(v.status).toBe("rolled_back");
    expect(eventsOf(k)).toEqual(["run:1", "ran:1", "run:2", "revert:2", "reverted:2", "revert:1", "reverted:1"]);
    const t = byKey(v);
    expect(t[`${k}1`].status).toBe("rolled_back");
    expect(t[`${k}2`].status).toBe("rolled_back");
    expect(t[`${k}2`].run.error).toBe("second failed");
    expect(t[`${k}3`].status).toBe("not_started");
    expect(t[`${k}3`].run.startedAt).toBeNull();
    expect(t[`${k}3`].revert.startedAt).toBeNull();
    const rollbackLog = await e.log(id, "rollback");
    expect(rollbackLog.filter((l) => l.startsWith("Rollback started"))).toHaveLength(1);
    expect(rollbackLog.at(-1)).toBe("Rollback finished");
    const rolloutLog = await e.log(id, "rollout");
    expect(rolloutLog).toContain(`Task 2 (Count ${k}2) failed: second failed`);
    expect(rolloutLog).toContain(`Rollout stopped by the failure of task 2 (Count ${k}2): second failed; rolling back`);
  });

  it("a sequence reverts in reverse order; a parallel group reverts its children in parallel", async () => {
    const k = "ro-";
    const c = (x: string, more = {}) => count(`${k}${x}`, { revertMs: 200, ...more });
    const id = await e.startKinds(seqOf(c("a"), parOf(c("b1"), c("b2"), c("b3")), c("d"), count(`${k}e`, { fail: "e failed" })));
    const v = await e.until(id);
    expect(v.status).toBe("rolled_back");
    const reverts = eventsOf(k).filter((x) => x.startsWith("revert"));
    // e, then d, then b1..b3 together (all begun before any ended), then a.
    expect(reverts.slice(0, 4)).toEqual(["revert:e", "reverted:e", "revert:d", "reverted:d"]);
    expect(reverts.slice(4, 7).sort()).toEqual(["revert:b1", "revert:b2", "revert:b3"]);
    expect(reverts.slice(7, 10).sort()).toEqual(["reverted:b1", "reverted:b2", "reverted:b3"]);
    expect(reverts.slice(10)).toEqual(["revert:a", "reverted:a"]);
  });

  it("a failing task in a parallel group stops its siblings: a long delay ends early, and all are reverted", async () => {
    const id = await e.start({ par: [{ delay: 15 }, { seq: [{ noop: true }, { fail: "host 2 broke" }] }, { delay: 15 }] });
    const v = await e.until(id, undefined, 5000);
    expect(v.status).toBe("rolled_back");
    const [d1, , d2] = v.tasks!.children;
    for (const d of [d1, d2]) {
      expect(d.run.error).toMatch(/^Stopped by abort after \d+ of 15 secs$/);
      expect(d.status).toBe("rolled_back");
    }
    expect(v.rolloutFinishedAt! - v.rolloutStartedAt!).toBeLessThan(3000);
  });

  it("a failing task stops a sequence in a parallel group before its next task starts", async () => {
    const k = "pf-";
    const id = await e.startKinds(parOf(seqOf(count(`${k}a1`, { runMs: 300 }), count(`${k}a2`)), count(`${k}b`, { fail: "b broke" })));
    const v = await e.until(id);
    expect(v.status).toBe("rolled_back");
    const t = byKey(v);
    expect(t[`${k}a1`].status).toBe("rolled_back"); // it ran to its end (graceful), then was reverted
    expect(t[`${k}a1`].run.finishedAt).not.toBeNull();
    expect(t[`${k}a2`].status).toBe("not_started");
  });

  it("a revert that throws is recorded, the rollback carries on, and the rollout ends rollback_failed", async () => {
    const k = "rf-";
    const id = await e.startKinds(
      seqOf(count(`${k}a`), count(`${k}b`, { failRevert: "cannot undo b" }), parOf(count(`${k}c`), count(`${k}d`, { failRevert: "cannot undo d" })), count(`${k}e`, { fail: "e failed" })),
    );
    const v = await e.until(id);
    expect(v.status).toBe("rollback_failed");
    const t = byKey(v);
    expect(t[`${k}e`].status).toBe("rolled_back");
    expect(t[`${k}c`].status).toBe("rolled_back");
    expect(t[`${k}d`].status).toBe("revert_failed");
    expect(t[`${k}d`].revert.error).toBe("cannot undo d");
    expect(t[`${k}d`].revert.trace).toMatch(/CountTask\.revert/);
    expect(t[`${k}d`].revert.failedAt).toBeGreaterThanOrEqual(t[`${k}d`].revert.startedAt!);
    expect(t[`${k}b`].status).toBe("revert_failed");
    expect(t[`${k}a`].status).toBe("rolled_back"); // carried on past b
    expect(v.tasks!.status).toBe("revert_failed");
    expect(v.tasks!.children[2].status).toBe("revert_failed");
    expect(v.progress).toMatchObject({ total: 5, started: 5, reverted: 3, revertFailed: 2 });
    expect(v.rollbackFinishedAt).not.toBeNull();
    const log = await e.log(id, "rollback");
    expect(log).toContain(`Revert of task 2 (Count ${k}b) failed: cannot undo b`);
    expect(log).toContain(`Revert of task 5 (Count ${k}d) failed: cannot undo d`);
    expect(log.at(-1)).toBe("Rollback finished with errors; 2 task(s) that ran are not reverted");
  });

  it("the fixtures' fail-on-revert task: run finishes, revert fails", async () => {
    const id = await e.start({ seq: [{ fail: "undo failed", onRevert: true }, { fail: "run failed" }] });
    const v = await e.until(id);
    expect(v.status).toBe("rollback_failed");
    const [a, b] = v.tasks!.children;
    expect(a.run.result).toBe("ran");
    expect(a.revert.error).toBe("undo failed");
    expect(b.revert.result).toBe("reverted");
  });
});

describe.concurrent("records", () => {
  it("run and revert records on success: started at, result as text and when", async () => {
    const k = "rec-";
    const id = await e.startKinds(seqOf(count(`${k}a`), count(`${k}b`, { fail: "stop here" })));
    const v = await e.until(id);
    const a = byKey(v)[`${k}a`];
    expect(a.run).toEqual({ startedAt: expect.any(Number), finishedAt: expect.any(Number), result: `{"ran":"${k}a"}`, failedAt: null, error: null, trace: null });
    expect(a.revert).toEqual({ startedAt: expect.any(Number), finishedAt: expect.any(Number), result: `undid ${k}a`, failedAt: null, error: null, trace: null });
    expect(a.revert.startedAt).toBeGreaterThanOrEqual(a.run.finishedAt!);
  });

  it("run records on failure: error message, stack trace and when; nothing claims it finished", async () => {
    const id = await e.start({ fail: "it broke" });
    const v = await e.until(id);
    const r = v.tasks!.run;
    expect(r.error).toBe("it broke");
    expect(r.trace).toMatch(/^Error: it broke\n\s+at FailTask\.run/);
    expect(r.failedAt).toBeGreaterThanOrEqual(r.startedAt!);
    expect(r.finishedAt).toBeNull();
    expect(r.result).toBeNull();
  });

  it("running a task twice throws and changes nothing that was recorded", async () => {
    const k = "tw-";
    const id = await e.startKinds({ type: "test:Twice", children: [count(`${k}x`)] });
    const v = await e.until(id);
    expect(v.status).toBe("finished");
    expect(v.tasks!.run.result).toBe("refused: Task 1 (Count tw-x) has already run");
    expect(eventsOf(k)).toEqual(["run:x", "ran:x"]);
    const child = v.tasks!.children[0];
    expect(child.status).toBe("finished");
    expect(child.run.result).toBe(`{"ran":"${k}x"}`);
    expect(child.run.error).toBeNull();
  });

  it("running a task twice at the same time: only one run happens", async () => {
    const k = "tc-";
    const id = await e.startKinds({ type: "test:Twice", state: { concurrent: true }, children: [count(`${k}x`, { runMs: 50 })] });
    const v = await e.until(id);
    expect(v.status).toBe("finished");
    expect(v.tasks!.run.result).toBe("ran | refused: Task 1 (Count tc-x) has already run");
    expect(eventsOf(k)).toEqual(["run:x", "ran:x"]);
  });

  it("reverting a task twice throws and changes nothing that was recorded", async () => {
    const k = "rt-";
    const id = await e.startKinds(seqOf({ type: "test:Twice", children: [count(`${k}x`)] }, count(`${k}f`, { fail: "roll it back" })));
    const v = await e.until(id);
    expect(v.status).toBe("rolled_back");
    const twice = v.tasks!.children[0];
    expect(twice.revert.result).toBe("refused: Task 2 (Count rt-x) has already been reverted");
    expect(eventsOf(k).filter((x) => x.endsWith(":x"))).toEqual(["run:x", "ran:x", "revert:x", "reverted:x"]);
    expect(twice.children[0].revert.result).toBe(`undid ${k}x`);
    expect(twice.children[0].status).toBe("rolled_back");
  });

  it("reverting a task twice at the same time: only one revert happens", async () => {
    const k = "rc-";
    const id = await e.startKinds(seqOf({ type: "test:Twice", state: { concurrent: true }, children: [count(`${k}x`, { revertMs: 50 })] }, count(`${k}f`, { fail: "roll it back" })));
    const v = await e.until(id);
    expect(v.tasks!.children[0].run.result).toBe("ran | refused: Task 2 (Count rc-x) has already run");
    expect(eventsOf(k).filter((x) => x.startsWith("revert") && x.endsWith(":x"))).toEqual(["revert:x", "reverted:x"]);
    expect(v.tasks!.children[0].revert.result).toMatch(/^reverted: true \| refused: Task 2 \(Count rc-x\) is already being reverted$/);
  });

  it("reverting a task that never ran throws and records nothing", async () => {
    const k = "rn-";
    const id = await e.startKinds({ type: "test:RevertFirst", children: [count(`${k}x`)] });
    const v = await e.until(id);
    expect(v.status).toBe("finished");
    expect(v.tasks!.run.result).toBe("refused: Task 1 (Count rn-x) never ran: nothing to revert");
    const child = v.tasks!.children[0];
    expect(child.status).toBe("not_started");
    expect(child.revert).toEqual({ startedAt: null, finishedAt: null, result: null, failedAt: null, error: null, trace: null });
    expect(eventsOf(k)).toEqual([]);
  });
});

describe.concurrent("the task context", () => {
  it("gives phase, log, sleep and exec to run and revert, logging into the task's run and revert logs", async () => {
    const id = await e.startKinds(seqOf({ type: "test:Context", state: { command: ["sh", "-c", "echo out1; echo out2"] } }, { type: "fixtures:FailTask", state: { message: "back" } }));
    const v = await e.until(id);
    expect(v.status).toBe("rolled_back");
    const t = v.tasks!.children[0];
    expect(JSON.parse(t.run.result!)).toEqual({ slept: true, out: "out1,out2", abort: false, term: false });
    expect(t.revert.result).toBe("revert");
    expect(await e.taskLog(id, t.id, "run")).toEqual(["Started", "phase run", "$ sh -c echo out1; echo out2", "out1", "out2", 'Finished: {"slept":true,"out":"out1,out2","abort":false,"term":false}']);
    expect(await e.taskLog(id, t.id, "revert")).toEqual(["Revert started", "phase revert", "Reverted: revert"]);
  });
});

describe("state in the database", () => {
  it("a generated tree is rebuilt from the database by type and state, with the same kinds and descriptions", async () => {
    const id = await e.create({
      seq: [{ delay: 90, reversible: true }, { par: [{ noop: "a" }, { shell: ["echo", "hi"], revert: ["echo", "bye"] }] }, { fail: "x", onRevert: true }],
    });
    const root = (await loadTree(e.db, id))!;
    const tasks = [...root.walk()];
    expect(tasks.map((t) => t.constructor)).toEqual([SequentialExecTask, DelayTask, ParallelExecTask, NoopTask, (await import("@/lib/kettle")).ShellTask, FailTask]);
    expect(tasks.map((t) => t.typeName)).toEqual(["SequentialExecTask", "DelayTask", "ParallelExecTask", "fixtures:NoopTask", "ShellTask", "fixtures:FailTask"]);
    expect(tasks.map((t) => t.id)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(tasks.map((t) => t.description())).toEqual([
      "Execute in sequence:",
      "Delay for 1:30 mins (reversible)",
      "Execute in parallel:",
      "a",
      "Run `echo hi`, revert with `echo bye`",
      "Fail on revert: x",
    ]);
    expect(tasks[1].state).toEqual({ minutes: 0, seconds: 90, reversible: true });
    expect(tasks[4].state).toEqual({ command: ["echo", "hi"], revertCommand: ["echo", "bye"] });
    expect(tasks.every((t) => t.status === "not_started")).toBe(true);
  });

  it("task records survive a reload: what the runner recorded is what loadTree gives back", async () => {
    const k = "rl-";
    const id = await e.startKinds(seqOf(count(`${k}a`), parOf(count(`${k}b`), count(`${k}c`, { fail: "c failed" })), count(`${k}d`)));
    const v = await e.until(id);
    const root = (await loadTree(e.db, id))!;
    const fromDb = [...root.walk()];
    const viewed = flatten(v.tasks);
    expect(fromDb.map((t) => t.status)).toEqual(["rolled_back", "rolled_back", "rolled_back", "rolled_back", "rolled_back", "not_started"]);
    expect(fromDb.map((t) => t.status)).toEqual(viewed.map((t) => t.status));
    for (const [i, t] of fromDb.entries()) {
      expect(t.records.runStartedAt).toBe(viewed[i].run.startedAt);
      expect(t.records.runResult).toBe(viewed[i].run.result);
      expect(t.records.runError).toBe(viewed[i].run.error);
      expect(t.records.revertFinishedAt).toBe(viewed[i].revert.finishedAt);
      expect(t.state).toEqual(viewed[i].state);
    }
    expect(fromDb[4].records.runError).toBe("c failed");
    expect(fromDb[4].records.runTrace).toMatch(/CountTask\.run/);
  });
});

describe.concurrent("rollouts", () => {
  it("run once: a second run is refused and changes nothing", async () => {
    const id = await e.start({ noop: true }, {}, "first");
    await e.until(id);
    await expect(runRollout(e.db, id, "second")).rejects.toMatchObject({ kind: "conflict", message: expect.stringMatching(/already been run/) });
    const v = await getRollout(e.db, id);
    expect(v.runBy).toBe("first");
    expect(v.status).toBe("finished");
  });

  it("show their info() lines", async () => {
    const id = await e.create({ noop: true });
    expect((await getRollout(e.db, id)).info).toEqual(["A test fixture: its tree comes from config.tree"]);
  });

  it("a gradual rollout runs one item, then up to half, then the rest, with delays between", async () => {
    const items = ["h1", "h2", "h3", "h4", "h5", "h6"];
    const id = await createRollout(e.db, { kind: "fixtures:GradualRollout", config: { items, delaySeconds: 0.1 } }, [...offered, "fixtures:GradualRollout"]);
    await runRollout(e.db, id, "tester");
    const v = await e.until(id);
    expect(v.status).toBe("finished");
    const [first, d1, wave2, d2, wave3] = v.tasks!.children;
    expect(first.description).toBe("h1");
    expect(wave2.description).toBe("Execute in parallel:");
    expect(wave2.children.map((c) => c.description)).toEqual(["h2", "h3"]);
    expect(wave3.children.map((c) => c.description)).toEqual(["h4", "h5", "h6"]);
    expect(d1.run.startedAt).toBeGreaterThanOrEqual(first.run.finishedAt!);
    expect(wave2.run.startedAt! - d1.run.startedAt!).toBeGreaterThanOrEqual(95);
    expect(d2.run.startedAt).toBeGreaterThanOrEqual(wave2.run.finishedAt!);
    expect(wave3.run.startedAt! - d2.run.startedAt!).toBeGreaterThanOrEqual(95);
  });

  it("log what started, what failed, and the rollback", async () => {
    const id = await e.start({ seq: [{ noop: "one" }, { fail: "two broke" }] }, {}, "carol");
    await e.until(id);
    const rollout = await e.log(id, "rollout");
    expect(rollout[0]).toMatch(/^Rollout started by carol on .+ \(instance .+\)$/);
    expect(rollout.slice(1)).toEqual([
      "Task 2 (Fail: two broke) failed: two broke",
      "Rollout stopped by the failure of task 2 (Fail: two broke): two broke; rolling back",
    ]);
    expect(await e.log(id, "rollback")).toEqual(["Rollback started: reverting every task that started", "Rollback finished"]);
    expect(await e.taskLog(id, 1, "run")).toEqual(["Started", "Finished"]);
    expect(await e.taskLog(id, 2, "run")).toEqual(["Started", "Failed: two broke"]);
    expect(await e.taskLog(id, 2, "revert")).toEqual(["Revert started", "Reverted: reverted"]);
    expect(await e.taskLog(id, 0, "revert")).toEqual(["Revert started", "Reverted"]);
  });
});

// The rollback preview is what the executor then does: captured while a rollout
// runs (nested sequences and parallel groups, partly run), then compared with
// the order the real runner reverts in (the CountTasks' journal).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { randomBytes } from "node:crypto";
import { engine, eventsOf, count, seqOf, parOf, leaves, type Engine } from "./harness";
import { previewTasks, type PreviewStep } from "@/lib/kettle/authoring/rollback-plan";

let e: Engine;
beforeAll(async () => {
  e = await engine();
});
afterAll(async () => {
  await e.stop();
});

const key = () => `k${randomBytes(4).toString("hex")}`;

/** Checks the journal against the preview: every sequence in order, every parallel step's branches at once. */
function checkOrder(steps: PreviewStep[], journal: string[], label: (description: string) => string) {
  const keys = (s: PreviewStep): string[] => previewTasks([s]).map((t) => label(t.description));
  const first = (s: PreviewStep) => Math.min(...keys(s).map((k) => journal.indexOf(`revert:${k}`)));
  const last = (s: PreviewStep) => Math.max(...keys(s).map((k) => journal.indexOf(`reverted:${k}`)));
  const sequence = (ss: PreviewStep[]) => {
    for (let i = 0; i + 1 < ss.length; i++) expect(last(ss[i]), `${keys(ss[i])} reverted before ${keys(ss[i + 1])} starts`).toBeLessThan(first(ss[i + 1]));
    ss.forEach(inner);
  };
  const inner = (s: PreviewStep) => {
    if ("sequence" in s) sequence(s.sequence);
    if ("parallel" in s) {
      const starts = s.parallel.map(first);
      const ends = s.parallel.map(last);
      expect(Math.max(...starts), "every branch starts before any branch ends").toBeLessThan(Math.min(...ends));
      s.parallel.forEach(inner);
    }
  };
  sequence(steps);
}

describe("rollback preview", () => {
  it("equals the order the executor then reverts: nested sequences and parallel groups, partly run", async () => {
    const k = key();
    const c = (name: string, more = {}) => count(`${k}${name}`, { revertMs: 80, ...more });
    const id = await e.startKinds(
      seqOf(
        c("A"),
        parOf(c("B", { revertMs: 200 }), seqOf(c("C"), c("D"))),
        parOf(c("E", { runMs: 1200 }), seqOf(c("F"), c("G", { runMs: 1200 }), c("H"))),
        c("K"),
        parOf(c("L"), c("M")),
      ),
    );
    const running = await e.waitView(id, (v) => leaves(v).filter((t) => t.status === "started").length === 2, "E and G to run");
    const preview = running.rollbackPreview!;
    expect(preview.skipRollback).toBe(false);
    // What the page lists: E and G (running) with F, then B with D and C, then A.
    const label = (d: string) => d.replace(`Count ${k}`, "");
    expect(previewTasks(preview.steps).map((t) => label(t.description))).toEqual(["E", "G", "F", "B", "D", "C", "A"]);
    expect(preview.count).toBe(7);
    expect(JSON.parse(JSON.stringify(preview.steps, (key, v) => (key === "description" ? label(v) : ["taskId", "type", "status"].includes(key) ? undefined : v)))).toEqual([
      { parallel: [{ description: "E" }, { sequence: [{ description: "G" }, { description: "F" }] }] },
      { parallel: [{ description: "B" }, { sequence: [{ description: "D" }, { description: "C" }] }] },
      { description: "A" },
    ]);

    await e.signal(id, "abort_rollout");
    const done = await e.until(id);
    expect(done.status).toBe("rolled_back");
    expect(done.rollbackPreview).toBeNull();
    const journal = eventsOf(k);
    const reverted = journal.filter((x) => x.startsWith("reverted:")).map((x) => x.slice("reverted:".length));
    expect(new Set(reverted)).toEqual(new Set(["A", "B", "C", "D", "E", "F", "G"]));
    checkOrder(preview.steps, journal, label);
  });

  it("in a sequence alone: the started tasks newest first, the failed one included; nothing once the rollout is done", async () => {
    const k = key();
    const id = await e.startKinds(seqOf(count(`${k}1`), count(`${k}2`), count(`${k}3`, { runMs: 800 }), count(`${k}4`)));
    const v = await e.waitView(id, (x) => leaves(x)[2].status === "started", "the third to run");
    expect(previewTasks(v.rollbackPreview!.steps).map((t) => t.description)).toEqual([`Count ${k}3`, `Count ${k}2`, `Count ${k}1`]);
    expect(v.rollbackPreview!.steps.every((s) => "taskId" in s)).toBe(true);
    await e.signal(id, "skip_rollback");
    expect((await e.view(id)).rollbackPreview!.skipRollback).toBe(true);
    const done = await e.until(id);
    expect(done.rollbackPreview).toBeNull();
  });

  it("during the rollback: only the reverts still to come", async () => {
    const k = key();
    const id = await e.startKinds(seqOf(count(`${k}1`), count(`${k}2`, { revertMs: 1000 }), count(`${k}3`), count(`${k}4`, { fail: "boom" })));
    const v = await e.waitView(id, (x) => leaves(x)[1].status === "rolling_back", "the second to be reverting");
    expect(previewTasks(v.rollbackPreview!.steps).map((t) => t.description)).toEqual([`Count ${k}2`, `Count ${k}1`]);
    expect(v.eta?.phase).toBe("rollback");
    await e.until(id);
  });
});

describe("time left", () => {
  it("counts down a sequence of delays, with a group's own time left; open-ended while paused", async () => {
    const id = await e.start({ seq: [{ delay: 1 }, { delay: 2 }] });
    const v = await e.waitView(id, (x) => x.tasks!.children[0].status === "started", "the first delay to run");
    expect(v.eta).toMatchObject({ phase: "run", confidence: "high", note: null });
    expect(v.eta!.secondsLeft).toBeGreaterThanOrEqual(2);
    expect(v.eta!.secondsLeft).toBeLessThanOrEqual(3);
    expect(v.eta!.endsAt! - v.now).toBeGreaterThan(1500);
    expect(v.eta!.groups).toEqual([{ taskId: v.tasks!.id, secondsLeft: expect.any(Number) }]);
    await e.signal(id, "pause_rollout");
    const p = await e.view(id);
    expect(p.eta).toMatchObject({ endsAt: null, secondsLeft: null, confidence: "low", note: expect.stringMatching(/^Paused/) });
    expect(p.eta!.workSeconds).toBeGreaterThanOrEqual(2);
    await e.signal(id, "resume_rollout");
    const done = await e.until(id);
    expect(done.eta).toBeNull();
  });
});

describe("plans", () => {
  it("every finalise keeps its plan, in the same batch; a started rollout's refused finalise keeps none", async () => {
    const { refinaliseRollout } = await import("@/lib/kettle/operations");
    const { planHistory, currentPlan } = await import("@/lib/kettle/read/plans");
    const id = await e.create({ seq: [{ noop: "a" }, { delay: 1 }] });
    await refinaliseRollout(e.db, id, { config: { tree: { seq: [{ noop: "a" }, { noop: "b" }, { delay: 2 }] } } });
    const history = await planHistory(e.db, id);
    expect(history.map((p) => p.diff?.tasks)).toEqual([
      undefined,
      { added: [{ type: "fixtures:NoopTask", description: "b", path: "0.1" }], removed: [], changed: [{ type: "DelayTask", before: "Delay for 1 secs", after: "Delay for 2 secs", path: "0.2" }] },
    ]);
    expect(history[1].diff!.config.map((c) => c.field)).toEqual(["tree"]);
    expect((await currentPlan(e.db, id)).tree!.children.map((c) => c.description)).toEqual(["a", "b", "Delay for 2 secs"]);
    await (await import("@/lib/kettle/operations")).runRollout(e.db, id, "tester");
    await expect(refinaliseRollout(e.db, id, { config: { tree: { noop: true } } })).rejects.toThrow(/already started/);
    expect(await planHistory(e.db, id)).toHaveLength(2);
    await e.until(id);
  });
});

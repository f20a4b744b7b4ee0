// The canary judge in a rollout (testRollout, fake time): compare metrics
// collect [baseline, canary] pairs over the interval, are classified against the
// baseline and scored; the score decides the step.
import { beforeAll, expect, test } from "vitest";
import { loadTaskKinds } from "@/lib/kettle/modules/registry";
import { testRollout } from "@/lib/kettle/testing";
import { AnalysisTask, Rollout, type MetricSpec, type Task } from "@/lib/kettle";

beforeAll(() => loadTaskKinds());

/** A deterministic wobble around `level`: the nth sample. */
const wobble = (level: number) => {
  let n = 0;
  return () => level * (1 + 0.05 * Math.sin(++n * 1.7));
};
let sides: Record<string, () => number> = {};

class Canaried extends Rollout<{ metrics: MetricSpec[]; canary?: { pass?: number; marginal?: number } }> {
  static measures = {
    baseline: () => sides.baseline(),
    canary: () => sides.canary(),
    baseline2: () => sides.baseline2(),
    canary2: () => sides.canary2(),
  };
  generateTasks(): Task {
    return new AnalysisTask({ title: "canary", metrics: this.config.metrics, ...(this.config.canary ? { canary: this.config.canary } : {}) });
  }
}

const compare = (name: string, b: string, c: string, more: Partial<MetricSpec["compare"]> = {}, interval = "30s"): MetricSpec => ({
  name,
  compare: { baseline: { custom: b }, canary: { custom: c }, ...more },
  interval,
  count: 12,
});

test("a canary like its baseline passes: score 100, the step finishes; each measurement is a [baseline, canary] pair", async () => {
  sides = { baseline: wobble(100), canary: wobble(101) };
  const r = await testRollout(Canaried, { metrics: [compare("latency", "baseline", "canary")] });
  expect(r.status).toBe("finished");
  const run = r.analysis.runs[0];
  expect(run.why).toMatch(/^canary score: canary score 100 \(1 of 1 metrics passed; pass ≥ 95, marginal ≥ 75\)/);
  expect(run.metrics[0].measurements).toHaveLength(12);
  expect(run.metrics[0].measurements[0].value).toEqual([expect.any(Number), expect.any(Number)]);
  expect(run.metrics[0].compare).toEqual({ direction: "increase", tolerance: 0.25, critical: false });
});

test("a canary 30% slower is High: score 0 → the step fails and the rollout rolls back, the interval in the reason", async () => {
  sides = { baseline: wobble(100), canary: wobble(130) };
  const r = await testRollout(Canaried, { metrics: [compare("latency", "baseline", "canary")] });
  expect(r.status).toBe("rolled_back");
  expect(r.root!.run.error).toMatch(/Analysis failed: canary score: canary score 0 \(0 of 1 metrics passed.*latency: 12 pairs: high: shift canary − baseline [\d.]+, in \[[\d.]+, [\d.]+\] \(98%\)/);
});

test("one of two metrics High: score 50 against marginal 40 → inconclusive: the rollout pauses for a person", async () => {
  sides = { baseline: wobble(100), canary: wobble(130), baseline2: wobble(10), canary2: wobble(10) };
  const r = await testRollout(Canaried, { metrics: [compare("latency", "baseline", "canary", {}, "100ms"), compare("errors", "baseline2", "canary2", {}, "100ms")], canary: { pass: 90, marginal: 40 } }, {
    during: async (c) => {
      const v = await c.until((v) => v.status === "paused", 8000);
      expect(v.pausedReason?.message).toMatch(/Analysis inconclusive: canary score: canary score 50/);
      await c.signal("abort_rollout");
    },
    timeoutMs: 20_000,
  });
  expect(r.status).toBe("rolled_back");
});

test("direction decrease ignores a rise; a critical metric that does not pass scores 0", async () => {
  sides = { baseline: wobble(100), canary: wobble(130), baseline2: wobble(10), canary2: wobble(10) };
  const ignored = await testRollout(Canaried, { metrics: [compare("latency", "baseline", "canary", { direction: "decrease" })] });
  expect(ignored.status).toBe("finished");
  sides = { baseline: wobble(100), canary: wobble(130), baseline2: wobble(10), canary2: wobble(10) };
  const critical = await testRollout(Canaried, { metrics: [compare("latency", "baseline", "canary", { critical: true }), compare("errors", "baseline2", "canary2")], canary: { pass: 50, marginal: 25 } });
  expect(critical.status).toBe("rolled_back");
  expect(critical.root!.run.error).toMatch(/canary score 0: the critical metric latency is high/);
});

test("a compare metric with conditions or without both sides is refused at finalise, naming the field", async () => {
  await expect(testRollout(Canaried, { metrics: [{ ...compare("x", "baseline", "canary"), successCondition: "result < 1" }] })).rejects.toThrow(/metrics\[0\]\.successCondition: a compare metric is judged against its baseline/);
  await expect(testRollout(Canaried, { metrics: [{ name: "x", compare: { baseline: { custom: "baseline" } } } as unknown as MetricSpec] })).rejects.toThrow(/metrics\[0\]\.compare\.canary: one of/);
  await expect(testRollout(Canaried, { metrics: [compare("x", "baseline", "canary")], canary: { pass: 50, marginal: 80 } })).rejects.toThrow(/canary\.marginal: at most canary\.pass/);
});

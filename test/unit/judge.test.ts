// The canary judge's classification and score (lib/kettle/analysis/judge.ts) on
// the golden samples R judged (test/golden/mann-whitney.json) and on edge cases.
import { expect, test } from "vitest";
import golden from "../golden/mann-whitney.json";
import { classifyCanary, scoreCanary } from "@/lib/kettle/analysis/judge";

const byName = (name: string) => (golden as { name: string; canary: number[]; baseline: number[] }[]).find((c) => c.name === name)!;

test("a canary clearly higher is High (direction increase), a clearly lower one Low only when decrease is watched", () => {
  const up = byName("small, no ties, canary higher");
  expect(classifyCanary(up.canary, up.baseline).classification).toBe("high");
  expect(classifyCanary(up.canary, up.baseline, { direction: "decrease" }).classification).toBe("pass");
  const down = byName("small, no ties, canary lower");
  expect(classifyCanary(down.canary, down.baseline).classification).toBe("pass");
  expect(classifyCanary(down.canary, down.baseline, { direction: "either" }).classification).toBe("low");
});

test("an interval that reaches into the band of a quarter of the shift passes: 0.052 vs 0.05 (98% interval [~0, 0.008])", () => {
  const c = byName("large, shifted");
  const r = classifyCanary(c.canary, c.baseline);
  expect(r.classification).toBe("pass");
  expect(r.why).toMatch(/^pass: shift canary − baseline 0\.004\d*, in \[[^,]+, 0\.008\] \(98%\); the band ±0\.001\d* \(tolerance 0\.25 × the shift\)/);
  // 120 ms vs 100 ms: shift 16.3 in [3.2, 28.6]; the band of 0.25 × 16.3 = ±4.1 reaches 3.2 (Pass),
  // a tolerance of 0.1 (±1.6) does not (High).
  const skewed = byName("large, skewed latencies");
  expect(classifyCanary(skewed.canary, skewed.baseline).classification).toBe("pass");
  expect(classifyCanary(skewed.canary, skewed.baseline, { tolerance: 0.1 }).classification).toBe("high");
});

test("no data on either side, identical samples, every value the same", () => {
  expect(classifyCanary([], [1, 2]).classification).toBe("nodata");
  expect(classifyCanary([1, 2, 3], [3, 2, 1]).classification).toBe("pass");
  expect(classifyCanary([5, 5, 5], [1, 1, 1]).classification).toBe("high");
});

test("the score: the share that passed against pass and marginal; a critical metric that did not pass scores 0; NoData is left out", () => {
  const m = (classification: "pass" | "high" | "low" | "nodata", critical = false) => ({ name: `m-${classification}`, classification, critical });
  expect(scoreCanary([m("pass"), m("pass"), m("nodata")])).toMatchObject({ score: 100, verdict: "successful" });
  expect(scoreCanary([m("pass"), m("pass"), m("pass"), m("high")])).toMatchObject({ score: 75, verdict: "inconclusive" });
  expect(scoreCanary([m("pass"), m("high")])).toMatchObject({ score: 50, verdict: "failed" });
  expect(scoreCanary([m("pass"), m("pass"), m("low", true)])).toMatchObject({ score: 0, verdict: "failed", why: expect.stringMatching(/critical metric m-low is low/) });
  expect(scoreCanary([m("pass"), m("high")], { pass: 50, marginal: 25 })).toMatchObject({ score: 50, verdict: "successful" });
  expect(scoreCanary([m("nodata")])).toMatchObject({ score: 0, verdict: "failed" });
});

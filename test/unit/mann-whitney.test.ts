// The canary judge's statistics against R's wilcox.test(canary, baseline,
// conf.int = TRUE, conf.level = 0.98): the committed golden cases
// (test/golden/mann-whitney.json, made by scripts/mann-whitney-golden.R).
import { expect, test } from "vitest";
import golden from "../golden/mann-whitney.json";
import { mannWhitney, pwilcox, qwilcox, rank } from "@/lib/kettle/analysis/mann-whitney";

test("rank gives ties their average rank, as R's rank() does", () => {
  expect(rank([3, 1, 3, 2])).toEqual([3.5, 1, 3.5, 2]);
});

test("the exact distribution: P(W ≤ q) and its quantile (R: pwilcox(3, 4, 5) = 0.0555555556, qwilcox(0.01, 10, 10) = 20)", () => {
  expect(pwilcox(3, 4, 5)).toBeCloseTo(1 / 18, 12);
  expect(qwilcox(0.01, 10, 10)).toBe(20);
});

for (const c of golden as { name: string; canary: number[]; baseline: number[]; W: number; pValue: number; confInt: [number, number]; estimate: number; method: string }[]) {
  test(`as R computes it: ${c.name} (${c.method})`, () => {
    const r = mannWhitney(c.canary, c.baseline, 0.98);
    expect(r.exact).toBe(c.method.includes("exact"));
    expect(r.W).toBe(c.W);
    expect(Math.abs(r.pValue - c.pValue)).toBeLessThan(1e-9 + 1e-9 * c.pValue);
    // Exact: the same pairwise differences. Approximate: R's uniroot (tol 1e-4) stops near the
    // step where the statistic crosses its quantile; we find that step to 1e-12, so allow
    // R's tolerance: 1.5e-4, or 5e-5 of the value (16.311 vs 16.3113 on the latency case).
    const tol = (v: number) => (r.exact ? 1e-12 : Math.max(1.5e-4, 5e-5 * Math.abs(v)));
    expect(Math.abs(r.confInt[0] - c.confInt[0])).toBeLessThan(tol(c.confInt[0]));
    expect(Math.abs(r.confInt[1] - c.confInt[1])).toBeLessThan(tol(c.confInt[1]));
    expect(Math.abs(r.estimate - c.estimate)).toBeLessThan(tol(c.estimate));
  });
}

// The canary judge, after Kayenta's: each `compare` metric's canary samples are
// classified against the baseline's by the Mann–Whitney U test (98% interval of
// the Hodges–Lehmann shift canary − baseline): High when the whole interval lies
// above tolerance × |the estimated shift|, Low when it lies below minus that (as
// `direction` allows), else Pass (Kayenta's MannWhitneyClassifier: the interval
// must leave out zero and a band of a quarter of the shift around it); no samples on either side: NoData. The metrics
// are then scored 0–100 (the share that passed; a critical one that did not:
// 0) and the score is held against the `pass` and `marginal` thresholds.
import { mannWhitney } from "./mann-whitney";

export type Direction = "increase" | "decrease" | "either";
export type Classification = "pass" | "high" | "low" | "nodata";
export type CompareOptions = { direction?: Direction; tolerance?: number; confLevel?: number };

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};
const fmt = (n: number) => String(Number(n.toPrecision(3)));

export function classifyCanary(canary: number[], baseline: number[], opts: CompareOptions = {}): { classification: Classification; why: string } {
  const direction = opts.direction ?? "increase";
  const tolerance = opts.tolerance ?? 0.25;
  if (!canary.length || !baseline.length) return { classification: "nodata", why: `no data (${canary.length} canary, ${baseline.length} baseline samples)` };
  const same = canary.length === baseline.length && [...canary].sort().every((v, i) => v === [...baseline].sort()[i]);
  if (same) return { classification: "pass", why: "canary and baseline are the same" };
  let lo: number;
  let hi: number;
  let estimate: number;
  try {
    const r = mannWhitney(canary, baseline, opts.confLevel ?? 0.98);
    [lo, hi] = r.confInt;
    estimate = r.estimate;
  } catch {
    lo = hi = estimate = median(canary) - median(baseline); // every value the same: the shift is exact
  }
  const allowed = tolerance * Math.abs(estimate);
  const interval = `shift canary − baseline ${fmt(estimate)}, in [${fmt(lo)}, ${fmt(hi)}] (98%); the band ±${fmt(allowed)} (tolerance ${tolerance} × the shift)`;
  if (direction !== "decrease" && lo > allowed) return { classification: "high", why: `high: ${interval}` };
  if (direction !== "increase" && hi < -allowed) return { classification: "low", why: `low: ${interval}` };
  return { classification: "pass", why: `pass: ${interval}` };
}

export type Thresholds = { pass?: number; marginal?: number };
export type Scored = { name: string; classification: Classification; critical?: boolean };

/** The canary score 0–100 and its verdict: ≥ pass successful, ≥ marginal inconclusive, else failed. */
export function scoreCanary(metrics: Scored[], thresholds: Thresholds = {}): { score: number; verdict: "successful" | "inconclusive" | "failed"; why: string } {
  const pass = thresholds.pass ?? 95;
  const marginal = thresholds.marginal ?? 75;
  const judged = metrics.filter((m) => m.classification !== "nodata");
  const criticalFail = metrics.find((m) => m.critical && m.classification !== "pass");
  const passed = judged.filter((m) => m.classification === "pass").length;
  const score = criticalFail ? 0 : judged.length ? Math.round((100 * passed) / judged.length) : 0;
  const why = criticalFail
    ? `canary score 0: the critical metric ${criticalFail.name} is ${criticalFail.classification}`
    : judged.length
      ? `canary score ${score} (${passed} of ${judged.length} metrics passed; pass ≥ ${pass}, marginal ≥ ${marginal})`
      : "canary score 0: no metric had data";
  return { score, verdict: score >= pass ? "successful" : score >= marginal && judged.length ? "inconclusive" : "failed", why };
}

// The verdict rules, pure (README "Health analysis: the rules"):
//   a measurement: failure condition true → failed (failure wins over success);
//   success condition true → successful; neither → inconclusive; the provider
//   failed → error; an empty result → as noData says.
//   a metric: failed > failureLimit → Failed; inconclusive > inconclusiveLimit →
//   Inconclusive; errors in a row > consecutiveErrorLimit → Error; else after
//   count measurements → Successful (Kettle: only errors → Error).
//   the analysis: any metric (not dryRun) Failed or Error → Failed; else any
//   Inconclusive → Inconclusive; else Successful.
import { countOf, type MetricSpec } from "./spec";
import { evaluateCondition } from "./conditions";
import { classifyCanary, scoreCanary, type Classification } from "./judge";

export type Outcome = "successful" | "failed" | "inconclusive" | "error";
export type MetricVerdict = "running" | "successful" | "failed" | "inconclusive" | "error";
export type AnalysisVerdict = "successful" | "failed" | "inconclusive";
export type MetricValue = number | number[] | null;

/** One measurement as recorded. */
export type Measurement = { metric: string; at: number; value: MetricValue; outcome: Outcome; message: string | null };

export const isNoData = (v: MetricValue) => v === null || (Array.isArray(v) && v.length === 0);
export const formatValue = (v: MetricValue): string =>
  v === null ? "no data" : Array.isArray(v) ? `[${v.slice(0, 5).map(formatNumber).join(", ")}${v.length > 5 ? ", …" : ""}]` : formatNumber(v);
const formatNumber = (n: number) => (Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(4))));

/** Classifies one value by the metric's conditions; `message` says why. */
export function classify(m: MetricSpec, value: MetricValue): { outcome: Outcome; message: string } {
  const shown = formatValue(value);
  if (isNoData(value)) {
    const noData = m.noData ?? "inconclusive";
    const outcome: Outcome = noData === "fail" ? "failed" : noData === "pass" ? "successful" : "inconclusive";
    return { outcome, message: `no data: ${outcome} (noData "${noData}")` };
  }
  try {
    if (m.failureCondition && evaluateCondition(m.failureCondition, value)) return { outcome: "failed", message: `${shown} meets the failure condition ${m.failureCondition}` };
    if (m.successCondition) {
      if (evaluateCondition(m.successCondition, value)) return { outcome: "successful", message: `${shown} meets ${m.successCondition}` };
      if (!m.failureCondition) return { outcome: "failed", message: `${shown} does not meet ${m.successCondition}` };
    }
    if (!m.successCondition) return { outcome: "successful", message: `${shown} does not meet the failure condition ${m.failureCondition}` };
    return { outcome: "inconclusive", message: `${shown} meets neither ${m.successCondition} nor the failure condition ${m.failureCondition}` };
  } catch (e) {
    return { outcome: "error", message: `the condition could not be evaluated on ${shown}: ${(e as Error).message}` };
  }
}

export type Counters = { measured: number; successful: number; failed: number; inconclusive: number; errors: number; consecutiveErrors: number };

export function count(taken: Pick<Measurement, "outcome">[]): Counters {
  const c: Counters = { measured: 0, successful: 0, failed: 0, inconclusive: 0, errors: 0, consecutiveErrors: 0 };
  for (const t of taken) {
    c.measured++;
    if (t.outcome === "error") {
      c.errors++;
      c.consecutiveErrors++;
      continue;
    }
    c.consecutiveErrors = 0;
    c[t.outcome]++;
  }
  return c;
}

const ordinal = (n: number) => `${n}${n % 10 === 1 && n % 100 !== 11 ? "st" : n % 10 === 2 && n % 100 !== 12 ? "nd" : n % 10 === 3 && n % 100 !== 13 ? "rd" : "th"}`;

/** A metric's verdict from its measurements so far, and why. "running" while it needs more. */
export function metricVerdict(m: MetricSpec, taken: Measurement[]): { verdict: MetricVerdict; why: string; classification?: Classification } {
  const c = count(taken);
  const last = taken[taken.length - 1];
  const lastSays = last ? `${ordinal(c.measured)} measurement ${last.message ?? formatValue(last.value)}` : "";
  const failureLimit = m.failureLimit ?? 0;
  const inconclusiveLimit = m.inconclusiveLimit ?? 0;
  const errorLimit = m.consecutiveErrorLimit ?? 4;
  if (c.failed > failureLimit) return { verdict: "failed", why: `${lastSays}: failed (${c.failed} failed, failureLimit ${failureLimit})` };
  if (c.consecutiveErrors > errorLimit) return { verdict: "error", why: `${lastSays}: error (${c.consecutiveErrors} errors in a row, consecutiveErrorLimit ${errorLimit})` };
  if (c.inconclusive > inconclusiveLimit) return { verdict: "inconclusive", why: `${lastSays}: inconclusive (${c.inconclusive} inconclusive, inconclusiveLimit ${inconclusiveLimit})` };
  if (c.measured < countOf(m)) return { verdict: "running", why: `${c.measured} of ${countOf(m)} measured` };
  if (c.errors === c.measured) return { verdict: "error", why: `all ${c.measured} measurements were errors; the last: ${last?.message ?? ""}` };
  if (m.compare) {
    const pairs = taken.filter((t) => Array.isArray(t.value) && t.value.length === 2).map((t) => t.value as number[]);
    const judged = classifyCanary(pairs.map((p) => p[1]), pairs.map((p) => p[0]), m.compare);
    const verdict = judged.classification === "pass" ? "successful" : judged.classification === "nodata" ? "inconclusive" : "failed";
    return { verdict, why: `${pairs.length} pairs: ${judged.why}`, classification: judged.classification };
  }
  return { verdict: "successful", why: `${c.measured} measured: ${c.successful} successful, ${c.failed} failed (limit ${failureLimit}), ${c.inconclusive} inconclusive (limit ${inconclusiveLimit}), ${c.errors} errors` };
}

/** The analysis's verdict from its metrics' verdicts (dry-run metrics left out). */
type Judged = { name: string; dryRun?: boolean; verdict: MetricVerdict; why: string; classification?: Classification; critical?: boolean };

/**
 * The analysis's verdict from its metrics' verdicts (dry-run metrics left out). Compare
 * metrics that reached a classification are scored together (judge.ts) and count as one
 * "canary score" metric with the score's verdict.
 */
export function analysisVerdict(metrics: Judged[], thresholds?: { pass?: number; marginal?: number }): { verdict: AnalysisVerdict; why: string } {
  const classified = metrics.filter((m) => !m.dryRun && m.classification);
  let counted: Judged[] = metrics.filter((m) => !m.dryRun && !m.classification);
  if (classified.length) {
    const s = scoreCanary(classified.map((m) => ({ name: m.name, classification: m.classification!, critical: m.critical })), thresholds);
    counted = [...counted, { name: "canary score", verdict: s.verdict, why: `${s.why}; ${classified.map((m) => `${m.name}: ${m.why}`).join("; ")}` }];
  }
  const bad = counted.find((m) => m.verdict === "failed" || m.verdict === "error");
  if (bad) return { verdict: "failed", why: `${bad.name}: ${bad.why}` };
  const unsure = counted.find((m) => m.verdict === "inconclusive" || m.verdict === "running");
  if (unsure) return { verdict: "inconclusive", why: `${unsure.name}: ${unsure.why}` };
  return { verdict: "successful", why: counted.length ? counted.map((m) => `${m.name}: ${m.why}`).join("; ") : "only dry-run metrics" };
}

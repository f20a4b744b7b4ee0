// Runs one analysis: every metric on its own interval, side by side, each
// measurement recorded as it is taken; a restart carries on from the ones
// already recorded (a 6-measurement metric stopped after 3 takes 3 more).
// Time is the engine's clock (fake time under testRollout).
import { countOf, parseDuration, type AnalysisSpec, type MetricSpec } from "./spec";
import { measureWith, type Measure } from "./providers";
import type { Classification } from "./judge";
import { analysisVerdict, classify, count, formatValue, metricVerdict, type AnalysisVerdict, type Counters, type Measurement, type MetricValue, type MetricVerdict } from "./verdict";

export type MetricResult = { name: string; dryRun: boolean; verdict: MetricVerdict; why: string; classification?: Classification; critical?: boolean };
export type AnalysisResult = { verdict: AnalysisVerdict; why: string; metrics: MetricResult[] };

/** Where an analysis keeps its record, and what it reaches: what a step gets from ctx.analysis, the runner gives a background one. */
export interface AnalysisHost {
  /** Starts the record of this analysis, or finds it after a restart: when it began and the measurements already taken. */
  begin(spec: AnalysisSpec): Promise<{ startedAt: number; taken: Measurement[]; recorded: AnalysisResult | null }>;
  /** Records one measurement (before the next is taken). */
  record(m: Measurement, counters: Counters): Promise<void>;
  /** Records the verdict, and says it in the rollout log. */
  finish(result: AnalysisResult): Promise<void>;
  /** The rollout class's static measures (custom providers). */
  readonly measures: Record<string, Measure>;
  readonly rolloutId: number;
  readonly config: Record<string, unknown>;
  /** The engine's clock. */
  now(): number;
  /** Waits on the engine's clock (a paused run's time does not count for a step); false when `stop` or the run's stop fired. */
  sleep(ms: number, stop: AbortSignal): Promise<boolean>;
  /** A line in the analysis's log (the step's run log, or the rollout log). */
  log(line: string): void;
}

/** One number of a side of a compare metric: a vector's mean; null for no data. */
const one = (v: MetricValue): number | null => (v === null ? null : Array.isArray(v) ? (v.length ? v.reduce((a, b) => a + b, 0) / v.length : null) : v);

/** A compare metric's measurement: [baseline, canary] when both answered; else as noData says. */
function comparePair(m: MetricSpec, b: number | null, c: number | null): { value: MetricValue; outcome: Measurement["outcome"]; message: string } {
  if (b === null || c === null) {
    const noData = classify(m, null);
    return { value: null, outcome: noData.outcome, message: `${b === null ? "baseline" : "canary"} ${noData.message}` };
  }
  return { value: [b, c], outcome: "successful", message: `baseline ${formatValue(b)}, canary ${formatValue(c)}` };
}

async function runMetric(m: MetricSpec, mine: Measurement[], startedAt: number, host: AnalysisHost, stop: AbortSignal): Promise<MetricResult> {
  const interval = m.interval ? parseDuration(m.interval)! : 0;
  const initialDelay = m.initialDelay ? parseDuration(m.initialDelay)! : 0;
  for (;;) {
    const v = metricVerdict(m, mine);
    if (v.verdict !== "running" || stop.aborted) return { name: m.name, dryRun: !!m.dryRun, ...v, ...(m.compare?.critical ? { critical: true } : {}) };
    const last = mine[mine.length - 1];
    const due = last ? last.at + interval : startedAt + initialDelay;
    const wait = due - host.now();
    if (wait > 0 && !(await host.sleep(wait, stop))) continue; // stopped: the verdict so far
    const at = host.now();
    let value: MetricValue = null;
    let outcome: Measurement["outcome"];
    let message: string;
    try {
      const env = { rolloutId: host.rolloutId, config: host.config, metric: m.name, signal: stop, measures: host.measures };
      if (m.compare) {
        const [b, c] = await Promise.all([measureWith(m.compare.baseline, env), measureWith(m.compare.canary, env)]);
        ({ value, outcome, message } = comparePair(m, one(b), one(c)));
      } else {
        value = await measureWith(m.provider!, env);
        ({ outcome, message } = classify(m, value));
      }
    } catch (e) {
      ({ outcome, message } = { outcome: "error", message: e instanceof Error ? e.message : String(e) });
    }
    const row: Measurement = { metric: m.name, at, value, outcome, message };
    mine.push(row);
    const counters = count(mine);
    await host.record(row, counters);
    const of = Number.isFinite(countOf(m)) ? ` of ${countOf(m)}` : "";
    host.log(`${m.name}${m.dryRun ? " (dry run)" : ""}: measurement ${counters.measured}${of}: ${outcome === "error" ? `error: ${message}` : `${formatValue(value)} → ${outcome}`}`);
  }
}

/**
 * Runs the analysis to its verdict. `stop` ends it early (the run stops, or the
 * rollout ended for a background one): the verdict is then what the metrics say so
 * far, and not recorded.
 */
export async function runAnalysis(spec: AnalysisSpec, host: AnalysisHost, stop: AbortSignal): Promise<AnalysisResult & { stopped: boolean; replayed?: boolean }> {
  const { startedAt, taken, recorded } = await host.begin(spec);
  if (recorded) return { ...recorded, stopped: false, replayed: true }; // reached before a restart
  const settled = new AbortController();
  const onStop = () => settled.abort();
  stop.addEventListener("abort", onStop, { once: true });
  if (stop.aborted) settled.abort();
  try {
    const metrics = await Promise.all(
      spec.metrics.map(async (m) => {
        const r = await runMetric(m, taken.filter((t) => t.metric === m.name), startedAt, host, settled.signal);
        // A counted metric that failed decides the analysis: the others stop measuring.
        if (!m.dryRun && !r.classification && (r.verdict === "failed" || r.verdict === "error")) settled.abort(); // a canary metric counts in the score
        return r;
      }),
    );
    const result = { ...analysisVerdict(metrics, spec.canary), metrics };
    if (stop.aborted) return { ...result, stopped: true };
    await host.finish(result);
    return { ...result, stopped: false };
  } finally {
    stop.removeEventListener("abort", onStop);
  }
}

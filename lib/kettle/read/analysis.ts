// The analyses of a rollout as pages, the API and the CLI read them: each run
// (a step's attempt, or a background analysis) with its metrics, their
// conditions and limits, every measurement, and the verdict with why.
import type { Db } from "../store/db";
import { analysisRunsOf } from "../store/analysis";
import { metricVerdict, type AnalysisVerdict, type MetricValue, type MetricVerdict, type Outcome } from "../analysis/verdict";
import { countOf, type Provider } from "../analysis/spec";

const providerKind = (p: Provider) => ("prometheus" in p ? "prometheus" : "web" in p ? "web" : "custom") as "prometheus" | "web" | "custom";

export type AnalysisMeasurementView = { at: number; value: MetricValue; outcome: Outcome; message: string | null };
export type AnalysisMetricView = {
  name: string;
  verdict: MetricVerdict;
  why: string;
  dryRun: boolean;
  successCondition: string | null;
  failureCondition: string | null;
  failureLimit: number;
  inconclusiveLimit: number;
  consecutiveErrorLimit: number;
  /** Measurements it runs to (null: until the run ends, a background metric). */
  count: number | null;
  interval: string | null;
  /** The provider (a compare metric's canary side). */
  provider: "prometheus" | "web" | "custom";
  /** A canary metric: each measurement's value is [baseline, canary]; judged against the baseline. */
  compare: { direction: string; tolerance: number; critical: boolean } | null;
  measurements: AnalysisMeasurementView[];
};
export type AnalysisRunView = {
  id: number;
  /** The analysis step, or null for a background analysis. */
  taskId: number | null;
  /** The step's attempt (0 first; a Retry measures again as the next). */
  attempt: number;
  name: string;
  /** "running" until the verdict. */
  verdict: AnalysisVerdict | "running";
  why: string | null;
  startedAt: number;
  finishedAt: number | null;
  metrics: AnalysisMetricView[];
};
export type AnalysisView = { runs: AnalysisRunView[] };

/** Every analysis of a rollout, oldest first. */
export async function analysisOf(db: Db, rolloutId: number): Promise<AnalysisView> {
  const runs = await analysisRunsOf(db, rolloutId);
  return {
    runs: runs.map((run) => ({
      id: run.id,
      taskId: run.taskId,
      attempt: run.attempt,
      name: run.name,
      verdict: run.verdict ?? "running",
      why: run.why,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      metrics: run.spec.metrics.map((m) => {
        const taken = run.measurements.filter((x) => x.metric === m.name);
        const recorded = run.metrics?.find((r) => r.name === m.name);
        const live = metricVerdict(m, taken);
        return {
          name: m.name,
          verdict: recorded?.verdict ?? live.verdict,
          why: recorded?.why ?? live.why,
          dryRun: !!m.dryRun,
          successCondition: m.successCondition ?? null,
          failureCondition: m.failureCondition ?? null,
          failureLimit: m.failureLimit ?? 0,
          inconclusiveLimit: m.inconclusiveLimit ?? 0,
          consecutiveErrorLimit: m.consecutiveErrorLimit ?? 4,
          count: Number.isFinite(countOf(m)) ? countOf(m) : null,
          interval: m.interval ?? null,
          provider: providerKind(m.compare ? m.compare.canary : m.provider!),
          compare: m.compare ? { direction: m.compare.direction ?? "increase", tolerance: m.compare.tolerance ?? 0.25, critical: !!m.compare.critical } : null,
          measurements: taken.map(({ at, value, outcome, message }) => ({ at, value, outcome, message })),
        };
      }),
    })),
  };
}

// What an analysis reaches on the runner's side (analysis/run.ts's AnalysisHost):
// its rows in store/analysis.ts, the rollout class's static measures, the
// engine's clock, the rollout log for its verdict, and the metrics.
import type { Db } from "../store/db";
import type { Task, TaskContext } from "../authoring/task";
import type { AnalysisHost } from "../analysis/run";
import type { Measure } from "../analysis/providers";
import { beginAnalysisRun, finishAnalysisRun, recordMeasurement, type AnalysisRunKey, type AnalysisRunRow } from "../store/analysis";
import { observeMeasurement } from "../outbound/metrics";
import { now } from "../clock";

export type AnalysisDeps = {
  db: Db;
  rolloutId: number;
  config: Record<string, unknown>;
  measures: Record<string, Measure>;
  /** A line in the rollout log. */
  rolloutLog(line: string): void;
};

const verdictWords = { successful: "Successful", failed: "Failed", inconclusive: "Inconclusive" };

function host(deps: AnalysisDeps, key: AnalysisRunKey, who: string, sleep: AnalysisHost["sleep"], log: (line: string) => void): AnalysisHost {
  let run: AnalysisRunRow | null = null;
  return {
    measures: deps.measures,
    rolloutId: deps.rolloutId,
    config: deps.config,
    now,
    sleep,
    log,
    async begin(spec) {
      const r = await beginAnalysisRun(deps.db, key, spec, now());
      run = r.run;
      if (r.taken.length && !r.run.verdict) log(`Carrying on with the ${r.taken.length} measurement(s) already taken`);
      const recorded = r.run.verdict ? { verdict: r.run.verdict, why: r.run.why ?? "", metrics: r.run.metrics ?? [] } : null;
      return { startedAt: r.run.startedAt, taken: r.taken, recorded };
    },
    async record(m, counters) {
      await recordMeasurement(deps.db, run!, m, counters);
      observeMeasurement(key.name, m.metric, m.outcome, typeof m.value === "number" ? m.value : null);
    },
    async finish(result) {
      await finishAnalysisRun(deps.db, run!, result, now());
      deps.rolloutLog(`Analysis "${key.name}"${who}: ${verdictWords[result.verdict]}: ${result.why}`);
    },
  };
}

/** An analysis step's host: one run per attempt of the task; its sleep is the run's (paused time does not count). */
export function stepAnalysisHost(deps: AnalysisDeps, task: Task, name: string, ctx: TaskContext, runSleep: (ms: number, stops: AbortSignal[]) => Promise<boolean>): AnalysisHost {
  const key = { rolloutId: deps.rolloutId, taskId: task.id, attempt: task.records.attempts.length, name };
  return host(deps, key, ` (task ${task.id})`, (ms, stop) => runSleep(ms, [ctx.abort, ctx.term, stop]), ctx.log);
}

/** A background analysis's host (task null): its lines go to the rollout log. */
export function backgroundAnalysisHost(deps: AnalysisDeps, name: string, sleep: AnalysisHost["sleep"]): AnalysisHost {
  return host(deps, { rolloutId: deps.rolloutId, taskId: null, attempt: 0, name }, " (background)", sleep, (line) => deps.rolloutLog(`[analysis ${name}] ${line}`));
}

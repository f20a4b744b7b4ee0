// Background analyses: a rollout class's `static analysis = { name: spec }`,
// selected by `config.analysis` (names), run beside the run from its start as
// monitors named analysis:NAME do: a Failed verdict aborts the rollout (it rolls
// back), an Inconclusive one pauses it for a person. Each measurement is a row
// (task null), so a restart carries on with those taken.
import type { MonitorContext, Monitor, RolloutClass } from "../authoring/rollout";
import { runAnalysis } from "../analysis/run";
import { backgroundAnalysisHost, type AnalysisDeps } from "./analysis-host";
import { startMonitors } from "./monitors";
import { taskSleep } from "./waiting";

type Host = AnalysisDeps & {
  cls: RolloutClass;
  abort(by: string): Promise<void>;
  pause(by: string, reason: string): Promise<void>;
};

/** The names config.analysis selects (an array of names; anything else selects none). */
export const selectedAnalyses = (config: Record<string, unknown>): string[] =>
  Array.isArray(config.analysis) ? config.analysis.filter((n): n is string => typeof n === "string") : [];

export function startBackgroundAnalyses(host: Host): ReturnType<typeof startMonitors> {
  const specs = host.cls.analysis ?? {};
  const monitors: Record<string, Monitor> = {};
  for (const name of selectedAnalyses(host.config)) {
    const spec = specs[name];
    if (!spec) continue; // refused at finalise; a class changed since is logged by startMonitors
    monitors[`analysis:${name}`] = async (ctx: MonitorContext) => {
      const analysisHost = backgroundAnalysisHost(host, name, (ms, stop) => taskSleep(ms, ctx.signal, stop));
      const r = await runAnalysis(spec, analysisHost, ctx.signal);
      if (r.stopped || r.replayed) return;
      if (r.verdict === "failed") await ctx.abort(`analysis "${name}" failed: ${r.why}`);
      else if (r.verdict === "inconclusive") await ctx.pause(`analysis "${name}" is inconclusive: ${r.why}`);
    };
  }
  const names = selectedAnalyses(host.config).map((n) => `analysis:${n}`);
  return startMonitors({ rolloutId: host.rolloutId, config: { ...host.config, monitors: names }, monitors, log: host.rolloutLog, abort: host.abort, pause: host.pause });
}

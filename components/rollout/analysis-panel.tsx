"use client";
// The rollout's health analyses: per run its verdict and why, per metric a small
// chart of the measurements over time with the success and failure thresholds
// drawn (from conditions of the form `result < 0.05`), and each metric's verdict.
import useSWR from "swr";
import type { AnalysisMetricView, AnalysisView } from "@/lib/kettle/operations";
import { getJson, Time, useApi } from "../app-context";
import { ui } from "@/lib/web/ui";

const W = 360;
const H = 110;
const PAD = { l: 44, r: 8, t: 8, b: 18 };
const outcomeColour: Record<string, string> = { successful: "#10b981", failed: "#e11d48", inconclusive: "#f59e0b", error: "#64748b" };
const verdictStyle: Record<string, string> = {
  successful: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300",
  failed: "bg-rose-100 text-rose-800 dark:bg-rose-950 dark:text-rose-300",
  error: "bg-rose-100 text-rose-800 dark:bg-rose-950 dark:text-rose-300",
  inconclusive: "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300",
  running: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300",
};

/** The number a simple condition compares result with (`result >= 0.05` → 0.05); null for anything else. */
export function thresholdOf(condition: string | null): number | null {
  const m = condition && /^\s*result\s*(<=|>=|<|>)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$/.exec(condition);
  return m ? Number(m[2]) : null;
}

const scalar = (v: AnalysisMetricView["measurements"][number]["value"]) => (typeof v === "number" ? v : Array.isArray(v) && v.length ? v[0] : null);
const fmt = (n: number) => String(Number(n.toPrecision(3)));

function Chart({ metric }: { metric: AnalysisMetricView }) {
  // A canary metric's values are [baseline, canary]: the canary as points, the baseline as a grey line.
  const pair = (v: AnalysisMetricView["measurements"][number]["value"], i: 0 | 1) => (metric.compare && Array.isArray(v) && v.length === 2 ? v[i] : i === 1 ? scalar(v) : null);
  const points = metric.measurements.map((m) => ({ at: m.at, v: pair(m.value, 1), base: pair(m.value, 0), outcome: m.outcome, message: m.message }));
  const success = thresholdOf(metric.successCondition);
  const failure = thresholdOf(metric.failureCondition);
  const ys = [...points.flatMap((p) => [p.v, p.base]).filter((v): v is number => v !== null && Number.isFinite(v)), ...[success, failure].filter((v): v is number => v !== null)];
  let lo = Math.min(0, ...ys);
  let hi = Math.max(...ys, lo + 1e-9);
  const margin = (hi - lo) * 0.1 || 1;
  hi += margin;
  if (lo < 0) lo -= margin;
  const t0 = points[0]?.at ?? 0;
  const t1 = Math.max(points.at(-1)?.at ?? 1, t0 + 1);
  const x = (at: number) => (points.length < 2 ? PAD.l + (W - PAD.l - PAD.r) / 2 : PAD.l + ((at - t0) / (t1 - t0)) * (W - PAD.l - PAD.r));
  const y = (v: number) => PAD.t + (1 - (v - lo) / (hi - lo)) * (H - PAD.t - PAD.b);
  const line = points.filter((p) => p.v !== null).map((p) => `${x(p.at).toFixed(1)},${y(p.v!).toFixed(1)}`).join(" ");
  const baseLine = points.filter((p) => p.base !== null).map((p) => `${x(p.at).toFixed(1)},${y(p.base!).toFixed(1)}`).join(" ");
  const threshold = (v: number | null, colour: string, label: string) =>
    v === null ? null : (
      <g data-testid={`threshold-${label}`}>
        <line x1={PAD.l} x2={W - PAD.r} y1={y(v)} y2={y(v)} stroke={colour} strokeDasharray="4 3" strokeWidth={1} />
        <text x={label === "fail" ? W - PAD.r : PAD.l + 4} y={y(v) - 2} textAnchor={label === "fail" ? "end" : "start"} fontSize={9} fill={colour}>
          {label} {fmt(v)}
        </text>
      </g>
    );
  return (
    <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={`${metric.name}: ${points.length} measurement(s)`} className="max-w-full" data-testid="analysis-chart">
      <line x1={PAD.l} x2={PAD.l} y1={PAD.t} y2={H - PAD.b} stroke="currentColor" strokeOpacity={0.3} />
      <line x1={PAD.l} x2={W - PAD.r} y1={H - PAD.b} y2={H - PAD.b} stroke="currentColor" strokeOpacity={0.3} />
      <text x={PAD.l - 4} y={PAD.t + 8} textAnchor="end" fontSize={9} fill="currentColor" opacity={0.7}>
        {fmt(hi)}
      </text>
      <text x={PAD.l - 4} y={H - PAD.b} textAnchor="end" fontSize={9} fill="currentColor" opacity={0.7}>
        {fmt(lo)}
      </text>
      <text x={W - PAD.r} y={H - 4} textAnchor="end" fontSize={9} fill="currentColor" opacity={0.7}>
        {points.length} measurement{points.length === 1 ? "" : "s"}
      </text>
      {threshold(failure, "#e11d48", "fail")}
      {threshold(success, "#10b981", "pass")}
      {baseLine && <polyline points={baseLine} fill="none" stroke="#94a3b8" strokeDasharray="2 2" strokeWidth={1.5} data-testid="baseline" />}
      {line && <polyline points={line} fill="none" stroke="currentColor" strokeOpacity={0.5} strokeWidth={1.5} />}
      {points.map((p, i) => (
        <circle key={i} cx={x(p.at)} cy={p.v === null ? H - PAD.b : y(p.v)} r={3.5} fill={outcomeColour[p.outcome]} data-outcome={p.outcome}>
          <title>{`${i + 1}: ${p.v === null ? "no value" : fmt(p.v)} → ${p.outcome}${p.message ? ` (${p.message})` : ""}`}</title>
        </circle>
      ))}
    </svg>
  );
}

function Verdict({ verdict }: { verdict: string }) {
  return <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${verdictStyle[verdict] ?? ""}`}>{verdict}</span>;
}

export function AnalysisPanel({ rolloutId, changedAt, refreshMs }: { rolloutId: number; changedAt: number; refreshMs: number | null }) {
  const api = useApi();
  const { data } = useSWR<AnalysisView>(api(`/api/rollouts/${rolloutId}/analysis?at=${changedAt}`), getJson, { refreshInterval: refreshMs ?? 0, keepPreviousData: true });
  if (!data?.runs.length) return null;
  return (
    <section aria-labelledby="analysis-heading" className={`${ui.card} space-y-4 p-4 sm:p-5`} data-testid="analysis-panel">
      <h2 id="analysis-heading" className={ui.h2}>
        Health analysis
      </h2>
      {data.runs.map((run) => (
        <div key={run.id} className="space-y-2" data-testid="analysis-run" data-verdict={run.verdict}>
          <h3 className="flex flex-wrap items-center gap-2 text-sm font-semibold">
            {run.name}
            <span className={`font-normal ${ui.muted}`}>{run.taskId === null ? "background" : `task ${run.taskId}${run.attempt ? `, attempt ${run.attempt + 1}` : ""}`}</span>
            <Verdict verdict={run.verdict} />
            <span className={`text-xs font-normal ${ui.muted}`}>
              <Time at={run.startedAt} />
            </span>
          </h3>
          {run.why && <p className="text-sm" data-testid="analysis-why">{run.why}</p>}
          <div className="flex flex-wrap gap-4">
            {run.metrics.map((m) => (
              <figure key={m.name} className="space-y-1 text-xs" data-testid="analysis-metric" data-metric={m.name}>
                <figcaption className="flex flex-wrap items-center gap-2">
                  <span className="font-mono font-medium">{m.name}</span>
                  <Verdict verdict={m.verdict} />
                  {m.dryRun && <span className={ui.muted}>dry run</span>}
                  <span className={ui.muted}>{m.provider}</span>
                </figcaption>
                <Chart metric={m} />
                <p className={`max-w-[360px] ${ui.muted}`}>
                  pass: <code>{m.successCondition ?? "—"}</code> · fail: <code>{m.failureCondition ?? "—"}</code> · limits: failed {m.failureLimit}, inconclusive {m.inconclusiveLimit}, errors in a row {m.consecutiveErrorLimit}
                </p>
                <p className="max-w-[360px]">{m.why}</p>
              </figure>
            ))}
          </div>
        </div>
      ))}
    </section>
  );
}

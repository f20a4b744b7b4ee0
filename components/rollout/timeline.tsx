"use client";
// The rollout on one time axis: the run and rollback phases, a bar for each
// task's run (earlier attempts in thin red) and revert, coloured by outcome,
// and markers for signals and decisions (who and why on hover or focus); an
// analysis step's row marks each measurement, coloured by its outcome.
// Groups fold into one row; big trees start folded.
import { useMemo, useState } from "react";
import useSWR from "swr";
import type { AnalysisView, LiveView, TaskView } from "@/lib/kettle/operations";
import { getJson, useApi } from "../app-context";
import { formatLeft } from "./eta";
import { ui } from "@/lib/web/ui";

const zooms = [
  { label: "Whole run", ms: null },
  { label: "Last 15 min", ms: 15 * 60_000 },
  { label: "Last 5 min", ms: 5 * 60_000 },
  { label: "Last minute", ms: 60_000 },
] as const;

const runColour: Record<string, string> = {
  finished: "bg-emerald-500",
  failed: "bg-rose-500",
  started: "bg-sky-500 animate-pulse",
  waiting: "bg-amber-400",
  skipped: "bg-slate-400",
};

type Row = { task: TaskView; depth: number; hidden: number };

function count(t: TaskView): number {
  return 1 + t.children.reduce((n, c) => n + count(c), 0);
}

const clock = (at: number) => new Date(at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
const span = (from: number, to: number) => formatLeft((to - from) / 1000);

/** Each analysis measurement of a step, by task id (the timeline marks them on the step's row). */
function useMeasurements(view: LiveView): Map<number, { at: number; outcome: string; text: string }[]> {
  const api = useApi();
  const { data } = useSWR<AnalysisView>(view.rolloutStartedAt ? api(`/api/rollouts/${view.id}/analysis?at=${view.now}`) : null, getJson, { keepPreviousData: true });
  const byTask = new Map<number, { at: number; outcome: string; text: string }[]>();
  for (const run of data?.runs ?? []) {
    if (run.taskId === null) continue;
    const marks = run.metrics.flatMap((m) => m.measurements.map((x) => ({ at: x.at, outcome: x.outcome, text: `${m.name}: ${x.message ?? x.outcome}` })));
    byTask.set(run.taskId, [...(byTask.get(run.taskId) ?? []), ...marks]);
  }
  return byTask;
}
const markColour: Record<string, string> = { successful: "bg-emerald-700", failed: "bg-rose-700", inconclusive: "bg-amber-600", error: "bg-slate-600" };

export function Timeline({ view }: { view: LiveView }) {
  const measurements = useMeasurements(view);
  const root = view.tasks;
  const total = useMemo(() => (root ? count(root) : 0), [root]);
  const [zoom, setZoom] = useState<number | null>(null);
  // Open groups: by default every group while the tree is small, only the root when it is big.
  const [open, setOpen] = useState<Set<number> | null>(null);
  const isOpen = (t: TaskView, depth: number) => (open ? open.has(t.id) : total <= 200 || depth === 0);
  const toggle = (t: TaskView, depth: number) => {
    const next = new Set(open ?? (root ? walkOpen(root, 0, (x, d) => total <= 200 || d === 0) : []));
    if (isOpen(t, depth)) next.delete(t.id);
    else next.add(t.id);
    setOpen(next);
  };

  if (!view.rolloutStartedAt || !root) {
    return <p className={`text-sm ${ui.muted}`}>The timeline starts when the rollout runs.</p>;
  }
  const end = view.rollbackFinishedAt ?? (view.rollbackStartedAt ? null : view.rolloutFinishedAt) ?? view.now;
  const start = zoom ? Math.max(view.rolloutStartedAt, end - zoom) : view.rolloutStartedAt;
  const width = Math.max(1, end - start);
  const pos = (t: number) => `${(Math.min(Math.max(t, start), end) - start) / width * 100}%`;
  const len = (a: number, b: number) => `${Math.max(0.4, ((Math.min(b, end) - Math.max(a, start)) / width) * 100)}%`;
  const visible = (a: number, b: number) => b >= start && a <= end;

  const rows: Row[] = [];
  const walk = (t: TaskView, depth: number) => {
    const opened = isOpen(t, depth);
    rows.push({ task: t, depth, hidden: opened ? 0 : count(t) - 1 });
    if (opened) for (const c of t.children) walk(c, depth + 1);
  };
  walk(root, 0);

  const markers = [
    ...view.signals.sent.map((s) => ({ at: s.sentAt, kind: "signal", text: `${s.name} by ${s.sentBy ?? "anonymous"}` })),
    ...view.decisions.map((d) => ({ at: d.at, kind: "decision", text: `${d.action.replace(/_/g, " ")} by ${d.by ?? "anonymous"}${d.taskId ? ` (task ${d.taskId})` : ""}${d.comment ? `: ${d.comment}` : ""}` })),
  ].filter((m) => m.at >= start && m.at <= end);
  // Paused spans: a pause decision until the resume (or retry / skip of the failed task it waited on).
  const pauses: { from: number; to: number; why: string }[] = [];
  let pausedAt: { at: number; why: string } | null = null;
  for (const d of view.decisions) {
    if (d.action === "pause_rollout") pausedAt ??= { at: d.at, why: `paused by ${d.by ?? "anonymous"}${d.comment ? `: ${d.comment}` : ""}` };
    else if (pausedAt && ["resume_rollout", "retry", "skip"].includes(d.action)) {
      pauses.push({ from: pausedAt.at, to: d.at, why: `${pausedAt.why}; ${d.action.replace(/_/g, " ")} by ${d.by ?? "anonymous"}` });
      pausedAt = null;
    }
  }
  if (view.status === "paused" && view.pausedReason) pauses.push({ from: pausedAt?.at ?? view.pausedReason.since ?? end, to: end, why: view.pausedReason.message });
  else if (pausedAt) pauses.push({ from: pausedAt.at, to: view.rolloutFinishedAt ?? view.rollbackStartedAt ?? end, why: pausedAt.why });
  const groupLeft = new Map(view.eta?.groups.map((g) => [g.taskId, g.secondsLeft]) ?? []);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => start + f * width);

  return (
    <div className="space-y-3" data-testid="timeline">
      <div className="flex flex-wrap items-center gap-2 text-xs">
        <span className={ui.muted}>Zoom:</span>
        {zooms.map((z) => (
          <button key={z.label} type="button" className={ui.btnSmall} aria-pressed={zoom === z.ms} onClick={() => setZoom(z.ms)}>
            {z.label}
          </button>
        ))}
        <span className={`ml-auto ${ui.muted}`}>{span(start, end)} shown</span>
      </div>
      <div className="grid grid-cols-[minmax(8rem,16rem)_1fr] gap-x-3 text-xs">
        {/* axis */}
        <div />
        <div className="relative h-5 border-b border-slate-200 dark:border-slate-700">
          {ticks.map((t, i) => (
            <span key={i} className={`absolute top-0 -translate-x-1/2 tabular-nums ${ui.muted} ${i === 0 ? "translate-x-0" : i === 4 ? "-translate-x-full" : ""}`} style={{ left: pos(t) }}>
              {clock(t)}
            </span>
          ))}
        </div>
        {/* phases */}
        <div className="py-1 font-medium">Phases</div>
        <div className="relative h-6">
          {visible(view.rolloutStartedAt, view.rolloutFinishedAt ?? view.rollbackStartedAt ?? end) && (
            <div
              data-testid="phase-rollout"
              title={`Rollout: ${clock(view.rolloutStartedAt)} → ${view.rolloutFinishedAt ? clock(view.rolloutFinishedAt) : "running"}`}
              className="absolute top-1 h-4 rounded bg-emerald-100 px-1 text-emerald-900 ring-1 ring-inset ring-emerald-300 dark:bg-emerald-950 dark:text-emerald-200"
              style={{ left: pos(view.rolloutStartedAt), width: len(view.rolloutStartedAt, view.rolloutFinishedAt ?? view.rollbackStartedAt ?? end) }}
            >
              Rollout
            </div>
          )}
          {view.rollbackStartedAt && (
            <div
              data-testid="phase-rollback"
              title={`Rollback: ${clock(view.rollbackStartedAt)} → ${view.rollbackFinishedAt ? clock(view.rollbackFinishedAt) : "running"}`}
              className="absolute top-1 h-4 rounded bg-violet-100 px-1 text-violet-900 ring-1 ring-inset ring-violet-300 dark:bg-violet-950 dark:text-violet-200"
              style={{ left: pos(view.rollbackStartedAt), width: len(view.rollbackStartedAt, view.rollbackFinishedAt ?? end) }}
            >
              Rollback
            </div>
          )}
          {pauses.filter((p) => visible(p.from, p.to)).map((p, i) => (
            <div
              key={i}
              data-testid="phase-paused"
              title={`Paused ${clock(p.from)} → ${clock(p.to)} (${span(p.from, p.to)}): ${p.why}`}
              className="absolute top-1 h-4 overflow-hidden rounded bg-amber-200/90 px-1 text-amber-950 ring-1 ring-inset ring-amber-400 dark:bg-amber-900/80 dark:text-amber-100"
              style={{ left: pos(p.from), width: len(p.from, p.to) }}
            >
              Paused
            </div>
          ))}
        </div>
        {/* markers */}
        <div className="py-1 font-medium">Signals, decisions</div>
        <div className="relative h-6" data-testid="timeline-markers">
          {markers.map((m, i) => (
            <button
              key={i}
              type="button"
              title={m.text}
              aria-label={m.text}
              data-marker={m.kind}
              className={`group absolute top-1 h-4 w-2 -translate-x-1/2 rounded-sm focus-visible:outline-2 focus-visible:outline-indigo-600 ${m.kind === "signal" ? "bg-amber-500" : "bg-indigo-500"}`}
              style={{ left: pos(m.at) }}
            >
              <span className="pointer-events-none absolute left-3 top-0 z-10 hidden whitespace-nowrap rounded bg-slate-900 px-1.5 py-0.5 text-white group-hover:block group-focus:block">
                {clock(m.at)} {m.text}
              </span>
            </button>
          ))}
        </div>
        {/* tasks */}
        {rows.map(({ task: t, depth, hidden }) => {
          const runEnd = t.run.finishedAt ?? t.run.failedAt ?? (t.run.startedAt ? end : null);
          const revEnd = t.revert.finishedAt ?? t.revert.failedAt ?? (t.revert.startedAt ? end : null);
          const earlier = (t.attempts ?? []).slice(0, -1);
          const left = groupLeft.get(t.id);
          return (
            <div key={t.id} className="contents" data-testid="timeline-row" data-timeline-task-id={t.id}>
              <div className="flex min-w-0 items-center gap-1 py-0.5" style={{ paddingLeft: `${depth * 0.75}rem` }}>
                {t.children.length > 0 ? (
                  <button type="button" className="shrink-0 rounded px-0.5 hover:bg-slate-100 dark:hover:bg-slate-800" aria-expanded={hidden === 0} onClick={() => toggle(t, depth)}>
                    {hidden === 0 ? "▾" : "▸"}
                    <span className="sr-only">{hidden === 0 ? "Fold" : "Expand"}</span>
                  </button>
                ) : (
                  <span className="w-3 shrink-0" />
                )}
                <span className="truncate" title={t.description}>
                  {t.description}
                </span>
                {hidden > 0 && <span className={`shrink-0 ${ui.muted}`}>({hidden})</span>}
                {left !== undefined && <span className={`shrink-0 ${ui.muted}`}>{left === null ? "open-ended" : `~${formatLeft(left)} left`}</span>}
              </div>
              <div className="relative h-5 border-b border-slate-100 dark:border-slate-800">
                {earlier.map((a, i) =>
                  visible(a.startedAt, a.failedAt ?? a.finishedAt ?? a.startedAt) ? (
                    <div
                      key={i}
                      title={`Attempt ${i + 1}: ${a.error ?? "failed"}`}
                      className="absolute top-2 h-1 rounded bg-rose-400"
                      style={{ left: pos(a.startedAt), width: len(a.startedAt, a.failedAt ?? a.finishedAt ?? a.startedAt) }}
                    />
                  ) : null,
                )}
                {t.run.startedAt && runEnd && visible(t.run.startedAt, runEnd) && (
                  <div
                    data-bar="run"
                    data-outcome={t.status === "rolling_back" || t.status === "rolled_back" || t.status === "revert_failed" ? (t.run.failedAt ? "failed" : "finished") : t.status}
                    title={`${t.description}: run ${clock(t.run.startedAt)} → ${t.run.finishedAt || t.run.failedAt ? clock(runEnd) : "now"} (${span(t.run.startedAt, runEnd)})${t.pausedMs ? `, paused ${span(0, t.pausedMs)}` : ""}${(t.attempts?.length ?? 0) > 1 ? `, attempt ${t.attempts!.length}` : ""}${t.run.error ? `: ${t.run.error}` : ""}`}
                    className={`absolute top-1 h-3 rounded-sm ${t.children.length ? "opacity-40 " : ""}${runColour[t.run.failedAt ? "failed" : t.run.finishedAt ? "finished" : t.status] ?? "bg-emerald-500"}`}
                    style={{ left: pos(t.run.startedAt), width: len(t.run.startedAt, runEnd) }}
                  />
                )}
                {(measurements.get(t.id) ?? []).filter((m) => visible(m.at, m.at)).map((m, i) => (
                  <span key={`m${i}`} data-measurement={m.outcome} title={`${clock(m.at)} ${m.text}`} className={`absolute top-0.5 h-4 w-0.5 ${markColour[m.outcome] ?? "bg-slate-600"}`} style={{ left: pos(m.at) }} />
                ))}
                {t.revert.startedAt && revEnd && visible(t.revert.startedAt, revEnd) && (
                  <div
                    data-bar="revert"
                    data-outcome={t.status}
                    title={`${t.description}: revert ${clock(t.revert.startedAt)} → ${t.revert.finishedAt || t.revert.failedAt ? clock(revEnd) : "now"} (${span(t.revert.startedAt, revEnd)})${t.revert.error ? `: ${t.revert.error}` : ""}`}
                    className={`absolute top-1 h-3 rounded-sm ${t.children.length ? "opacity-40 " : ""}${t.revert.failedAt ? "bg-rose-800" : t.revert.finishedAt ? "bg-violet-500" : "bg-violet-400 animate-pulse"}`}
                    style={{ left: pos(t.revert.startedAt), width: len(t.revert.startedAt, revEnd) }}
                  />
                )}
              </div>
            </div>
          );
        })}
      </div>
      {view.tasksShown === "summary" && <p className={`text-xs ${ui.muted}`}>A big tree: the timeline shows the tasks loaded for the page (the first of each group and what runs now).</p>}
      <p className={`text-xs ${ui.muted}`}>
        <span className="mr-1 inline-block h-2 w-3 rounded-sm bg-emerald-500" /> ran <span className="ml-2 mr-1 inline-block h-2 w-3 rounded-sm bg-rose-500" /> failed{" "}
        <span className="ml-2 mr-1 inline-block h-2 w-3 rounded-sm bg-sky-500" /> running <span className="ml-2 mr-1 inline-block h-2 w-3 rounded-sm bg-amber-400" /> waiting{" "}
        <span className="ml-2 mr-1 inline-block h-2 w-3 rounded-sm bg-violet-500" /> reverted · markers: <span className="mx-1 inline-block h-2 w-2 bg-amber-500" /> signal{" "}
        <span className="mx-1 inline-block h-2 w-2 bg-indigo-500" /> decision
      </p>
    </div>
  );
}

function walkOpen(t: TaskView, depth: number, pick: (t: TaskView, depth: number) => boolean, out = new Set<number>()): Set<number> {
  if (t.children.length && pick(t, depth)) out.add(t.id);
  for (const c of t.children) walkOpen(c, depth + 1, pick, out);
  return out;
}

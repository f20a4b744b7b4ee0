"use client";
// The rollout page's live part: refreshed with SWR every `refreshMs` while the
// rollout runs, and no more once it is done (or when told to stop).
import Link from "next/link";
import useSWR from "swr";
import { useEffect, useRef, useState } from "react";
import type { LiveView } from "@/lib/kettle/operations";
import { Ago, getJson, sendJson, setServerNow, useApi } from "../app-context";
import { RolloutAudit } from "./rollout-audit";
import { StatusBadge } from "../status-badge";
import { TaskTree } from "./task-tree";
import { SteeringPanel } from "./steering-panel";
import { useRolloutStream } from "./use-rollout-stream";
import { ui } from "@/lib/web/ui";
import { EtaText } from "./eta";
import { RollbackPreviewPanel } from "./rollback-preview";
import { Timeline } from "./timeline";
import { LastPlanChange } from "./plan-diff";
import { AnalysisPanel } from "./analysis-panel";
import { LiveBar } from "./live-bar";
import { Actions } from "./actions";
import { Facts } from "./facts";
import { LogsPanel } from "./logs-panel";
import { PlanApprovalPanel } from "./plan-approval-panel";
import { SchedulePanel } from "./schedule-panel";

type Props = { initial: LiveView; checklist: { url: string; height: number } | null };

export function RolloutPage({ initial, checklist }: Props) {
  const api = useApi();
  const [autoRefresh, setAutoRefresh] = useState(true);
  const [actionError, setActionError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [tab, setTab] = useState<"tasks" | "timeline">("tasks");
  // How often to refresh, as a number: SWR restarts its timer when it changes.
  const [pollMs, setPollMs] = useState<number | null>(initial.refreshMs);
  const watchable = (v: LiveView) => v.refreshMs !== null || v.status === "not_started";
  const [live0, setLive0] = useState(watchable(initial));
  // Pushed changes while the stream is up; polling (every refreshMs) when it cannot be had.
  const stream = useRolloutStream({
    url: api(`/api/rollouts/${initial.id}/events?logs=rollout,rollback`),
    // Also before it runs: the page goes live when someone (anywhere) starts it.
    enabled: autoRefresh && live0,
    onView: (update) => void mutate((current) => update(current && current.now >= initial.now ? current : initial), { revalidate: false }),
  });
  const streamMode = useRef(stream.mode);
  streamMode.current = stream.mode;
  // Poll whenever the stream is not up (while it connects or reconnects too).
  const polling = stream.mode !== "stream";
  const { data, error, mutate, isValidating } = useSWR<LiveView>(api(`/api/rollouts/${initial.id}?tasks=auto`), getJson, {
    fallbackData: initial,
    revalidateOnMount: false,
    revalidateOnFocus: false,
    refreshInterval: autoRefresh && pollMs && polling ? pollMs : 0,
    refreshWhenHidden: false,
    dedupingInterval: 0,
    onSuccess: (d) => setServerNow(d.now),
  });
  useEffect(() => setServerNow(initial.now), [initial.now]);
  // The fresher of the server-rendered view and SWR's (possibly older, cached) one.
  const view = data && data.now >= initial.now ? data : initial;
  useEffect(() => {
    setPollMs(view.refreshMs);
    setLive0(watchable(view));
    setServerNow(view.now);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [view.refreshMs, view.now, view.status]);
  const live = view.refreshMs !== null;
  const following = live && autoRefresh;
  const refreshMs = view.refreshMs ?? 1000;

  async function act(name: string, path: string, body?: { comment?: string; planHash?: string }) {
    setBusy(name);
    setActionError(null);
    const res = await sendJson<LiveView>(api(path), "POST", body);
    setBusy(null);
    if (!res.ok) setActionError(res.body.error ?? "That did not work");
    if (res.ok) setAutoRefresh(true);
    // While the stream is up it brings the change: an answer applied now could be older than what it
    // already brought (the mode is read now, not when the button was pressed: it may have come up since).
    const mode = streamMode.current;
    if (mode === "stream") return;
    // Connecting: fetch afresh rather than apply the answer; SWR drops that read if the stream's snapshot lands first.
    if (mode === "polling" && res.ok && "tasks" in res.body && "now" in res.body) await mutate(res.body as LiveView, { revalidate: name !== "run" });
    else await mutate();
  }

  const rollbackPhase = view.rollbackStartedAt !== null;
  const p = view.progress;
  const [done, of] = rollbackPhase ? [p.reverted, p.started] : [p.finished, p.total];
  const pct = of ? Math.round((done / of) * 100) : 0;

  return (
    <div className={checklist ? "grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(18rem,26rem)]" : ""}>
      <div className="min-w-0 space-y-6">
        {/* Title, status, live indicator */}
        <div className="space-y-3">
          <p className="text-sm">
            <Link href="/rollouts" className={ui.link}>
              ← All rollouts
            </Link>
          </p>
          <div className="flex flex-wrap items-start justify-between gap-3">
            <div className="min-w-0">
              <h1 className={ui.h1}>
                Rollout <span className="font-mono">#{view.id}</span>
              </h1>
              <p className={`mt-0.5 ${ui.muted}`}>{view.title}</p>
            </div>
            <div className="flex flex-wrap items-center gap-2" aria-live="polite">
              <span className="sr-only">Status:</span>
              <span data-testid="rollout-status">
                <StatusBadge status={view.status} size="lg" />
              </span>
              <EtaText eta={view.eta} />
            </div>
          </div>
          <LiveBar
            status={view.status}
            live={live}
            following={following}
            refreshMs={refreshMs}
            mode={stream.mode}
            fetching={isValidating}
            error={error ? String(error.message ?? error) : null}
            onStop={() => setAutoRefresh(false)}
            onResume={() => {
              setAutoRefresh(true);
              void mutate();
            }}
            onRefresh={() => void mutate()}
          />
          {view.runner.silent && (
            <div role="alert" className="flex gap-3 rounded-lg border border-amber-400 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950/60 dark:text-amber-100" data-testid="owner-silent">
              <span aria-hidden="true" className="text-lg leading-none">⚠</span>
              <p>
                <strong>Owner silent.</strong> The runner running this rollout ({view.runner.owner}) was last heard from{" "}
                {view.runner.heartbeatAt ? <Ago at={view.runner.heartbeatAt} /> : "never"}. Another Kettle instance takes it over once its lease
                expires; if none is running, start one.
              </p>
            </div>
          )}
        </div>

        <SteeringPanel view={view} busy={busy} decide={act} />
        <PlanApprovalPanel view={view} busy={busy} decide={act} />

        {/* Actions */}
        {(view.status === "not_started" || view.signals.available.length > 0 || actionError) && (
        <section aria-label="Actions" className={`${ui.card} space-y-4 p-4 sm:p-5`}>
          <Actions view={view} busy={busy} onRun={() => act("run", `/api/rollouts/${view.id}/run`)} onSignal={(s) => act(s, `/api/rollouts/${view.id}/signals/${s}`)} />
          {actionError && (
            <p role="alert" className={ui.alert} data-testid="action-error">
              {actionError}
            </p>
          )}
        </section>
        )}

        <SchedulePanel view={view} refresh={() => void mutate()} />

        <RollbackPreviewPanel preview={view.rollbackPreview} rollingBack={rollbackPhase} />
        {/* (the plan approval panel shows what changed since an approved plan instead) */}
        {view.status === "not_started" && !view.planApproval?.sinceApproved && <LastPlanChange rolloutId={view.id} finalisedAt={view.finalisedAt} />}

        <Facts view={view} rollbackPhase={rollbackPhase} />

        {/* Tasks */}
        <section aria-labelledby="tasks-heading" className={`${ui.card} p-4 sm:p-5`}>
          <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
            <h2 id="tasks-heading" className={ui.h2}>
              {tab === "tasks" ? "Tasks" : "Timeline"}
            </h2>
            <div role="tablist" aria-label="View" className="flex gap-1">
              {(["tasks", "timeline"] as const).map((t) => (
                <button key={t} type="button" role="tab" aria-selected={tab === t} onClick={() => setTab(t)} className={`${ui.btnSmall} aria-selected:bg-indigo-50 aria-selected:text-indigo-800 dark:aria-selected:bg-indigo-950 dark:aria-selected:text-indigo-200`}>
                  {t === "tasks" ? "Tasks" : "Timeline"}
                </button>
              ))}
            </div>
            {view.tasks && (
              <span className={`text-xs ${ui.muted}`} data-testid="progress-text">
                {rollbackPhase ? `${done} of ${of} started tasks reverted` : `${done} of ${of} tasks finished`}
                {p.failed ? `, ${p.failed} failed` : ""}
                {p.revertFailed ? `, ${p.revertFailed} failed to revert` : ""}
              </span>
            )}
          </div>
          {view.tasks ? (
            <>
              <div
                role="progressbar"
                aria-label={rollbackPhase ? "Rollback progress" : "Rollout progress"}
                aria-valuemin={0}
                aria-valuemax={of}
                aria-valuenow={done}
                aria-valuetext={`${done} of ${of}`}
                className="mb-4 h-2 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
              >
                <div
                  className={`h-full rounded-full ${rollbackPhase ? "bg-violet-500" : p.failed ? "bg-rose-500" : "bg-emerald-500"}`}
                  style={{ width: `${pct}%` }}
                />
              </div>
              {tab === "tasks" ? (
                <TaskTree
                  root={view.tasks}
                  rolloutId={view.id}
                  live={live}
                  refreshMs={refreshMs}
                  serverNow={view.now}
                  feed={stream.feed}
                  pausedAt={view.status === "paused" ? (view.pausedReason?.since ?? view.now) : null}
                />
              ) : (
                <Timeline view={view} />
              )}
            </>
          ) : (
            <p className={`text-sm ${ui.muted}`}>No tasks: finalise the rollout to generate them.</p>
          )}
        </section>

        <AnalysisPanel rolloutId={view.id} changedAt={view.now} refreshMs={live ? refreshMs : null} />

        <LogsPanel
          view={view}
          live={live}
          refreshMs={refreshMs}
          rollbackPhase={rollbackPhase}
          streamed={stream.mode === "stream" ? { rollout: stream.logs.rollout ?? [], rollback: stream.logs.rollback ?? [] } : { rollout: null, rollback: null }}
        />

        <RolloutAudit rolloutId={view.id} live={live} refreshMs={refreshMs} changedAt={view.now} />
      </div>

      {checklist && (
        <aside aria-label="Checklist" className="lg:sticky lg:top-4 lg:self-start">
          <div className={`${ui.card} overflow-hidden`}>
            <h2 className="border-b border-slate-200 px-4 py-2.5 text-sm font-semibold dark:border-slate-800">Checklist</h2>
            <iframe
              title="Checklist"
              src={checklist.url + view.id}
              style={{ height: checklist.height }}
              className="block w-full bg-white"
              data-testid="checklist"
            />
          </div>
        </aside>
      )}
    </div>
  );
}

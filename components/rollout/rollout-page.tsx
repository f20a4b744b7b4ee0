"use client";
// The rollout page's live part: refreshed with SWR every `refreshMs` while the
// rollout runs, and no more once it is done (or when told to stop).
import Link from "next/link";
import useSWR from "swr";
import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import type { LiveView } from "@/lib/kettle/operations";
import { Ago, Duration, Time, getJson, refusalText, sendJson, setServerNow, useApi, useRefusal } from "../app-context";
import { RolloutAudit } from "./rollout-audit";
import { StatusBadge } from "../status-badge";
import { TaskTree } from "./task-tree";
import { LogView } from "./log-view";
import { DecisionList, SteeringPanel } from "./steering-panel";
import { useRolloutStream, type StreamMode, type StreamedLine } from "./use-rollout-stream";
import { ui } from "@/lib/web/ui";
import { EtaText } from "./eta";
import { RollbackPreviewList, RollbackPreviewPanel, previewHeadline } from "./rollback-preview";
import { Timeline } from "./timeline";
import { LastPlanChange } from "./plan-diff";
import { AnalysisPanel } from "./analysis-panel";

type Props = { initial: LiveView; checklist: { url: string; height: number } | null };
type Signal = LiveView["signals"]["available"][number];

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

  async function act(name: string, path: string, body?: { comment?: string }) {
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

        <RollbackPreviewPanel preview={view.rollbackPreview} rollingBack={rollbackPhase} />
        {view.status === "not_started" && <LastPlanChange rolloutId={view.id} finalisedAt={view.finalisedAt} />}

        {/* Facts */}
        <section aria-labelledby="facts-heading" className={`${ui.card} p-4 sm:p-5`}>
          <h2 id="facts-heading" className="sr-only">
            Details
          </h2>
          <dl className="grid gap-x-6 gap-y-4 text-sm sm:grid-cols-2 lg:grid-cols-3">
            <Fact term="Created">
              <Time at={view.createdAt} /> <span className={ui.muted}>by {view.createdBy ?? "anonymous"}</span>
            </Fact>
            <Fact term="Finalised">
              <Time at={view.finalisedAt} />
            </Fact>
            <Fact term="Run by">{view.rolloutStartedAt ? (view.runBy ?? "anonymous") : <span className={ui.muted}>not run yet</span>}</Fact>
            <Fact term="Rollout">
              <Span from={view.rolloutStartedAt} to={view.rolloutFinishedAt} serverNow={view.now} running={view.refreshMs !== null && !rollbackPhase} />
            </Fact>
            <Fact term="Rollback">
              {view.rollbackStartedAt ? (
                <Span from={view.rollbackStartedAt} to={view.rollbackFinishedAt} serverNow={view.now} running={view.refreshMs !== null} />
              ) : (
                <span className={ui.muted}>none</span>
              )}
            </Fact>
            <Fact term="Runner">
              {view.runner.owner ? (
                <>
                  <span className="font-mono text-xs">{view.runner.owner}</span>
                  {view.runner.heartbeatAt && (
                    <span className={ui.muted}>
                      {" "}
                      · heard from <Ago at={view.runner.heartbeatAt} />
                    </span>
                  )}
                </>
              ) : view.runner.waiting ? (
                <span className="text-amber-700 dark:text-amber-300">waiting for a runner to pick it up…</span>
              ) : (
                <span className={ui.muted}>none</span>
              )}
            </Fact>
            {view.decisions.length > 0 && (
              <Fact term="Decisions" wide>
                <DecisionList decisions={view.decisions} />
              </Fact>
            )}
            {view.signals.sent.length > 0 && (
              <Fact term="Signals sent" wide>
                <ul className="space-y-0.5">
                  {view.signals.sent.map((s) => (
                    <li key={s.name}>
                      <span className="font-mono text-xs">{s.name}</span> <span className={ui.muted}>by {s.sentBy ?? "anonymous"}, </span>
                      <Time at={s.sentAt} />
                    </li>
                  ))}
                </ul>
              </Fact>
            )}
          </dl>
          {view.info.length > 0 && (
            <ul aria-label="Information" className="mt-4 space-y-1 border-t border-slate-200 pt-4 text-sm dark:border-slate-800" data-testid="info">
              {view.info.map((line, i) => (
                <li key={i} className="flex gap-2">
                  <span aria-hidden="true" className="text-indigo-500">
                    •
                  </span>
                  <span className="break-words">{line}</span>
                </li>
              ))}
            </ul>
          )}
        </section>

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

        {/* Logs */}
        <section aria-labelledby="logs-heading" className={`${ui.card} space-y-3 p-4 sm:p-5`}>
          <h2 id="logs-heading" className={ui.h2}>
            Logs
          </h2>
          <LogSection
            title="Rollout log"
            path={`/api/rollouts/${view.id}/logs/rollout`}
            live={live}
            refreshMs={refreshMs}
            defaultOpen={!rollbackPhase}
            streamed={stream.mode === "stream" ? (stream.logs.rollout ?? []) : null}
          />
          {rollbackPhase && (
            <LogSection
              title="Rollback log"
              path={`/api/rollouts/${view.id}/logs/rollback`}
              live={live}
              refreshMs={refreshMs}
              defaultOpen
              streamed={stream.mode === "stream" ? (stream.logs.rollback ?? []) : null}
            />
          )}
          <p className={`text-xs ${ui.muted}`}>Each task’s run and revert logs are under its Logs button.</p>
        </section>

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

function Fact({ term, children, wide = false }: { term: string; children: ReactNode; wide?: boolean }) {
  return (
    <div className={wide ? "sm:col-span-2 lg:col-span-3" : ""}>
      <dt className={`text-xs font-medium uppercase tracking-wide ${ui.muted}`}>{term}</dt>
      <dd className="mt-1">{children}</dd>
    </div>
  );
}

function Span({ from, to, serverNow, running }: { from: number | null; to: number | null; serverNow: number; running: boolean }) {
  if (!from) return <span className={ui.muted}>not started</span>;
  return (
    <span>
      <Time at={from} /> → {to ? <Time at={to} sameDayAs={from} /> : <span className={ui.muted}>{running ? "running" : "—"}</span>}
      <span className={ui.muted}>
        {" "}
        (<Duration from={from} to={to ?? (running ? null : from)} serverNow={serverNow} />)
      </span>
    </span>
  );
}

function LiveBar(props: {
  status: string;
  live: boolean;
  following: boolean;
  refreshMs: number;
  mode: StreamMode;
  fetching: boolean;
  error: string | null;
  onStop(): void;
  onResume(): void;
  onRefresh(): void;
}) {
  if (!props.live) {
    return (
      <p className={`text-xs ${ui.muted}`} data-testid="not-live">
        {props.status === "not_started" ? "Not running yet: the page goes live when the rollout runs." : "Done: this page no longer refreshes."}
      </p>
    );
  }
  return (
    <div className="flex flex-wrap items-center gap-3 text-sm">
      {props.following ? (
        <>
          <span className="inline-flex items-center gap-2 rounded-full bg-emerald-50 px-2.5 py-1 font-medium text-emerald-800 ring-1 ring-inset ring-emerald-300 dark:bg-emerald-950 dark:text-emerald-300 dark:ring-emerald-800" data-testid="live-indicator">
            <span aria-hidden="true" className="relative flex h-2 w-2">
              <span className="absolute inline-flex h-full w-full animate-ping rounded-full bg-emerald-400 opacity-75" />
              <span className="relative inline-flex h-2 w-2 rounded-full bg-emerald-500" />
            </span>
            Live
            <span className="font-normal text-emerald-700 dark:text-emerald-400" data-testid="live-mode">
              {props.mode === "stream"
                ? "· streaming changes"
                : props.mode === "connecting"
                  ? "· connecting…"
                  : `· polling every ${props.refreshMs >= 1000 ? `${props.refreshMs / 1000} s` : `${props.refreshMs} ms`}`}
            </span>
          </span>
          <button type="button" onClick={props.onStop} className={ui.btnSmall}>
            Stop auto-refresh
          </button>
        </>
      ) : (
        <>
          <span className="inline-flex items-center gap-2 rounded-full bg-slate-100 px-2.5 py-1 font-medium text-slate-700 ring-1 ring-inset ring-slate-300 dark:bg-slate-800 dark:text-slate-300 dark:ring-slate-600" data-testid="paused-indicator">
            Auto-refresh stopped
          </span>
          <button type="button" onClick={props.onResume} className={ui.btnSmall}>
            Resume auto-refresh
          </button>
          <button type="button" onClick={props.onRefresh} className={ui.btnSmall}>
            Refresh now
          </button>
        </>
      )}
      {props.error && props.mode === "polling" && (
        <span role="status" className="text-xs text-rose-700 dark:text-rose-400">
          Last refresh failed: {props.error}
        </span>
      )}
    </div>
  );
}

function Actions({ view, busy, onRun, onSignal }: { view: LiveView; busy: string | null; onRun(): void; onSignal(name: string): void }) {
  const reasonId = useId();
  const refusal = useRefusal();
  const runRefused = refusal("run");
  const editRefused = refusal("finalise");
  const runReason = runRefused ? refusalText(runRefused) : view.canRun.reason;
  const notStarted = view.status === "not_started";
  const hasAnything = notStarted || view.canEdit || view.signals.available.length > 0;
  return (
    <div className="space-y-4">
      {(notStarted || view.canEdit) && (
        <div className="flex flex-wrap items-center gap-3">
          {notStarted && (
            <button
              type="button"
              onClick={onRun}
              disabled={!view.canRun.ok || !!runRefused || busy !== null}
              aria-describedby={runReason ? reasonId : undefined}
              className={ui.btnPrimary}
            >
              <svg aria-hidden="true" viewBox="0 0 16 16" className="h-4 w-4" fill="currentColor">
                <path d="M4 2.5v11l9-5.5-9-5.5Z" />
              </svg>
              {busy === "run" ? "Starting…" : "Run"}
            </button>
          )}
          {view.canEdit &&
            (editRefused ? (
              <button type="button" disabled title={refusalText(editRefused)} className={ui.btnSecondary}>
                Edit
              </button>
            ) : (
              <Link href={`/rollouts/${view.id}/edit`} className={ui.btnSecondary}>
                Edit
              </Link>
            ))}
          {runReason && notStarted && (
            <p id={reasonId} className="text-sm text-amber-800 dark:text-amber-300" data-testid="run-reason">
              {runReason}
            </p>
          )}
        </div>
      )}
      {view.signals.available.length > 0 && (
        <div>
          <h2 className={`mb-2 text-xs font-medium uppercase tracking-wide ${ui.muted}`}>Signals</h2>
          <ul className="grid gap-3 sm:grid-cols-2">
            {view.signals.available.map((s) => (
              <li key={s.name}>
                <SignalButton signal={s} busy={busy} onSend={() => onSignal(s.name)} preview={view.rollbackPreview} />
              </li>
            ))}
          </ul>
        </div>
      )}
      {!hasAnything && <p className={`text-sm ${ui.muted}`}>No signal can be sent right now.</p>}
    </div>
  );
}

const signalLabels: Record<string, string> = {
  pause_rollout: "Pause",
  resume_rollout: "Resume",
  abort_rollout: "Abort rollout",
  term_rollout: "Terminate rollout",
  skip_rollback: "Skip rollback",
  abort_rollback: "Abort rollback",
  term_rollback: "Terminate rollback",
};

function SignalButton({ signal, busy, onSend, preview }: { signal: Signal; busy: string | null; onSend(): void; preview?: LiveView["rollbackPreview"] }) {
  // abort and term ask first, showing what the rollback would revert
  const confirm = signal.dangerous || signal.name === "abort_rollout";
  const showPreview = preview && (signal.name === "abort_rollout" || signal.name === "term_rollout");
  const helpId = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const label = signalLabels[signal.name] ?? signal.name;
  const refused = useRefusal()(signal.name);
  return (
    <div className="flex items-start gap-3">
      <button
        type="button"
        onClick={() => (confirm ? dialog.current?.showModal() : onSend())}
        disabled={busy !== null || !!refused}
        aria-describedby={helpId}
        data-signal={signal.name}
        className={`${signal.dangerous ? ui.btnDanger : signal.name.startsWith("abort") ? ui.btnWarn : signal.name === "resume_rollout" ? ui.btnPrimary : ui.btnSecondary} shrink-0`}
      >
        {busy === signal.name ? "Sending…" : label}
      </button>
      <p id={helpId} className={`text-xs ${ui.muted}`}>
        {signal.description}
        {refused && (
          <span className="mt-1 block font-medium text-amber-800 dark:text-amber-300" data-testid="signal-refused">
            {refusalText(refused)}
          </span>
        )}
      </p>
      {confirm && (
        <dialog
          ref={dialog}
          aria-labelledby={`${helpId}-title`}
          className="m-auto w-[min(32rem,calc(100vw-2rem))] rounded-xl bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-950/60 dark:bg-slate-900 dark:text-slate-100"
        >
          <form
            method="dialog"
            className="space-y-4 p-5"
            onSubmit={(e) => {
              const submitter = (e.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
              if (submitter?.value === "confirm") onSend();
            }}
          >
            <h2 id={`${helpId}-title`} className="text-lg font-semibold">
              {label}?
            </h2>
            <p className="text-sm">{signal.description}</p>
            {showPreview && (
              <div className="space-y-2 rounded-lg bg-slate-50 p-3 dark:bg-slate-800/60" data-testid="confirm-preview">
                <p className="text-sm font-medium">{previewHeadline(preview, false).replace(/^Aborting now/, signal.dangerous ? "Terminating now" : "Aborting now")}</p>
                <RollbackPreviewList preview={preview} />
              </div>
            )}
            {signal.dangerous ? (
              <p className="text-sm font-medium text-rose-700 dark:text-rose-400">Running commands are killed at once. This cannot be undone.</p>
            ) : (
              <p className="text-sm">No new task starts; running commands finish first.</p>
            )}
            <div className="flex justify-end gap-2">
              <button value="cancel" className={ui.btnSecondary} autoFocus>
                Cancel
              </button>
              <button value="confirm" className={ui.btnDanger}>
                {label}
              </button>
            </div>
          </form>
        </dialog>
      )}
    </div>
  );
}

function LogSection({
  title,
  path,
  live,
  refreshMs,
  defaultOpen,
  streamed,
}: {
  title: string;
  path: string;
  live: boolean;
  refreshMs: number;
  defaultOpen: boolean;
  streamed: StreamedLine[] | null;
}) {
  const [open, setOpen] = useState(defaultOpen);
  return (
    <details open={open} onToggle={(e) => setOpen(e.currentTarget.open)} className="rounded-lg border border-slate-200 dark:border-slate-800">
      <summary className="px-3 py-2 text-sm font-medium">{title}</summary>
      {open && (
        <div className="border-t border-slate-200 p-3 dark:border-slate-800">
          <LogView path={path} live={live} everyMs={refreshMs} label={title} streamed={streamed} />
        </div>
      )}
    </details>
  );
}

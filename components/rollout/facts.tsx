"use client";
// The rollout's facts: who made and ran it, when each phase ran, its runner,
// the decisions and signals on record, and the lines its class adds (info()).
import type { ReactNode } from "react";
import type { LiveView } from "@/lib/kettle/operations";
import { Ago, Duration, Time } from "../app-context";
import { DecisionList } from "./steering-panel";
import { ui } from "@/lib/web/ui";

export function Facts({ view, rollbackPhase }: { view: LiveView; rollbackPhase: boolean }) {
  return (
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
        {view.queue && (
          <Fact term="Queued">
            <span data-testid="queue-position">
              position {view.queue.position} in its kind&apos;s queue
            </span>{" "}
            <span className={ui.muted}>
              (runs {view.queue.limit} at a time{view.queuedAt ? <> · since <Ago at={view.queuedAt} /></> : null})
            </span>
          </Fact>
        )}
        {view.supersededBy !== null && view.status === "superseded" && (
          <Fact term="Superseded">
            by <a className={ui.link} href={`/rollouts/${view.supersededBy}`}>rollout #{view.supersededBy}</a>
          </Fact>
        )}
        {view.schedule && (
          <Fact term="Scheduled">
            <span data-testid="schedule">
              runs at <Time at={view.schedule.at} />
            </span>{" "}
            <span className={ui.muted}>by {view.schedule.by ?? "anonymous"}</span>
          </Fact>
        )}
        {view.scheduleSkipped && (
          <Fact term="Scheduled run skipped" wide>
            <span className="text-amber-800 dark:text-amber-200">{view.scheduleSkipped.reason}</span>
          </Fact>
        )}
        {view.freezeOverride && (
          <Fact term="Freeze override" wide>
            <span data-testid="freeze-override">
              by {view.freezeOverride.by ?? "anonymous"}: {view.freezeOverride.reason}
            </span>
          </Fact>
        )}
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

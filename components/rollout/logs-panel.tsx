"use client";
// The rollout's own log (and its rollback log once a rollback started), each
// folding open, fed by the event stream when it is up.
import { useState } from "react";
import type { LiveView } from "@/lib/kettle/operations";
import { LogView } from "./log-view";
import type { StreamedLine } from "./use-rollout-stream";
import { ui } from "@/lib/web/ui";

export function LogsPanel({ view, live, refreshMs, rollbackPhase, streamed }: { view: LiveView; live: boolean; refreshMs: number; rollbackPhase: boolean; streamed: { rollout: StreamedLine[] | null; rollback: StreamedLine[] | null } }) {
  return (
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
        streamed={streamed.rollout}
      />
      {rollbackPhase && (
        <LogSection
          title="Rollback log"
          path={`/api/rollouts/${view.id}/logs/rollback`}
          live={live}
          refreshMs={refreshMs}
          defaultOpen
          streamed={streamed.rollback}
        />
      )}
      <p className={`text-xs ${ui.muted}`}>Each task’s run and revert logs are under its Logs button.</p>
    </section>
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

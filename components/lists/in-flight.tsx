"use client";
// Home's overview: every rollout in progress across kinds, with its progress,
// time left and who ran it; refreshed while any is in flight.
import Link from "next/link";
import useSWR from "swr";
import type { InFlight } from "@/lib/kettle/read/overview";
import { Ago, getJson, useApi } from "../app-context";
import { StatusBadge } from "../status-badge";
import { EtaText } from "../rollout/eta";
import { ui } from "@/lib/web/ui";

export function InFlightList({ initial, refreshMs }: { initial: InFlight[]; refreshMs: number }) {
  const api = useApi();
  const { data } = useSWR<{ rollouts: InFlight[] }>(api("/api/rollouts/in-flight"), getJson, {
    fallbackData: { rollouts: initial },
    revalidateOnMount: false,
    refreshInterval: Math.max(refreshMs, 1000),
    refreshWhenHidden: false,
  });
  const rollouts = data?.rollouts ?? initial;
  return (
    <section aria-labelledby="inflight-heading" className="space-y-3" data-testid="in-flight">
      <h2 id="inflight-heading" className={ui.h2}>
        In progress <span className={`text-sm font-normal ${ui.muted}`}>({rollouts.length})</span>
      </h2>
      {rollouts.length === 0 ? (
        <p className={`${ui.card} p-4 text-sm ${ui.muted}`}>Nothing is rolling out right now.</p>
      ) : (
        <ul aria-label="Rollouts in progress" className={`${ui.card} divide-y divide-slate-200 dark:divide-slate-800`}>
          {rollouts.map((r) => {
            const rollback = r.rollbackStartedAt !== null;
            const p = r.progress;
            const [done, of] = rollback ? [p.reverted, p.started] : [p.finished, p.total];
            const pct = of ? Math.round((done / of) * 100) : 0;
            const approvals = r.waitingFor.filter((w) => w.kind === "approval");
            return (
              <li key={r.id} data-rollout-id={r.id} className="space-y-2 px-4 py-3">
                <div className="flex flex-wrap items-center gap-x-4 gap-y-1">
                  <Link href={`/rollouts/${r.id}`} className="group flex min-w-0 flex-1 items-baseline gap-2">
                    <span className="font-mono text-sm text-slate-500 dark:text-slate-400">#{r.id}</span>
                    <span className="truncate font-medium group-hover:text-indigo-700 group-hover:underline dark:group-hover:text-indigo-300">{r.title}</span>
                  </Link>
                  <StatusBadge status={r.status} />
                  <span className={`text-sm ${ui.muted}`}>
                    run by {r.runBy ?? "anonymous"} · <Ago at={r.rolloutStartedAt ?? r.createdAt} />
                  </span>
                </div>
                <div className="flex flex-wrap items-center gap-3">
                  <div
                    role="progressbar"
                    aria-label={`Rollout #${r.id} ${rollback ? "rollback" : ""} progress`}
                    aria-valuemin={0}
                    aria-valuemax={of}
                    aria-valuenow={done}
                    aria-valuetext={`${done} of ${of}`}
                    className="h-2 min-w-40 flex-1 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
                  >
                    <div className={`h-full rounded-full ${rollback ? "bg-violet-500" : p.failed ? "bg-rose-500" : "bg-emerald-500"}`} style={{ width: `${pct}%` }} />
                  </div>
                  <span className={`text-xs tabular-nums ${ui.muted}`}>
                    {done} of {of} {rollback ? "reverted" : "done"}
                  </span>
                  <EtaText eta={r.eta} compact />
                </div>
                {approvals.length > 0 && (
                  <p className="text-sm text-amber-800 dark:text-amber-300">
                    Waiting for approval: {approvals.map((a) => a.title).join("; ")}
                  </p>
                )}
                {r.pausedReason && <p className="text-sm text-amber-800 dark:text-amber-300">{r.pausedReason.message}</p>}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

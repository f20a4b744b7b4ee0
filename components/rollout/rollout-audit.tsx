"use client";
// A rollout's own audit trail, at the bottom of its page: who did what, when.
import useSWR from "swr";
import { Time, getJson, useApi } from "../app-context";
import type { AuditRow } from "@/lib/kettle/operations";
import { ui } from "@/lib/web/ui";

type Page = { entries: AuditRow[]; total: number };

export function RolloutAudit({ rolloutId, live, refreshMs, changedAt }: { rolloutId: number; live: boolean; refreshMs: number; changedAt: number }) {
  const api = useApi();
  // Re-read when the rollout view changes (an action on this page) and while it runs.
  const { data, error } = useSWR<Page>(`${api(`/api/rollouts/${rolloutId}/audit`)}?perPage=50#${live ? "live" : changedAt}`, (url: string) => getJson<Page>(url.split("#")[0]), {
    refreshInterval: live ? Math.max(refreshMs, 2000) : 0,
    revalidateOnFocus: false,
  });
  return (
    <section aria-labelledby="trail-heading" className={`${ui.card} p-4 sm:p-5`} data-testid="rollout-audit">
      <h2 id="trail-heading" className={`${ui.h2} mb-3`}>
        Audit trail
      </h2>
      {error ? (
        <p className="text-sm text-rose-700 dark:text-rose-400">Could not load the trail: {String(error.message ?? error)}</p>
      ) : !data ? (
        <p className={`text-sm ${ui.muted}`}>Loading…</p>
      ) : data.entries.length === 0 ? (
        <p className={`text-sm ${ui.muted}`}>Nothing recorded yet.</p>
      ) : (
        <ol className="space-y-1.5 text-sm">
          {data.entries.map((e) => (
            <li key={e.id} className="flex flex-wrap items-baseline gap-x-2" data-action={e.action}>
              <span className={`tabular-nums ${ui.muted}`}>
                <Time at={e.at} />
              </span>
              <span className="font-medium">{e.user ?? "anonymous"}</span>
              <span className={e.outcome === "refused" ? "text-rose-700 dark:text-rose-400" : ""}>
                {e.action.replace(/_/g, " ")}
                {e.outcome === "refused" ? " (refused)" : ""}
              </span>
              {e.tokenName && <span className={`text-xs ${ui.muted}`}>with token “{e.tokenName}”</span>}
              {e.comment && <span className={`text-xs ${ui.muted}`}>{e.comment}</span>}
            </li>
          ))}
        </ol>
      )}
      {data && data.total > data.entries.length && (
        <p className={`mt-2 text-xs ${ui.muted}`}>
          The latest {data.entries.length} of {data.total}.
        </p>
      )}
    </section>
  );
}

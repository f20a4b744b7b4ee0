"use client";
// What changed between two plans: config fields, and tasks added, removed, changed.
import useSWR from "swr";
import type { PlanDiff } from "@/lib/kettle/read/plans";
import { getJson, Time, useApi } from "../app-context";
import { ui } from "@/lib/web/ui";

const show = (v: unknown) => (v === undefined ? "(not set)" : typeof v === "string" ? v : JSON.stringify(v));
const MAX = 50;

export function PlanDiffView({ diff, title }: { diff: PlanDiff; title: string }) {
  const { config, tasks } = diff;
  return (
    <section aria-label={title} className={`${ui.card} space-y-3 p-5 text-sm`} data-testid="plan-diff">
      <h2 className="font-semibold">{title}</h2>
      {diff.same ? (
        <p className={ui.muted}>No change: the same config and the same tasks.</p>
      ) : (
        <>
          {config.length > 0 && (
            <div>
              <h3 className={`text-xs font-medium uppercase tracking-wide ${ui.muted}`}>Config</h3>
              <ul className="mt-1 space-y-1" data-testid="diff-config">
                {config.map((c) => (
                  <li key={c.field} data-field={c.field}>
                    <span className="font-mono text-xs">{c.field}</span>: <del className="bg-rose-50 text-rose-800 dark:bg-rose-950 dark:text-rose-300">{show(c.before)}</del> →{" "}
                    <ins className="bg-emerald-50 text-emerald-800 no-underline dark:bg-emerald-950 dark:text-emerald-300">{show(c.after)}</ins>
                  </li>
                ))}
              </ul>
            </div>
          )}
          <div>
            <h3 className={`text-xs font-medium uppercase tracking-wide ${ui.muted}`}>
              Tasks: {tasks.added.length} added, {tasks.removed.length} removed, {tasks.changed.length} changed
            </h3>
            <ul className="mt-1 space-y-0.5 font-mono text-xs">
              {tasks.added.slice(0, MAX).map((t, i) => (
                <li key={`a${i}`} className="text-emerald-800 dark:text-emerald-300" data-testid="diff-added">
                  + {t.description}
                </li>
              ))}
              {tasks.removed.slice(0, MAX).map((t, i) => (
                <li key={`r${i}`} className="text-rose-800 dark:text-rose-300" data-testid="diff-removed">
                  − {t.description}
                </li>
              ))}
              {tasks.changed.slice(0, MAX).map((t, i) => (
                <li key={`c${i}`} className="text-amber-800 dark:text-amber-300" data-testid="diff-changed">
                  ~ {t.before} → {t.after}
                </li>
              ))}
            </ul>
            {Math.max(tasks.added.length, tasks.removed.length, tasks.changed.length) > MAX && <p className={`text-xs ${ui.muted}`}>Only the first {MAX} of each are listed.</p>}
          </div>
        </>
      )}
    </section>
  );
}

type History = { plans: { id: number; finalisedAt: number; diff: PlanDiff | null }[] };

/** On a rollout not yet run: what the last finalise changed, if it was finalised more than once. */
export function LastPlanChange({ rolloutId, finalisedAt }: { rolloutId: number; finalisedAt: number | null }) {
  const api = useApi();
  const { data } = useSWR<History>(api(`/api/rollouts/${rolloutId}/plans?at=${finalisedAt ?? 0}`), getJson, { revalidateOnFocus: false });
  const last = data?.plans.at(-1);
  if (!last?.diff) return null;
  return (
    <div className="space-y-1">
      <PlanDiffView diff={last.diff} title={`Changed at the last finalise (plan ${data!.plans.length})`} />
      <p className={`px-1 text-xs ${ui.muted}`}>
        Finalised <Time at={last.finalisedAt} />; earlier plans: GET /api/rollouts/{rolloutId}/plans
      </p>
    </div>
  );
}

// The rollouts as a list: id, kind, status, who, when. Server-renderable.
import Link from "next/link";
import type { RolloutSummary } from "@/lib/kettle/operations";
import { StatusBadge } from "../status-badge";
import { Ago } from "../app-context";
import { HideButton } from "../rollout/hide-button";
import { ui } from "@/lib/web/ui";

export function RolloutList({
  rollouts,
  titles,
  hideControls = false,
  label,
}: {
  rollouts: RolloutSummary[];
  titles: Record<string, string>;
  hideControls?: boolean;
  label: string;
}) {
  return (
    <ul aria-label={label} className={`${ui.card} divide-y divide-slate-200 dark:divide-slate-800`}>
      {rollouts.map((r) => (
        <li key={r.id} data-rollout-id={r.id} className="flex flex-wrap items-center gap-x-4 gap-y-1.5 px-4 py-3 hover:bg-slate-50 dark:hover:bg-slate-800/40">
          <div className="min-w-0 flex-1 basis-full sm:basis-60">
            <Link href={`/rollouts/${r.id}`} className="group flex items-baseline gap-2 rounded">
              <span className="font-mono text-sm text-slate-500 dark:text-slate-400">#{r.id}</span>
              <span className="truncate font-medium text-slate-900 group-hover:text-indigo-700 group-hover:underline dark:text-slate-100 dark:group-hover:text-indigo-300">
                {titles[r.kind] ?? r.kind}
              </span>
            </Link>
          </div>
          <StatusBadge status={r.status} />
          <div className={`truncate text-sm sm:w-32 ${ui.muted}`}>
            <span className="sr-only">By </span>
            {r.user ?? <span className="italic">anonymous</span>}
          </div>
          <div className={`text-sm sm:w-28 ${ui.muted}`}>
            <Ago at={r.rolloutStartedAt ?? r.createdAt} />
          </div>
          {hideControls && (
            <div className="ml-auto sm:ml-0">
              <HideButton id={r.id} hidden={r.hidden} />
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}

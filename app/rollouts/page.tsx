import Link from "next/link";
import type { Metadata } from "next";
import { database } from "@/lib/kettle/operations";
import { findRollouts, filtersQuery, parseFilters, type RolloutFilters } from "@/lib/kettle/read/overview";
import { rolloutStatuses } from "@/lib/kettle/status";
import { settings } from "@/lib/kettle/settings";
import { KettleError } from "@/lib/kettle/errors";
import { kindTitles } from "@/lib/web/kinds";
import { RolloutList } from "@/components/lists/rollout-list";
import { ui } from "@/lib/web/ui";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "All rollouts" };

const PER_PAGE = 20;

export default async function AllRollouts({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const q = await searchParams;
  const hidden = q.hidden === "1";
  const pageParam = Number(Array.isArray(q.page) ? q.page[0] : q.page);
  const page = Number.isInteger(pageParam) && pageParam > 0 && pageParam <= 1e9 ? pageParam : 1;
  const db = await database();
  let filters: RolloutFilters = { hidden };
  let filterError: string | null = null;
  try {
    filters = parseFilters(q);
  } catch (e) {
    if (!(e instanceof KettleError)) throw e;
    filterError = e.message;
  }
  const list = await findRollouts(db, filters, { page, perPage: PER_PAGE });
  const kinds = [...new Set([...settings().rolloutClasses, ...(filters.kind ?? [])])];
  const titles = await kindTitles([...list.rollouts.map((r) => r.kind), ...kinds]);
  const filtered = Object.keys(filtersQuery({ ...filters, hidden: false })).length > 0;
  const href = (p: number, h = hidden) =>
    `/rollouts?${new URLSearchParams({ ...filtersQuery({ ...filters, hidden: h }), ...(p > 1 ? { page: String(p) } : {}) })}`;
  const first = (name: string) => (Array.isArray(q[name]) ? q[name]![0] : q[name]) ?? "";
  const tab = (active: boolean) =>
    `rounded-md px-3 py-1.5 text-sm font-medium ${active ? "bg-white text-slate-900 shadow-sm dark:bg-slate-700 dark:text-white" : "text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-white"}`;
  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className={ui.h1}>All rollouts</h1>
          <p className={`mt-1 text-sm ${ui.muted}`}>
            {list.total} {hidden ? "hidden" : "shown"}
            {filtered ? " matching the filters" : ""}, newest first.
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <nav aria-label="Filter" className="flex gap-1 rounded-lg bg-slate-200/70 p-1 dark:bg-slate-800">
            <Link href={href(1, false)} aria-current={!hidden ? "page" : undefined} className={tab(!hidden)}>
              Shown
            </Link>
            <Link href={href(1, true)} aria-current={hidden ? "page" : undefined} className={tab(hidden)}>
              Hidden
            </Link>
          </nav>
          <Link href="/rollouts/new" className={ui.btnPrimary}>
            New rollout
          </Link>
        </div>
      </div>
      <form method="get" action="/rollouts" role="search" aria-label="Filter rollouts" className={`${ui.card} grid gap-3 p-4 text-sm sm:grid-cols-2 lg:grid-cols-7`} data-testid="filters">
        {hidden && <input type="hidden" name="hidden" value="1" />}
        <label className="space-y-1 lg:col-span-2">
          <span className={`block text-xs font-medium ${ui.muted}`}>Search config and info</span>
          <input type="search" name="q" defaultValue={filters.q ?? ""} placeholder="e.g. web-03 or 1.4.2" className={ui.input} />
        </label>
        <label className="space-y-1">
          <span className={`block text-xs font-medium ${ui.muted}`}>Status</span>
          <select name="status" defaultValue={first("status")} className={ui.input}>
            <option value="">Any</option>
            <option value="active">In progress</option>
            {rolloutStatuses.map((s) => (
              <option key={s} value={s}>
                {s.replace(/_/g, " ")}
              </option>
            ))}
          </select>
        </label>
        <label className="space-y-1">
          <span className={`block text-xs font-medium ${ui.muted}`}>Kind</span>
          <select name="kind" defaultValue={first("kind")} className={ui.input}>
            <option value="">Any</option>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {titles[k] ?? k}
              </option>
            ))}
          </select>
        </label>
        <label className="space-y-1">
          <span className={`block text-xs font-medium ${ui.muted}`}>Who (created or ran it)</span>
          <input name="user" defaultValue={filters.user ?? ""} className={ui.input} />
        </label>
        <div className="grid grid-cols-2 gap-2 lg:col-span-2">
          <label className="space-y-1">
            <span className={`block text-xs font-medium ${ui.muted}`}>From</span>
            <input type="date" name="from" defaultValue={first("from").slice(0, 10)} className={ui.input} />
          </label>
          <label className="space-y-1">
            <span className={`block text-xs font-medium ${ui.muted}`}>To</span>
            <input type="date" name="to" defaultValue={first("to").slice(0, 10)} className={ui.input} />
          </label>
        </div>
        <div className="flex flex-wrap items-center gap-2 sm:col-span-2 lg:col-span-7">
          <button type="submit" className={ui.btnPrimary}>
            Filter
          </button>
          {filtered && (
            <Link href={hidden ? "/rollouts?hidden=1" : "/rollouts"} className={ui.btnSecondary}>
              Clear filters
            </Link>
          )}
          {filterError && (
            <p role="alert" className="text-rose-700 dark:text-rose-400">
              {filterError}
            </p>
          )}
        </div>
      </form>
      {list.rollouts.length ? (
        <RolloutList rollouts={list.rollouts} titles={titles} hideControls label={hidden ? "Hidden rollouts" : "Rollouts"} />
      ) : (
        <p className={`${ui.card} p-8 text-center ${ui.muted}`}>
          {page > 1 ? "No rollouts on this page." : filtered ? "No rollouts match these filters." : hidden ? "No hidden rollouts." : "No rollouts yet. "}
          {!hidden && !filtered && page === 1 && (
            <Link href="/rollouts/new" className={ui.link}>
              Start one.
            </Link>
          )}
        </p>
      )}
      {list.pages > 1 && (
        <nav aria-label="Pages" className="flex items-center justify-between gap-3 text-sm">
          {page > 1 ? (
            <Link href={href(page - 1)} rel="prev" className={ui.btnSecondary}>
              ← Newer
            </Link>
          ) : (
            <span />
          )}
          <span className={ui.muted} aria-current="page">
            Page {page} of {list.pages}
          </span>
          {page < list.pages ? (
            <Link href={href(page + 1)} rel="next" className={ui.btnSecondary}>
              Older →
            </Link>
          ) : (
            <span />
          )}
        </nav>
      )}
    </div>
  );
}

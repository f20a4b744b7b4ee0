import Link from "next/link";
import type { Metadata } from "next";
import { database } from "@/lib/kettle/store/db";
import { listRollouts } from "@/lib/kettle/operations";
import { kindTitles } from "@/lib/web/kinds";
import { RolloutList } from "@/components/rollout-list";
import { ui } from "@/lib/web/ui";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "All rollouts" };

const PER_PAGE = 20;

export default async function AllRollouts({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const q = await searchParams;
  const hidden = q.hidden === "1";
  const pageParam = Number(Array.isArray(q.page) ? q.page[0] : q.page);
  const page = Number.isInteger(pageParam) && pageParam > 0 ? pageParam : 1;
  const db = await database();
  const list = await listRollouts(db, { hidden, page, perPage: PER_PAGE });
  const titles = await kindTitles(list.rollouts.map((r) => r.kind));
  const href = (p: number, h = hidden) => `/rollouts?${new URLSearchParams({ ...(h ? { hidden: "1" } : {}), ...(p > 1 ? { page: String(p) } : {}) })}`;
  const tab = (active: boolean) =>
    `rounded-md px-3 py-1.5 text-sm font-medium ${active ? "bg-white text-slate-900 shadow-sm dark:bg-slate-700 dark:text-white" : "text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-white"}`;
  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className={ui.h1}>All rollouts</h1>
          <p className={`mt-1 text-sm ${ui.muted}`}>
            {list.total} {hidden ? "hidden" : "shown"}, newest first.
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
      {list.rollouts.length ? (
        <RolloutList rollouts={list.rollouts} titles={titles} hideControls label={hidden ? "Hidden rollouts" : "Rollouts"} />
      ) : (
        <p className={`${ui.card} p-8 text-center ${ui.muted}`}>
          {page > 1 ? "No rollouts on this page." : hidden ? "No hidden rollouts." : "No rollouts yet. "}
          {!hidden && page === 1 && (
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

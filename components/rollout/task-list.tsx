"use client";
// A long list of a group's children, virtualised: only the rows in view are in
// the DOM, whatever the size. Rows come from the tree when it holds them all,
// or page by page from GET /api/rollouts/{id}/tasks?parent= (a big rollout's
// summary), kept fresh by the page's event stream.
import { useEffect, useRef, useState, type ReactNode } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import type { TaskView } from "@/lib/kettle/operations";
import { getJson, useApi } from "../app-context";
import type { TaskFeed } from "./use-rollout-stream";
import { ui } from "@/lib/web/ui";

const PAGE = 100;
const ROW_PX = 34;

type Page = { total: number; offset: number; tasks: TaskView[] };

export function VirtualTaskList({
  parentId,
  rolloutId,
  count,
  loaded,
  feed,
  renderRow,
}: {
  parentId: number;
  rolloutId: number;
  count: number;
  /** The children the tree already holds (all of them, or the first few of a summary). */
  loaded: TaskView[];
  feed: TaskFeed | null;
  renderRow(task: TaskView): ReactNode;
}) {
  const api = useApi();
  const scroller = useRef<HTMLDivElement>(null);
  const [rows, setRows] = useState<(TaskView | undefined)[]>(() => Array.from({ length: count }, (_, i) => loaded[i]));
  const asked = useRef(new Set<number>());
  const [error, setError] = useState<string | null>(null);
  const all = loaded.length >= count;

  // What the tree holds wins (it is kept fresh by the page).
  useEffect(() => {
    setRows((old) => {
      const next = old.length === count ? [...old] : Array.from({ length: count }, (_, i) => old[i]);
      loaded.forEach((t, i) => (next[i] = t));
      return next;
    });
  }, [loaded, count]);

  // Rows loaded page by page take the stream's changes too.
  useEffect(() => {
    if (!feed || all) return;
    return feed.subscribe((changed) => {
      const byId = new Map(changed.map((t) => [t.id, t]));
      setRows((old) => {
        let next: typeof old | null = null;
        old.forEach((row, i) => {
          const update = row && byId.get(row.id);
          if (update) (next ??= [...old])[i] = { ...update, children: row.children, ...(row.childCount !== undefined ? { childCount: row.childCount } : {}) };
        });
        return next ?? old;
      });
    });
  }, [feed, all]);

  const virtual = useVirtualizer({ count, getScrollElement: () => scroller.current, estimateSize: () => ROW_PX, overscan: 8 });
  const items = virtual.getVirtualItems();

  // Fetch the pages of the rows in view that are not there yet.
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (all) return;
    for (let page = Math.floor(first / PAGE); page <= Math.floor(last / PAGE); page++) {
      if (asked.current.has(page)) continue;
      const from = page * PAGE;
      if (rows.slice(from, from + PAGE).every(Boolean)) continue;
      asked.current.add(page);
      getJson<Page>(api(`/api/rollouts/${rolloutId}/tasks?parent=${parentId}&offset=${from}&limit=${PAGE}`))
        .then((p) =>
          setRows((old) => {
            const next = [...old];
            p.tasks.forEach((t, i) => (next[from + i] ??= t));
            return next;
          }),
        )
        .catch((e) => {
          asked.current.delete(page);
          setError(e instanceof Error ? e.message : String(e));
        });
    }
    // `api` is stable for a given base path.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [first, last, all, rolloutId, parentId, rows]);

  return (
    <div>
      <div ref={scroller} className="max-h-[28rem] overflow-auto rounded-lg border border-slate-200 dark:border-slate-800" data-testid={`task-list-${parentId}`}>
        <div style={{ height: virtual.getTotalSize(), position: "relative" }}>
          {items.map((item) => {
            const task = rows[item.index];
            return (
              <ul
                key={item.key}
                data-index={item.index}
                ref={virtual.measureElement}
                style={{ position: "absolute", top: 0, left: 0, width: "100%", transform: `translateY(${item.start}px)` }}
              >
                {task ? (
                  renderRow(task)
                ) : (
                  <li className={`px-2 py-1.5 text-xs ${ui.muted}`} aria-busy="true">
                    Loading task {item.index + 1} of {count}…
                  </li>
                )}
              </ul>
            );
          })}
        </div>
      </div>
      <p className={`mt-1 text-xs ${ui.muted}`}>
        {count.toLocaleString()} tasks{all ? "" : ", loaded as you scroll"}
        {/* where you are in a long list */}
        {virtual.range && count > 0 ? (
          <span data-testid={`task-list-range-${parentId}`}>
            {" "}· showing {(virtual.range.startIndex + 1).toLocaleString()}–{(virtual.range.endIndex + 1).toLocaleString()}
          </span>
        ) : null}
        {error ? <span className="text-rose-700 dark:text-rose-400"> · could not load some: {error}</span> : null}
      </p>
    </div>
  );
}

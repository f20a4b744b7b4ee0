"use client";
// The task tree. Built for big trees: each row is memoised on a signature of
// its subtree, so a refresh re-renders only the rows that changed; groups of
// more than 20 children start collapsed with a summary of their statuses; and
// only running delays tick every second.
import { memo, useMemo, useState } from "react";
import type { TaskView } from "@/lib/kettle/operations";
import { StatusBadge } from "../status-badge";
import { Duration, Time, serverClockNow, useNow } from "../app-context";
import { LogView } from "./log-view";
import { VirtualTaskList } from "./task-list";
import type { TaskFeed } from "./use-rollout-stream";
import { taskStatusInfo, toneDots } from "@/lib/web/format";
import { ui } from "@/lib/web/ui";

const COLLAPSE_OVER = 20;
/** Past this many children, an open group lists them in a virtualised, scrolling list. */
const VIRTUAL_OVER = 100;

type Counts = Record<string, number>;
type Meta = { sig: string; counts: Counts; leaves: number };
type Ctx = {
  rolloutId: number;
  live: boolean;
  refreshMs: number;
  serverNow: number;
  meta: Map<number, Meta>;
  feed: TaskFeed | null;
  /** When the rollout paused (null unless paused): running delays stop counting there. */
  pausedAt: number | null;
};

/** A row's meta: from the tree's, or (a row loaded page by page) worked out for it alone. */
const metaOf = (ctx: Ctx, task: TaskView): Meta => ctx.meta.get(task.id) ?? annotate(task).get(task.id)!;

function hash(s: string): string {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}

/** Per task: a signature of its subtree and its leaves' status counts. */
function annotate(root: TaskView): Map<number, Meta> {
  const meta = new Map<number, Meta>();
  const visit = (t: TaskView): Meta => {
    const kids = t.children.map(visit);
    const own = [
      t.status,
      t.description,
      // A delay's countdown ticks in the browser: only a pause changes what it shows.
      t.type === "DelayTask" ? String(t.pausedMs ?? 0) : t.progress,
      t.attempts?.length,
      t.decisions?.join(),
      t.childCount,
      t.run.startedAt,
      t.run.finishedAt,
      t.run.failedAt,
      t.run.error,
      t.revert.startedAt,
      t.revert.finishedAt,
      t.revert.failedAt,
      t.revert.error,
    ].join("|");
    const counts: Counts = {};
    let leaves = 0;
    if (!kids.length) {
      counts[t.status] = 1;
      leaves = 1;
    }
    for (const k of kids) {
      leaves += k.leaves;
      for (const [s, n] of Object.entries(k.counts)) counts[s] = (counts[s] ?? 0) + n;
    }
    const m = { sig: hash(own + "/" + kids.map((k) => k.sig).join(",")), counts, leaves };
    meta.set(t.id, m);
    return m;
  };
  visit(root);
  return meta;
}

export function TaskTree({
  root,
  rolloutId,
  live,
  refreshMs,
  serverNow,
  feed = null,
  pausedAt = null,
}: {
  root: TaskView;
  rolloutId: number;
  live: boolean;
  refreshMs: number;
  serverNow: number;
  feed?: TaskFeed | null;
  pausedAt?: number | null;
}) {
  const meta = useMemo(() => annotate(root), [root]);
  const ctx: Ctx = { rolloutId, live, refreshMs, serverNow, meta, feed, pausedAt };
  return (
    <ul aria-label="Tasks" className="text-sm" data-testid="task-tree">
      <TaskNode task={root} sig={meta.get(root.id)!.sig} live={live} ctx={ctx} depth={0} />
    </ul>
  );
}

const TaskNode = memo(
  function TaskNode({ task, ctx, depth }: { task: TaskView; sig: string; live: boolean; ctx: Ctx; depth: number }) {
    // childCount: a big rollout's summary holds only some of this group's children; the rest load as you scroll.
    const count = task.childCount ?? task.children.length;
    const [expanded, setExpanded] = useState(depth === 0 || count <= COLLAPSE_OVER);
    const [showLogs, setShowLogs] = useState(false);
    const hasChildren = count > 0;
    const m = metaOf(ctx, task);
    const failed = task.run.error || task.revert.error;
    const groupId = `task-${task.id}-children`;
    return (
      <li data-task-id={task.id} data-task-status={task.status}>
        <div className="group flex items-start gap-2 rounded-lg px-1.5 py-1 hover:bg-slate-50 dark:hover:bg-slate-800/50">
          {hasChildren ? (
            <button
              type="button"
              onClick={() => setExpanded((e) => !e)}
              aria-expanded={expanded}
              aria-controls={groupId}
              className="mt-0.5 grid h-5 w-5 shrink-0 place-items-center rounded text-slate-500 hover:bg-slate-200 hover:text-slate-900 dark:hover:bg-slate-700 dark:hover:text-white"
            >
              <span aria-hidden="true" className={`text-[10px] transition ${expanded ? "rotate-90" : ""}`}>
                ▶
              </span>
              <span className="sr-only">{expanded ? "Collapse" : "Expand"} {count} tasks</span>
            </button>
          ) : (
            <span aria-hidden="true" className="mt-2 grid h-5 w-5 shrink-0 place-items-start justify-center">
              <span className={`h-1.5 w-1.5 rounded-full ${toneDots[taskStatusInfo(task.status).tone]}`} />
            </span>
          )}
          <div className="min-w-0 flex-1">
            <p className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5">
              <span className={`break-words ${hasChildren ? "font-medium" : ""}`} data-testid="task-description">
                {task.description}
              </span>
              <Progress task={task} serverNow={ctx.serverNow} pausedAt={ctx.pausedAt} />
              {task.attempts && (task.attempts.length > 1 || task.maxAttempts) && (
                <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-700 dark:bg-slate-800 dark:text-slate-300" data-testid="attempt">
                  attempt {task.attempts.length}
                  {task.maxAttempts && task.attempts.length <= task.maxAttempts ? ` of ${task.maxAttempts}` : ""}
                </span>
              )}
              {task.run.startedAt && (
                <span className={`text-xs ${ui.muted}`}>
                  <span className="sr-only">Run started </span>
                  <Time at={task.run.startedAt} timeOnly /> ·{" "}
                  <Duration from={task.run.startedAt} to={task.run.finishedAt ?? task.run.failedAt ?? (task.status === "started" || task.status === "waiting" ? null : task.run.startedAt)} serverNow={ctx.serverNow} />
                </span>
              )}
              {task.revert.startedAt && (
                <span className={`text-xs ${ui.muted}`}>
                  reverted <Time at={task.revert.startedAt} timeOnly /> ·{" "}
                  <Duration
                    from={task.revert.startedAt}
                    to={task.revert.finishedAt ?? task.revert.failedAt ?? (task.status === "rolling_back" ? null : task.revert.startedAt)}
                    serverNow={ctx.serverNow}
                  />
                </span>
              )}
            </p>
            {failed && <Failure task={task} />}
            {hasChildren && !expanded && (task.childCount === undefined ? <Summary meta={m} /> : <p className={`mt-1 text-xs ${ui.muted}`}>{count.toLocaleString()} tasks</p>)}
            {showLogs && (
              <div className="mt-2 space-y-3 rounded-lg border border-slate-200 p-3 dark:border-slate-800">
                <p className="text-xs font-semibold">Run log</p>
                <LogView path={`/api/rollouts/${ctx.rolloutId}/tasks/${task.id}/logs/run`} live={ctx.live} everyMs={ctx.refreshMs} label={`Run log of task ${task.id}`} />
                {task.revert.startedAt && (
                  <>
                    <p className="text-xs font-semibold">Revert log</p>
                    <LogView
                      path={`/api/rollouts/${ctx.rolloutId}/tasks/${task.id}/logs/revert`}
                      live={ctx.live}
                      everyMs={ctx.refreshMs}
                      label={`Revert log of task ${task.id}`}
                    />
                  </>
                )}
              </div>
            )}
          </div>
          <div className="flex shrink-0 flex-col items-end gap-1 sm:flex-row sm:items-center sm:gap-2">
            <StatusBadge status={task.status} of="task" size="sm" />
            {task.run.startedAt && (
              <button
                type="button"
                onClick={() => setShowLogs((s) => !s)}
                aria-expanded={showLogs}
                className={ui.btnSmall}
              >
                Logs<span className="sr-only"> of {task.description}</span>
              </button>
            )}
          </div>
        </div>
        {hasChildren && expanded && (count > VIRTUAL_OVER || task.childCount !== undefined) && (
          <div id={groupId} className="ml-[1.05rem] border-l border-slate-200 pl-2 dark:border-slate-700">
            <VirtualTaskList
              parentId={task.id}
              rolloutId={ctx.rolloutId}
              count={count}
              loaded={task.children}
              feed={ctx.feed}
              renderRow={(c) => <TaskNode task={c} sig={metaOf(ctx, c).sig} live={ctx.live} ctx={ctx} depth={depth + 1} />}
            />
          </div>
        )}
        {hasChildren && expanded && count <= VIRTUAL_OVER && task.childCount === undefined && (
          <ul id={groupId} className="ml-[1.05rem] border-l border-slate-200 pl-2 dark:border-slate-700">
            {task.children.map((c) => (
              <TaskNode key={c.id} task={c} sig={ctx.meta.get(c.id)!.sig} live={ctx.live} ctx={ctx} depth={depth + 1} />
            ))}
          </ul>
        )}
      </li>
    );
  },
  (a, b) => a.sig === b.sig && a.live === b.live && a.depth === b.depth && a.ctx.pausedAt === b.ctx.pausedAt,
);

function Summary({ meta }: { meta: Meta }) {
  const parts = Object.entries(meta.counts)
    .sort((a, b) => b[1] - a[1])
    .map(([s, n]) => ({ s, n, ...taskStatusInfo(s) }));
  return (
    <p className={`mt-1 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs ${ui.muted}`}>
      <span>{meta.leaves} tasks:</span>
      {parts.map((p) => (
        <span key={p.s} className="inline-flex items-center gap-1">
          <span aria-hidden="true" className={`h-1.5 w-1.5 rounded-full ${toneDots[p.tone]}`} />
          {p.n} {p.label.toLowerCase()}
        </span>
      ))}
    </p>
  );
}

function Failure({ task }: { task: TaskView }) {
  const records = [
    task.run.error ? { what: "Run failed", r: task.run } : null,
    task.revert.error ? { what: "Revert failed", r: task.revert } : null,
  ].filter((x) => x !== null);
  return (
    <div className="mt-1.5 space-y-1.5">
      {records.map(({ what, r }) => (
        <details key={what} className="rounded-md border border-rose-200 bg-rose-50 text-xs text-rose-900 dark:border-rose-900 dark:bg-rose-950/50 dark:text-rose-200" data-testid="task-error">
          <summary className="px-2.5 py-1.5">
            <span className="font-semibold">{what}:</span> <span className="break-words">{r.error}</span>
          </summary>
          <pre className="max-h-64 overflow-auto whitespace-pre-wrap border-t border-rose-200 px-2.5 py-2 font-mono text-[11px] dark:border-rose-900">
            {r.trace ?? "(no stack trace recorded)"}
          </pre>
        </details>
      ))}
    </div>
  );
}

/** A delay's countdown, from its recorded start; other kinds' progress text as given. */
function Progress({ task, serverNow, pausedAt }: { task: TaskView; serverNow: number; pausedAt: number | null }) {
  const reverting = task.status === "rolling_back";
  if (task.type === "DelayTask" && (task.status === "started" || reverting)) {
    const startedAt = reverting ? task.revert.startedAt : task.run.startedAt;
    const total = (Number(task.state.minutes ?? 0) * 60 + Number(task.state.seconds ?? 0)) * 1000;
    const pausedMs = reverting ? 0 : (task.pausedMs ?? 0); // time the rollout was paused does not count
    if (startedAt && total > 0 && pausedAt !== null && !reverting) {
      const left = Math.max(0, Math.ceil((startedAt + pausedMs + total - Math.max(pausedAt, startedAt)) / 1000));
      return <span className="text-xs font-medium text-amber-700 dark:text-amber-300" data-testid="countdown">(paused, {left} secs left)</span>;
    }
    if (startedAt && total > 0) return <Countdown endsAt={startedAt + pausedMs + total} serverNow={serverNow} totalMs={total} />;
  }
  if (!task.progress) return null;
  return <span className="text-xs font-medium text-sky-700 dark:text-sky-300">({task.progress})</span>;
}

function Countdown({ endsAt, serverNow, totalMs }: { endsAt: number; serverNow: number; totalMs: number }) {
  // useNow() re-renders every second; between ticks (a row that just appeared) read the clock itself.
  const now = useNow() === null ? serverNow : serverClockNow();
  // Never more than the whole delay: the browser's estimate of the server's clock may lag by a response's latency.
  const left = Math.min(Math.ceil(totalMs / 1000), Math.max(0, Math.ceil((endsAt - now) / 1000)));
  return (
    <span className="text-xs font-medium tabular-nums text-sky-700 dark:text-sky-300" data-testid="countdown">
      ({left} secs left)
    </span>
  );
}

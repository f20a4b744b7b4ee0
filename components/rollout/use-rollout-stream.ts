"use client";
// Follows a rollout through its event stream (GET /api/rollouts/{id}/events):
// a snapshot, then only what changed. The page falls back to polling when the
// stream cannot be had, and says which it is using.
import { useEffect, useRef, useState } from "react";
import type { LiveView, RolloutHeader, TaskView } from "@/lib/kettle/operations";

export type StreamMode = "connecting" | "stream" | "polling";
export type StreamedLine = { id: number; at: number; line: string };
type LogLineChange = StreamedLine & { taskId: number | null; stream: string };
type Change = { rollout?: Partial<Omit<RolloutHeader, "config">>; tasks?: TaskView[]; logs?: LogLineChange[] };

/** Listeners for task records that changed (lists loaded page by page keep their rows fresh with it). */
export type TaskFeed = { subscribe(fn: (tasks: TaskView[]) => void): () => void };

/** Consecutive failures to connect before the page polls instead. */
const GIVE_UP_AFTER = 2;
const KEEP_LINES = 5000;

/** A task's new record in place of its old one; the tree's shape (children) stays. */
function withTasks(node: TaskView, byId: Map<number, TaskView>): TaskView {
  let children = node.children;
  for (let i = 0; i < node.children.length; i++) {
    const c = withTasks(node.children[i], byId);
    if (c !== node.children[i]) {
      if (children === node.children) children = [...node.children];
      children[i] = c;
    }
  }
  const update = byId.get(node.id);
  if (update) return { ...update, children, ...(node.childCount !== undefined ? { childCount: node.childCount } : {}) };
  return children === node.children ? node : { ...node, children };
}

export function applyChange(view: LiveView, change: Change): LiveView {
  let next = change.rollout ? { ...view, ...change.rollout, tasks: view.tasks, tasksShown: view.tasksShown } : view;
  if (change.tasks?.length && next.tasks) next = { ...next, tasks: withTasks(next.tasks, new Map(change.tasks.map((t) => [t.id, t]))) };
  return next;
}

export function useRolloutStream(opts: {
  url: string;
  /** Stream only while this is true (the rollout is live and the user wants updates). */
  enabled: boolean;
  onView(update: (view: LiveView) => LiveView): void;
}) {
  const [mode, setMode] = useState<StreamMode>("connecting");
  const [logs, setLogs] = useState<Record<string, StreamedLine[]>>({});
  const listeners = useRef(new Set<(tasks: TaskView[]) => void>());
  const onView = useRef(opts.onView);
  onView.current = opts.onView;
  const [feed] = useState<TaskFeed>(() => ({
    subscribe(fn) {
      listeners.current.add(fn);
      return () => listeners.current.delete(fn);
    },
  }));

  useEffect(() => {
    // Not streaming: say so, so that the page applies what its own actions return (and polls when live).
    if (!opts.enabled || typeof EventSource === "undefined") {
      setMode("polling");
      return;
    }
    let failures = 0;
    let opened = false;
    let ended = false;
    setMode("connecting");
    const es = new EventSource(opts.url);
    es.onopen = () => {
      failures = 0;
      opened = true;
      setMode("stream");
    };
    es.addEventListener("snapshot", (e) => {
      const { rollout } = JSON.parse((e as MessageEvent).data) as { rollout: LiveView };
      onView.current(() => rollout);
    });
    es.addEventListener("change", (e) => {
      const change = JSON.parse((e as MessageEvent).data) as Change;
      onView.current((view) => applyChange(view, change));
      if (change.tasks?.length) for (const fn of listeners.current) fn(change.tasks);
      if (change.logs?.length) {
        setLogs((old) => {
          const next = { ...old };
          for (const l of change.logs!) {
            const key = l.taskId === null ? l.stream : `task:${l.taskId}:${l.stream}`;
            const lines = (next[key] = next[key] === old[key] ? [...(old[key] ?? [])] : next[key]);
            if (!lines.length || lines[lines.length - 1].id < l.id) lines.push({ id: l.id, at: l.at, line: l.line });
            if (lines.length > KEEP_LINES) lines.splice(0, lines.length - KEEP_LINES);
          }
          return next;
        });
      }
    });
    es.addEventListener("end", () => {
      ended = true;
      es.close();
    });
    es.onerror = () => {
      if (ended) return;
      // EventSource reconnects by itself (with Last-Event-ID); after a few failures in a row, poll instead.
      failures++;
      // Never up at all (a proxy that does not pass it, say): poll at once.
      if (!opened || failures >= GIVE_UP_AFTER || es.readyState === EventSource.CLOSED) {
        es.close();
        setMode("polling");
      } else {
        setMode("connecting");
      }
    };
    return () => es.close();
  }, [opts.url, opts.enabled]);

  return { mode, logs, feed };
}

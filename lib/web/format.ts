// Formatting shared by server and client components: status labels and
// colours, durations. No React, no Node.
import type { RolloutStatus, TaskStatus } from "@/lib/kettle/status";

type Tone = "neutral" | "running" | "good" | "warn" | "bad" | "undone";

const rolloutLabels: Record<RolloutStatus, [string, Tone]> = {
  not_started: ["Not started", "neutral"],
  started: ["Running", "running"],
  paused: ["Paused", "warn"],
  aborting_rollout: ["Aborting", "warn"],
  terminating_rollout: ["Terminating", "bad"],
  finished: ["Finished", "good"],
  rolling_back: ["Rolling back", "warn"],
  aborting_rollback: ["Aborting rollback", "warn"],
  terminating_rollback: ["Terminating rollback", "bad"],
  rolled_back: ["Rolled back", "undone"],
  rollback_failed: ["Rollback failed", "bad"],
  queued: ["Queued", "neutral"],
  superseded: ["Superseded", "undone"],
};

const taskLabels: Record<TaskStatus, [string, Tone]> = {
  not_started: ["Not started", "neutral"],
  started: ["Running", "running"],
  waiting: ["Waiting for approval", "warn"],
  finished: ["Finished", "good"],
  failed: ["Failed", "bad"],
  skipped: ["Skipped", "neutral"],
  rolling_back: ["Reverting", "warn"],
  rolled_back: ["Rolled back", "undone"],
  revert_failed: ["Revert failed", "bad"],
};

export const toneClasses: Record<Tone, string> = {
  neutral: "bg-slate-100 text-slate-700 ring-slate-300 dark:bg-slate-800 dark:text-slate-300 dark:ring-slate-600",
  running: "bg-sky-100 text-sky-800 ring-sky-300 dark:bg-sky-950 dark:text-sky-300 dark:ring-sky-700",
  good: "bg-emerald-100 text-emerald-800 ring-emerald-300 dark:bg-emerald-950 dark:text-emerald-300 dark:ring-emerald-700",
  warn: "bg-amber-100 text-amber-900 ring-amber-300 dark:bg-amber-950 dark:text-amber-300 dark:ring-amber-700",
  bad: "bg-rose-100 text-rose-800 ring-rose-300 dark:bg-rose-950 dark:text-rose-300 dark:ring-rose-700",
  undone: "bg-violet-100 text-violet-800 ring-violet-300 dark:bg-violet-950 dark:text-violet-300 dark:ring-violet-700",
};

export const toneDots: Record<Tone, string> = {
  neutral: "bg-slate-400",
  running: "bg-sky-500",
  good: "bg-emerald-500",
  warn: "bg-amber-500",
  bad: "bg-rose-500",
  undone: "bg-violet-500",
};

export function rolloutStatusInfo(status: string): { label: string; tone: Tone } {
  const [label, tone] = rolloutLabels[status as RolloutStatus] ?? [status, "neutral"];
  return { label, tone };
}

export function taskStatusInfo(status: string): { label: string; tone: Tone } {
  const [label, tone] = taskLabels[status as TaskStatus] ?? [status, "neutral"];
  return { label, tone };
}

/** 850 → "850 ms", 12_300 → "12.3 s", 95_000 → "1 min 35 s", 4_000_000 → "1 h 6 min". */
export function formatMs(ms: number): string {
  if (ms < 0) ms = 0;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** "just now", "5 min ago", "3 h ago", "2 days ago". */
export function formatAgo(at: number, now: number): string {
  const s = Math.round((now - at) / 1000);
  if (s < 10) return "just now";
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  const d = Math.floor(s / 86_400);
  return `${d} day${d === 1 ? "" : "s"} ago`;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** "2025-03-01 14:05:09" in local time, or in UTC. */
export function formatTime(at: number, utc = false): string {
  const d = new Date(at);
  const [y, mo, da, h, mi, s] = utc
    ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
    : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
  return `${y}-${pad(mo)}-${pad(da)} ${pad(h)}:${pad(mi)}:${pad(s)}${utc ? " UTC" : ""}`;
}

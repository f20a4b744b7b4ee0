// How the CLI shows rollouts: the parts of the API's rollout view it reads,
// and the text it prints (tree, progress line, summary). Pure functions.

export type TaskJson = {
  id: number;
  type: string;
  description: string;
  progress?: string | null;
  status: string;
  run?: { error?: string | null };
  revert?: { error?: string | null };
  decisions?: string[];
  children: TaskJson[];
};

export type RolloutJson = {
  id: number;
  kind: string;
  title?: string;
  status: string;
  user: string | null;
  createdAt: number;
  rolloutStartedAt: number | null;
  rolloutFinishedAt: number | null;
  rollbackStartedAt: number | null;
  rollbackFinishedAt: number | null;
  info?: string[];
  tasks: TaskJson | null;
  progress?: { total: number; started: number; finished: number; failed: number; reverted: number; revertFailed: number };
  pausedReason?: { kind: string; message: string } | null;
  waitingFor?: { taskId: number; kind: "approval" | "failure"; title: string; error?: string | null }[];
  signals?: { available: { name: string; description: string }[] };
  refreshMs?: number | null;
  now?: number;
  /** The time left, where the server estimates it (absent on servers that do not). */
  eta?: { secondsLeft: number | null; confidence?: string } | null;
};

/** Statuses after which nothing more happens by itself. */
export const doneStatuses = ["finished", "rolled_back", "rollback_failed", "superseded"];
export const isDone = (status: string) => doneStatuses.includes(status);

export function* walk(t: TaskJson | null): Generator<TaskJson> {
  if (!t) return;
  yield t;
  for (const c of t.children) yield* walk(c);
}

const leaves = (r: RolloutJson) => [...walk(r.tasks)].filter((t) => t.children.length === 0);

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/** One line: status, tasks done of total, what runs now (with its time left), and what waits for a person. */
export function progressLine(r: RolloutJson, elapsedMs: number): string {
  const all = leaves(r);
  const rollingBack = r.status.includes("rollback") || r.status === "rolling_back" || r.status === "rolled_back";
  const parts = [`#${r.id} ${r.status.replace(/_/g, " ")}`];
  if (rollingBack) {
    const started = all.filter((t) => t.status !== "not_started").length;
    const reverted = all.filter((t) => t.status === "rolled_back").length;
    parts.push(`${reverted}/${started} reverted`);
  } else {
    const done = all.filter((t) => t.status === "finished" || t.status === "skipped").length;
    parts.push(`${done}/${all.length} tasks done`);
  }
  const running = all.filter((t) => t.status === "started" || t.status === "rolling_back");
  if (running.length) {
    const shown = running.slice(0, 2).map((t) => `${t.description}${t.progress ? ` (${t.progress})` : ""}`);
    parts.push(`running: ${shown.join(", ")}${running.length > 2 ? ` and ${running.length - 2} more` : ""}`);
  }
  for (const w of r.waitingFor ?? []) {
    parts.push(
      w.kind === "approval"
        ? `task ${w.taskId} waits for approval: ${w.title} (kettle approve ${r.id} ${w.taskId})`
        : `task ${w.taskId} failed: ${w.error ?? w.title} (kettle retry|skip ${r.id} ${w.taskId})`,
    );
  }
  if (r.status === "paused" && r.pausedReason && !(r.waitingFor ?? []).length) parts.push(r.pausedReason.message);
  if (typeof r.eta?.secondsLeft === "number" && !isDone(r.status)) parts.push(`about ${duration(r.eta.secondsLeft * 1000)} left`);
  parts.push(duration(elapsedMs));
  return parts.join(" · ");
}

const mark: Record<string, string> = {
  not_started: " ",
  started: ">",
  waiting: "?",
  finished: "✓",
  skipped: "-",
  failed: "✗",
  rolling_back: "<",
  rolled_back: "↺",
  revert_failed: "!",
};

export function treeLines(t: TaskJson | null, depth = 0): string[] {
  if (!t) return ["(no tasks)"];
  const error = t.status === "failed" ? t.run?.error : t.status === "revert_failed" ? t.revert?.error : null;
  const line = `${"  ".repeat(depth)}[${mark[t.status] ?? "?"}] ${t.id}. ${t.description} — ${t.status.replace(/_/g, " ")}${t.progress ? ` (${t.progress})` : ""}${error ? `: ${error}` : ""}`;
  return [line, ...t.children.flatMap((c) => treeLines(c, depth + 1))];
}

const time = (ms: number | null) => (ms ? new Date(ms).toISOString() : "-");

export function showText(r: RolloutJson, pageUrl: string): string {
  const lines = [
    `Rollout ${r.id}: ${r.title ?? r.kind} (${r.kind})`,
    `  status:   ${r.status}`,
    `  by:       ${r.user ?? "anonymous"}`,
    `  started:  ${time(r.rolloutStartedAt)}   finished: ${time(r.rolloutFinishedAt)}`,
  ];
  if (r.rollbackStartedAt) lines.push(`  rollback: ${time(r.rollbackStartedAt)} → ${time(r.rollbackFinishedAt)}`);
  if (r.pausedReason) lines.push(`  paused:   ${r.pausedReason.message}`);
  for (const i of r.info ?? []) lines.push(`  info:     ${i}`);
  lines.push(`  page:     ${pageUrl}`, "", ...treeLines(r.tasks));
  for (const w of r.waitingFor ?? []) {
    lines.push(
      w.kind === "approval"
        ? `\nWaiting for approval of task ${w.taskId} (${w.title}): kettle approve ${r.id} ${w.taskId}  |  kettle reject ${r.id} ${w.taskId}`
        : `\nTask ${w.taskId} failed (${w.error ?? w.title}): kettle retry ${r.id} ${w.taskId}  |  kettle skip ${r.id} ${w.taskId}`,
    );
  }
  const signals = r.signals?.available ?? [];
  if (signals.length) lines.push("", `Signals available: ${signals.map((s) => s.name).join(", ")}`);
  return lines.join("\n");
}

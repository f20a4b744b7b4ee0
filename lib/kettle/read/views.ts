// read/: what pages, the API and the CLI read (views, tree pages, overview,
// time left, progress, the change feed, plans). Read-only, over store/; the web
// side gets it through operations.ts.
//
// What the web side reads: a rollout as pages and the API show it (the whole
// tree, or for big trees a summary to open group by group), a page of a group's
// children, the records of tasks that changed, and logs. Read-only.
import type { Db } from "../store/db";
import { resolveRolloutClass } from "../modules/registry";
import { listRolloutRows, requireRolloutRow, signalsOf, STALE_PLAN_MS, type RolloutRow } from "../store/rollouts";
import { queuePosition } from "../store/queue";
import { listFreezeRows } from "../store/freezes";
import { freezeState, when } from "../schedule/windows";
import { loadTasks, loadTree } from "../store/tasks";
import { progressFromDb, progressOf } from "./progress";
import { summaryTree } from "./tree-pages";
import { readLog, type LogStream, type LogLine } from "../store/logs";
import { awaitingTasks, decisionsOf, type DecisionRow, type PausedReason } from "../store/decisions";
import { lockOf, lockedMessage } from "../store/locks";
import { notFound } from "../errors";
import { now } from "../clock";
import { activeStatuses, type RolloutStatus } from "../status";
import { availableSignals, signals } from "../signals";
import { retryPolicyOf, type TaskDecision } from "../authoring/phases";
import type { Task, Attempt } from "../authoring/task";
import { settings } from "../settings";
import { outlookOf } from "./outlook";
import { gateDecided, gateView } from "./gates";
import { planApprovalOf, planApprovalRefusal } from "./plan-approval";

export type { Config, RecordView, TaskView, DecisionView, RolloutSummary, RolloutHeader, RolloutView, LiveView } from "./view-types";
import type { TaskView, RolloutSummary, RolloutHeader, RolloutView, LiveView } from "./view-types";

export function liveView({ config: _config, ...view }: RolloutView): LiveView {
  return view;
}

export function summary(row: RolloutRow): RolloutSummary {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status as RolloutStatus,
    hidden: row.hidden,
    user: row.runBy ?? row.createdBy,
    createdBy: row.createdBy,
    runBy: row.runBy,
    createdAt: row.createdAt,
    finalisedAt: row.finalisedAt,
    rolloutStartedAt: row.rolloutStartedAt,
    rolloutFinishedAt: row.rolloutFinishedAt,
    rollbackStartedAt: row.rollbackStartedAt,
    rollbackFinishedAt: row.rollbackFinishedAt,
    freezeOverride: row.freezeOverride ?? null,
    schedule: row.scheduledAt !== null && row.status === "not_started" ? { at: row.scheduledAt, by: row.scheduledBy } : null,
    scheduleSkipped: (row.scheduleNote as RolloutSummary["scheduleSkipped"]) ?? null,
    queuedAt: row.status === "queued" ? row.queuedAt : null,
    supersededBy: row.supersededBy,
  };
}

/** What a task view depends on besides the task: the time shown, whether paused, which failed tasks wait for a decision. */
export type ViewContext = { at: number; paused: boolean; awaiting: Set<number> };

/** One task as the API shows it; its children too when `deep`. */
export function taskView(task: Task, c: ViewContext, deep = true): TaskView {
  const r = task.records;
  const status = task.status;
  const progress = task.progress(c.at);
  const running = status === "started" || status === "waiting";
  const policy = retryPolicyOf(task);
  const attempts: Attempt[] = r.runStartedAt
    ? [...r.attempts, { startedAt: r.runStartedAt, finishedAt: r.runFinishedAt, failedAt: r.runFailedAt, error: r.runError }]
    : r.attempts;
  const decisions: TaskDecision[] = status === "waiting" ? ["approve", "reject"] : c.awaiting.has(task.id!) ? ["retry", "skip"] : [];
  return {
    id: task.id!,
    type: task.typeName ?? task.constructor.name,
    description: task.description(),
    progress: progress && c.paused && running ? `paused, ${progress}` : progress,
    status,
    state: task.state,
    run: { startedAt: r.runStartedAt, finishedAt: r.runFinishedAt, result: r.runResult, failedAt: r.runFailedAt, error: r.runError, trace: r.runTrace },
    revert: {
      startedAt: r.revertStartedAt,
      finishedAt: r.revertFinishedAt,
      result: r.revertResult,
      failedAt: r.revertFailedAt,
      error: r.revertError,
      trace: r.revertTrace,
    },
    ...(attempts.length ? { attempts } : {}),
    ...(r.pausedMs ? { pausedMs: r.pausedMs } : {}),
    ...(policy ? { maxAttempts: policy.attempts } : {}),
    ...(decisions.length ? { decisions } : {}),
    children: deep ? task.children.map((child) => taskView(child, c)) : [],
  };
}

function runRefusal(row: RolloutRow, hasTasks: boolean, at: number): string | null {
  if (row.status !== "not_started") return "This rollout has already been run";
  if (!hasTasks) return "This rollout has no tasks: finalise it first";
  if (!row.finalisedAt || row.finalisedAt < at - STALE_PLAN_MS) return "Finalised more than 5 minutes ago: finalise again before running";
  return null;
}

/** A rollout is shown as a summary past this many tasks, unless the whole tree is asked for. */
export const SUMMARY_OVER = 2000;

/**
 * A rollout as pages and the API show it. `tasks`: "all" for the whole tree,
 * "summary" for the first screenful and the way to what runs now, "auto"
 * (the page's choice) for the whole tree up to SUMMARY_OVER tasks.
 */
export async function getRollout(db: Db, idParam: string | number, { tasks = "all" }: { tasks?: "all" | "summary" | "auto" } = {}): Promise<RolloutView> {
  const id = parseId(idParam);
  const row = await requireRolloutRow(db, id);
  let shown: "all" | "summary" = tasks === "summary" ? "summary" : "all";
  if (tasks === "auto" && (await taskCount(db, row.id)) > SUMMARY_OVER) shown = "summary";
  if (shown === "summary") {
    const header = await rolloutHeader(db, row);
    const c = viewContext(row, header.now, header);
    return { ...header, tasks: await summaryTree(db, row.id, c), tasksShown: "summary" };
  }
  const root = await loadTree(db, row.id, { forDisplay: true });
  const all = root ? [...root.walk()] : [];
  const header = await rolloutHeader(db, row, all);
  return { ...header, tasks: root ? taskView(root, viewContext(row, header.now, header)) : null, tasksShown: "all" };
}

function viewContext(row: RolloutRow, at: number, header: RolloutHeader): ViewContext {
  const paused = row.status === "paused";
  return {
    at: paused && row.pausedAt ? row.pausedAt : at,
    paused,
    awaiting: new Set(header.waitingFor.filter((w) => w.kind === "failure").map((w) => w.taskId)),
  };
}

async function taskCount(db: Db, rolloutId: number): Promise<number> {
  const rs = await db.$client.execute({ sql: "SELECT count(*) AS n FROM task WHERE rollout_id = ?", args: [rolloutId] });
  return Number(rs.rows[0].n);
}

/**
 * Everything but the tree. `tasks`: the whole tree when it is loaded anyway
 * (counted here); without it, counts and waiting tasks come from SQL.
 */
export async function rolloutHeader(db: Db, row: RolloutRow, tasks?: Task[]): Promise<RolloutHeader> {
  const [sent, kind, decisions] = await Promise.all([signalsOf(db, row.id), resolveRolloutClass(row.kind).catch(() => null), decisionsOf(db, row.id)]);
  const at = now();
  const status = row.status as RolloutStatus;
  const paused = status === "paused";
  // A failed task waits for a decision while the run is paused (onFailure "pause"), unless one is being carried out.
  const pending = pendingTasks(decisions);
  const awaiting = new Set(paused ? (await awaitingTasks(db, row.id)).filter((t) => !pending.has(t)) : []);
  const waiting = tasks
    ? tasks.filter((t) => (t.status === "waiting" && !gateDecided(t, decisions)) || awaiting.has(t.id!))
    : await waitingTasks(db, row.id, [...awaiting], decisions);
  let info: string[] = [];
  if (kind) {
    try {
      info = new kind.cls(row.id, row.config).info().map(String);
    } catch (e) {
      info = [`(info() failed: ${e instanceof Error ? e.message : String(e)})`];
    }
  }
  const active = activeStatuses.includes(status);
  const progress = tasks ? progressOf(tasks.filter((t) => t.children.length === 0)) : await progressFromDb(db, row.id);
  let reason = runRefusal(row, progress.total > 0, at);
  // a deploy lock on the kind (only worth a read while it could run)
  const lock = reason ? null : await lockOf(db, row.kind);
  if (lock) reason = `Run refused: ${lockedMessage(lock)}`;
  // a plan that must be approved before it runs (its kind's requiresApproval)
  const planApproval = status === "not_started" && row.finalisedAt ? await planApprovalOf(db, row, kind?.cls ?? null).catch(() => null) : null;
  const unapproved = planApproval && planApprovalRefusal(planApproval);
  if (!reason && unapproved) reason = `Run refused: ${unapproved}`;
  // a freeze window on its kind (issue 21): an admin may override it (the API's run with override)
  if (!reason && status === "not_started" && !row.freezeOverride) {
    const frozen = freezeState(await listFreezeRows(db), row.kind, at).frozen;
    if (frozen) reason = `Run refused: ${row.kind} is frozen by ${frozen.mode === "deny" ? `the freeze "${frozen.name}"` : frozen.name} until ${when(frozen.until, frozen.timeZone)} (an admin may override it with a reason)`;
  }
  const outlook = await outlookOf(db, row, tasks, at, sent); // eta, rollbackPreview
  return {
    ...summary(row),
    title: kind?.title ?? row.kind,
    config: row.config,
    info,
    progress,
    signals: {
      sent: sent.map((s) => ({ name: s.name, sentBy: s.sentBy, sentAt: s.sentAt })),
      available: availableSignals(status, sent.map((s) => s.name), awaiting.size > 0).map((name) => ({
        name,
        description: signals[name].description,
        dangerous: !!signals[name].dangerous,
      })),
    },
    runner: {
      owner: row.leaseOwner,
      heartbeatAt: row.heartbeatAt,
      leaseExpiresAt: row.leaseExpiresAt,
      silent: active && !!row.leaseOwner && (row.leaseExpiresAt ?? 0) < at,
      waiting: active && !row.leaseOwner,
    },
    pausedReason: paused && row.pausedReason ? { ...(row.pausedReason as PausedReason), since: row.pausedAt } : null,
    decisions: decisions.map((d) => ({
      at: d.at,
      by: d.by,
      action: d.action,
      ...(d.taskId !== null ? { taskId: d.taskId } : {}),
      ...(d.comment ? { comment: d.comment } : {}),
    })),
    waitingFor: waiting.map((t) =>
      t.status === "waiting"
        ? { taskId: t.id!, kind: "approval" as const, title: t.description(), approval: gateView(t, decisions, paused ? (row.pausedAt ?? at) : at) }
        : { taskId: t.id!, kind: "failure" as const, title: t.description(), error: t.records.runError },
    ),
    planApproval,
    queue: status === "queued" ? { position: (await queuePosition(db, row.id)) ?? 0, limit: row.queueLimit ?? 1 } : null,
    canRetryRollback: status === "rollback_failed",
    canEdit: status === "not_started",
    canRun: { ok: !reason, reason },
    refreshMs: status === "queued" ? settings().refreshTimeout : status === "not_started" || !active ? null : settings().refreshTimeout,
    now: at,
    ...outlook,
  };
}

export const pendingTasks = (decisions: DecisionRow[]) => new Set(decisions.filter((d) => d.handledAt === null && d.taskId !== null).map((d) => d.taskId!));

async function waitingTasks(db: Db, rolloutId: number, awaiting: number[], decisions: DecisionRow[]): Promise<Task[]> {
  const rows = await loadTasks(
    db,
    rolloutId,
    `SELECT id FROM task WHERE rollout_id = ? AND ((waiting_at IS NOT NULL AND run_finished_at IS NULL AND run_failed_at IS NULL) OR id IN (${awaiting.map(() => "?").join(", ") || "NULL"}))`,
    [rolloutId, ...awaiting],
  );
  return rows.map((r) => r.task).filter((t) => !(t.status === "waiting" && gateDecided(t, decisions)));
}


export async function listRollouts(db: Db, opts: { hidden?: boolean; page?: number; perPage?: number } = {}) {
  const perPage = Math.min(Math.max(opts.perPage ?? 20, 1), 200);
  const page = Math.max(opts.page ?? 1, 1);
  const { rows, total } = await listRolloutRows(db, { hidden: opts.hidden, limit: perPage, offset: (page - 1) * perPage });
  return { rollouts: rows.map(summary), page, perPage, total, pages: Math.max(1, Math.ceil(total / perPage)) };
}

/** The id of the rollout a route names ("latest" allowed); 404 when there is none. */
export async function rolloutIdOf(db: Db, idParam: string | number): Promise<number> {
  return (await requireRolloutRow(db, parseId(idParam))).id;
}

/** A rollout's id and kind (what its edit form needs). */
export async function rolloutKindOf(db: Db, idParam: string | number): Promise<{ id: number; kind: string }> {
  const row = await requireRolloutRow(db, parseId(idParam));
  return { id: row.id, kind: row.kind };
}

export function parseId(idParam: string | number): number | "latest" {
  if (idParam === "latest") return "latest";
  const id = typeof idParam === "number" ? idParam : /^\d{1,15}$/.test(idParam) ? Number(idParam) : NaN;
  if (!Number.isSafeInteger(id) || id <= 0) throw notFound(`No rollout with id ${String(idParam).slice(0, 40)}`);
  return id;
}

const rolloutStreams = ["rollout", "rollback"] as const;
const taskStreams = ["run", "revert"] as const;

/** A log's lines; `afterId` lets a client follow it live. */
export async function getLog(db: Db, q: { rolloutId: string; taskId?: string; stream: string; afterId?: number }): Promise<LogLine[]> {
  const id = parseId(q.rolloutId);
  const row = await requireRolloutRow(db, id);
  let taskId: number | null = null;
  if (q.taskId === undefined) {
    if (!(rolloutStreams as readonly string[]).includes(q.stream)) throw notFound(`No such log "${q.stream}": a rollout has a rollout and a rollback log`);
  } else {
    if (!(taskStreams as readonly string[]).includes(q.stream)) throw notFound(`No such log "${q.stream}": a task has a run and a revert log`);
    taskId = /^\d{1,9}$/.test(q.taskId) ? Number(q.taskId) : -1;
    const exists = await db.$client.execute({ sql: "SELECT 1 FROM task WHERE rollout_id = ? AND id = ?", args: [row.id, taskId] });
    if (!exists.rows.length) throw notFound(`Rollout ${row.id} has no task ${q.taskId.slice(0, 40)}`);
  }
  return readLog(db, row.id, taskId, q.stream as LogStream, q.afterId ?? 0);
}



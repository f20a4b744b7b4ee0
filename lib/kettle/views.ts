// What the web side reads: a rollout as pages and the API show it (the whole
// tree, or for big trees a summary to open group by group), a page of a group's
// children, the records of tasks that changed, and logs. Read-only.
import type { Db } from "./store/db";
import { resolveRolloutClass } from "./registry";
import { listRolloutRows, requireRolloutRow, signalsOf, STALE_PLAN_MS, type RolloutRow } from "./store/rollouts";
import { IS_LEAF_SQL, TASK_STATUS_SQL, loadTasks, loadTree, type LoadedTask } from "./store/tasks";
import { readLog, type LogStream, type LogLine } from "./store/logs";
import { awaitingTasks, decisionsOf, type DecisionRow, type PausedReason } from "./store/decisions";
import { lockOf, lockedMessage } from "./store/locks";
import { badInput, notFound } from "./errors";
import { now } from "./clock";
import { activeStatuses, type RolloutStatus, type TaskStatus } from "./status";
import { availableSignals, signals, type SignalName } from "./signals";
import { retryPolicyOf, type TaskDecision } from "./phases";
import type { Task, Attempt } from "./task";
import { settings } from "./settings";
import { outlookOf, type Outlook } from "./outlook";

export type Config = Record<string, unknown>;

/** A run or revert record. Over HTTP, fields with nothing recorded are left out. */
export type RecordView = {
  startedAt?: number | null;
  finishedAt?: number | null;
  result?: string | null;
  failedAt?: number | null;
  error?: string | null;
  trace?: string | null;
};

export type TaskView = {
  id: number;
  type: string;
  description: string;
  progress?: string | null;
  status: TaskStatus;
  state: Record<string, unknown>;
  run: RecordView;
  revert: RecordView;
  /** Every attempt of the run, the current one last (one for a task that ran once). */
  attempts?: Attempt[];
  /** Time the rollout was paused while this run went on (left out when none). */
  pausedMs?: number;
  /** The retry policy's number of attempts, when the task has one. */
  maxAttempts?: number;
  /** The decisions that can be made about this task now (approve / reject, retry / skip). */
  decisions?: TaskDecision[];
  children: TaskView[];
  /** In a summary: how many children the task has, when `children` holds only some (or none) of them. */
  childCount?: number;
};

export type DecisionView = { at: number; by: string | null; action: string; taskId?: number; comment?: string };

export type RolloutSummary = {
  id: number;
  kind: string;
  status: RolloutStatus;
  hidden: boolean;
  user: string | null;
  createdBy: string | null;
  runBy: string | null;
  createdAt: number;
  finalisedAt: number | null;
  rolloutStartedAt: number | null;
  rolloutFinishedAt: number | null;
  rollbackStartedAt: number | null;
  rollbackFinishedAt: number | null;
};

/** Counts over the leaf tasks (the ones that do the work). */
export type Progress = {
  total: number;
  started: number;
  finished: number;
  failed: number;
  reverted: number;
  revertFailed: number;
  /** Leaf tasks by status. */
  byStatus: Partial<Record<TaskStatus, number>>;
};

/** Everything about a rollout but its tasks: what a change event carries whole. */
export type RolloutHeader = RolloutSummary & Outlook & {
  title: string;
  config: Config;
  info: string[];
  progress: Progress;
  signals: {
    sent: { name: string; sentBy: string | null; sentAt: number }[];
    available: { name: SignalName; description: string; dangerous: boolean }[];
  };
  runner: { owner: string | null; heartbeatAt: number | null; leaseExpiresAt: number | null; silent: boolean; waiting: boolean };
  /** Why the rollout is paused (null unless `paused`): a pause signal and who sent it, a failed or interrupted task, a monitor. */
  pausedReason: (PausedReason & { since: number | null }) | null;
  /** Every decision made about this rollout (pause, resume, approve, reject, retry, skip, retry_rollback), oldest first. */
  decisions: DecisionView[];
  /** Tasks waiting for a person: approval gates, and failed tasks the run is paused on. */
  waitingFor: { taskId: number; kind: "approval" | "failure"; title: string; error?: string | null }[];
  canRetryRollback: boolean;
  canEdit: boolean;
  canRun: { ok: boolean; reason: string | null };
  /** Where the page should refresh itself (ms), or null when the rollout is done. */
  refreshMs: number | null;
  now: number;
};

export type RolloutView = RolloutHeader & {
  /** The tree: whole, or in a summary only the first screenful and the way to what runs now (see `childCount`). */
  tasks: TaskView | null;
  /** "summary" when `tasks` holds only part of the tree. */
  tasksShown: "all" | "summary";
};

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
    ? tasks.filter((t) => (t.status === "waiting" && !pending.has(t.id!)) || awaiting.has(t.id!))
    : await waitingTasks(db, row.id, [...awaiting], pending);
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
        ? { taskId: t.id!, kind: "approval" as const, title: t.description() }
        : { taskId: t.id!, kind: "failure" as const, title: t.description(), error: t.records.runError },
    ),
    canRetryRollback: status === "rollback_failed",
    canEdit: status === "not_started",
    canRun: { ok: !reason, reason },
    refreshMs: status === "not_started" || !active ? null : settings().refreshTimeout,
    now: at,
    ...outlook,
  };
}

const pendingTasks = (decisions: DecisionRow[]) => new Set(decisions.filter((d) => d.handledAt === null && d.taskId !== null).map((d) => d.taskId!));

async function waitingTasks(db: Db, rolloutId: number, awaiting: number[], pending: Set<number>): Promise<Task[]> {
  const rows = await loadTasks(
    db,
    rolloutId,
    `SELECT id FROM task WHERE rollout_id = ? AND ((waiting_at IS NOT NULL AND run_finished_at IS NULL AND run_failed_at IS NULL) OR id IN (${awaiting.map(() => "?").join(", ") || "NULL"}))`,
    [rolloutId, ...awaiting],
  );
  return rows.map((r) => r.task).filter((t) => !(t.status === "waiting" && pending.has(t.id!)));
}

function progressOf(leaves: Task[]): Progress {
  const byStatus: Progress["byStatus"] = {};
  let started = 0;
  let finished = 0;
  let failed = 0;
  let reverted = 0;
  let revertFailed = 0;
  for (const t of leaves) {
    const r = t.records;
    byStatus[t.status] = (byStatus[t.status] ?? 0) + 1;
    if (r.runStartedAt) started++;
    if (r.runFinishedAt) finished++;
    if (r.runFailedAt) failed++;
    if (r.revertFinishedAt) reverted++;
    if (r.revertFailedAt) revertFailed++;
  }
  return { total: leaves.length, started, finished, failed, reverted, revertFailed, byStatus };
}

/** The same counts in one pass of SQL over the leaves, for trees too big to load. */
export async function progressFromDb(db: Db, rolloutId: number): Promise<Progress> {
  const rs = await db.$client.execute({
    sql: `SELECT ${TASK_STATUS_SQL} AS status, count(*) AS n, sum(t.run_started_at IS NOT NULL) AS started, sum(t.run_finished_at IS NOT NULL) AS finished,
            sum(t.run_failed_at IS NOT NULL) AS failed, sum(t.revert_finished_at IS NOT NULL) AS reverted, sum(t.revert_failed_at IS NOT NULL) AS revert_failed
          FROM task t WHERE t.rollout_id = ? AND ${IS_LEAF_SQL} GROUP BY 1`,
    args: [rolloutId],
  });
  const p: Progress = { total: 0, started: 0, finished: 0, failed: 0, reverted: 0, revertFailed: 0, byStatus: {} };
  for (const r of rs.rows) {
    const n = Number(r.n);
    p.total += n;
    p.byStatus[String(r.status) as TaskStatus] = n;
    p.started += Number(r.started);
    p.finished += Number(r.finished);
    p.failed += Number(r.failed);
    p.reverted += Number(r.reverted);
    p.revertFailed += Number(r.revert_failed);
  }
  return p;
}

/** In a summary, each group shows at most this many children at first; a page of children is at most MAX_PAGE. */
const FIRST_CHILDREN = 20;
const SUMMARY_BUDGET = 400;
const MAX_PAGE = 500;

/**
 * The first screenful of a big tree (each group's first children, breadth
 * first, within a budget) plus the way from the root to a few tasks running
 * now, assembled into one partial tree; `childCount` says what is left out.
 */
async function summaryTree(db: Db, rolloutId: number, c: ViewContext): Promise<TaskView | null> {
  const ids = `
    WITH RECURSIVE shown(id) AS (
      SELECT id FROM task WHERE rollout_id = ? AND parent_id IS NULL
      UNION
      SELECT t.id FROM task t JOIN shown s ON t.rollout_id = ? AND t.parent_id = s.id WHERE t.position < ${FIRST_CHILDREN}
      LIMIT ${SUMMARY_BUDGET}
    ),
    running(id, parent_id) AS (
      SELECT * FROM (SELECT id, parent_id FROM task WHERE rollout_id = ? AND run_started_at IS NOT NULL AND run_finished_at IS NULL
        AND run_failed_at IS NULL AND revert_started_at IS NULL ORDER BY id LIMIT 20)
      UNION
      SELECT t.id, t.parent_id FROM task t JOIN running r ON t.rollout_id = ? AND t.id = r.parent_id
    )
    SELECT id FROM shown UNION SELECT id FROM running`;
  const rows = await loadTasks(db, rolloutId, ids, [rolloutId, rolloutId, rolloutId, rolloutId]);
  return assemble(rows, c);
}

function assemble(rows: LoadedTask[], c: ViewContext): TaskView | null {
  const views = new Map<number, TaskView>();
  for (const r of rows) views.set(r.task.id!, { ...taskView(r.task, c, false), childCount: r.childCount });
  let root: TaskView | null = null;
  for (const r of [...rows].sort((a, b) => a.position - b.position)) {
    const view = views.get(r.task.id!)!;
    if (r.parentId === null) root = view;
    else views.get(r.parentId)?.children.push(view);
  }
  for (const v of views.values()) if (v.childCount === v.children.length && v.children.length > 0) delete v.childCount;
  if (root && root.childCount === 0) delete root.childCount;
  return root;
}

/** A page of a task's children, in order, each with its childCount (for `GET /api/rollouts/{id}/tasks?parent=`). */
export async function getTaskChildren(db: Db, idParam: string | number, q: { parent?: string | null; offset?: string | null; limit?: string | null }) {
  const row = await requireRolloutRow(db, parseId(idParam));
  const whole = (v: string | null | undefined, name: string, fallback: number, max: number) => {
    if (v === null || v === undefined || v === "") return fallback;
    if (!/^\d{1,9}$/.test(v)) throw badInput(`${name} must be a whole number`);
    return Math.min(Number(v), max);
  };
  const offset = whole(q.offset, "offset", 0, 1e9);
  const limit = Math.max(1, whole(q.limit, "limit", 100, MAX_PAGE));
  const header = await rolloutHeaderLite(db, row);
  if (q.parent === undefined || q.parent === null || q.parent === "") {
    const [root] = await loadTasks(db, row.id, "SELECT id FROM task WHERE rollout_id = ? AND parent_id IS NULL", [row.id]);
    return { parent: null, total: root ? 1 : 0, offset: 0, tasks: root ? [{ ...taskView(root.task, header, false), childCount: root.childCount }] : [] };
  }
  const parent = whole(q.parent, "parent", 0, 1e9);
  const exists = await db.$client.execute({ sql: "SELECT count(*) AS n, (SELECT count(*) FROM task WHERE rollout_id = ? AND parent_id = ?) AS children FROM task WHERE rollout_id = ? AND id = ?", args: [row.id, parent, row.id, parent] });
  if (!Number(exists.rows[0].n)) throw notFound(`Rollout ${row.id} has no task ${parent}`);
  const rows = await loadTasks(
    db,
    row.id,
    "SELECT id FROM task WHERE rollout_id = ? AND parent_id = ? ORDER BY position LIMIT ? OFFSET ?",
    [row.id, parent, limit, offset],
  );
  rows.sort((a, b) => a.position - b.position);
  return { parent, total: Number(exists.rows[0].children), offset, tasks: rows.map((r) => ({ ...taskView(r.task, header, false), childCount: r.childCount })) };
}

/** The view context alone (paused? which tasks await a decision?), without the rest of the header. */
async function rolloutHeaderLite(db: Db, row: RolloutRow): Promise<ViewContext> {
  const paused = row.status === "paused";
  const pending = paused ? pendingTasks(await decisionsOf(db, row.id)) : new Set<number>();
  const awaiting = new Set(paused ? (await awaitingTasks(db, row.id)).filter((t) => !pending.has(t)) : []);
  return { at: paused && row.pausedAt ? row.pausedAt : now(), paused, awaiting };
}

/** The records of some tasks (no children), for a change event. */
export async function getTaskRecords(db: Db, row: RolloutRow, ids: number[]): Promise<TaskView[]> {
  if (!ids.length) return [];
  const c = await rolloutHeaderLite(db, row);
  const out: TaskView[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = await loadTasks(db, row.id, `SELECT value FROM json_each(?)`, [JSON.stringify(chunk)]);
    for (const r of rows) {
      const v = taskView(r.task, c, false) as Partial<TaskView>;
      delete v.children; // a change says nothing about the shape of the tree
      out.push(v as TaskView);
    }
  }
  return out;
}

export async function listRollouts(db: Db, opts: { hidden?: boolean; page?: number; perPage?: number } = {}) {
  const perPage = Math.min(Math.max(opts.perPage ?? 20, 1), 200);
  const page = Math.max(opts.page ?? 1, 1);
  const { rows, total } = await listRolloutRows(db, { hidden: opts.hidden, limit: perPage, offset: (page - 1) * perPage });
  return { rollouts: rows.map(summary), page, perPage, total, pages: Math.max(1, Math.ceil(total / perPage)) };
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



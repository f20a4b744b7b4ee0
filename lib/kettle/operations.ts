// What the web side may do, as plain functions over the database. Route
// handlers and pages call these; none of them runs a task.
import { z } from "zod";
import type { Db } from "./store/db";
import { resolveRolloutClass, type RolloutKind } from "./registry";
import {
  hideRollout,
  insertRollout,
  insertSignal,
  listRolloutRows,
  requestRun,
  requireRolloutRow,
  saveFinalised,
  signalsOf,
  STALE_PLAN_MS,
  type RolloutRow,
} from "./store/rollouts";
import { loadTree } from "./store/tasks";
import { readLog, type LogStream, type LogLine } from "./store/logs";
import { badInput, conflict, notFound, KettleError } from "./errors";
import { now } from "./clock";
import { activeStatuses, type RolloutStatus, type TaskStatus } from "./status";
import { availableSignals, isSignalName, signals, signalNames, type SignalName } from "./signals";
import { Task, type Attempt } from "./task";
import { awaitingTasks, decisionsOf, insertTaskDecision, pause, resume, retryRollback as retryRollbackRow, type PausedReason } from "./store/decisions";
import { isTaskDecision, retryPolicyOf, taskDecisions, type TaskDecision } from "./phases";
import { settings } from "./settings";
import type { AuditEntry } from "./store/audit";
import { lockOf, lockedMessage } from "./store/locks";

export type Config = Record<string, unknown>;

/** The kinds this deployment offers (KETTLE_ROLLOUT_CLS), the first being the default. */
export async function rolloutKinds(kinds = settings().rolloutClasses): Promise<RolloutKind[]> {
  return Promise.all(kinds.map(resolveRolloutClass));
}

async function kindFor(kind: string | undefined, offered: string[]): Promise<RolloutKind> {
  const name = kind ?? offered[0];
  if (!offered.includes(name)) throw badInput(`Unknown rollout kind "${name}"; this deployment offers: ${offered.join(", ")}`);
  return resolveRolloutClass(name);
}

/** Checks a config against the class's schema; 400 with per-field messages. */
export function validateConfig(kind: RolloutKind, config: unknown): Config {
  const schema = kind.cls.configSchema ?? z.object({}).loose();
  const parsed = schema.safeParse(config ?? {});
  if (parsed.success) return parsed.data as Config;
  const fields: Record<string, string[]> = {};
  for (const issue of parsed.error.issues) {
    const key = issue.path.join(".") || "_";
    (fields[key] ??= []).push(issue.message);
  }
  const summary = Object.entries(fields)
    .map(([k, m]) => (k === "_" ? m.join("; ") : `${k}: ${m.join("; ")}`))
    .join("; ");
  throw badInput(`Invalid configuration: ${summary}`, fields);
}

/** Thrown when generateTasks fails: a user-facing error with the stack kept for development. */
export class FinaliseError extends KettleError {
  constructor(
    message: string,
    readonly trace: string | null,
  ) {
    super("bad_input", message);
  }
}

async function generate(kind: RolloutKind, id: number, config: Config): Promise<Task> {
  try {
    const root = await new kind.cls(id, config).generateTasks();
    if (!(root instanceof Task)) throw new Error("generateTasks() must return the root Task");
    return root;
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    throw new FinaliseError(`Finalise failed in generateTasks: ${error.message}`, error.stack ?? null);
  }
}

export async function createRollout(
  db: Db,
  input: { kind?: string; config?: unknown; user?: string | null; audit?: AuditEntry },
  offered = settings().rolloutClasses,
): Promise<number> {
  const kind = await kindFor(input.kind, offered);
  const config = validateConfig(kind, input.config);
  const id = await insertRollout(db, kind.kind, config, input.user ?? null, now());
  try {
    const root = await generate(kind, id, config);
    await saveFinalised(db, id, config, root, now(), input.audit && { ...input.audit, kind: kind.kind });
  } catch (e) {
    // Nothing half-way: a rollout whose plan could not be made is not kept.
    await db.$client.execute({ sql: "DELETE FROM rollout WHERE id = ?", args: [id] });
    throw e;
  }
  return id;
}

/** Finalise again: new config, a fresh tree. Refused once started. */
export async function refinaliseRollout(db: Db, id: number, input: { config?: unknown; audit?: AuditEntry }): Promise<void> {
  const row = await requireRolloutRow(db, id);
  if (row.status !== "not_started") throw conflict("This rollout has already started: it can no longer be edited");
  const kind = await resolveRolloutClass(row.kind);
  const config = validateConfig(kind, input.config);
  const root = await generate(kind, id, config);
  await saveFinalised(db, id, config, root, now(), input.audit && { ...input.audit, kind: row.kind });
}

/** Statuses that count as "running" for a class with `concurrency = 1`. */
const busyStatuses = (): string[] => [...activeStatuses, ...(activeStatuses.includes("paused" as RolloutStatus) ? [] : ["paused"])];

export async function runRollout(db: Db, id: number, user: string | null, audit?: AuditEntry): Promise<void> {
  const row = await requireRolloutRow(db, id);
  const kind = await resolveRolloutClass(row.kind).catch(() => null);
  const exclusive = kind?.cls.concurrency === 1 ? busyStatuses() : [];
  await requestRun(db, id, user, now(), { audit: audit && { ...audit, kind: row.kind }, exclusive });
}

/** The longest comment a decision takes. */
export const MAX_COMMENT = 1000;

function checkComment(comment: unknown): string | null {
  if (comment === undefined || comment === null || comment === "") return null;
  if (typeof comment !== "string") throw badInput("comment must be a string");
  if (comment.length > MAX_COMMENT) throw badInput(`comment is too long: at most ${MAX_COMMENT} characters (got ${comment.length})`);
  return comment;
}

export async function sendSignal(db: Db, id: number, name: string, user: string | null, comment?: unknown, audit?: AuditEntry): Promise<void> {
  if (!isSignalName(name)) throw badInput(`Unknown signal "${name}"; signals are: ${signalNames.join(", ")}`);
  const text = checkComment(comment);
  if (name === "pause_rollout") {
    const reason: PausedReason = { kind: "signal", message: `Paused by ${user ?? "an operator"}${text ? `: ${text}` : ""}`, by: user };
    if (await pause(db, id, name, user, reason, now(), text, audit)) return;
    const row = await requireRolloutRow(db, id);
    throw conflict(`pause_rollout is not available while the rollout is ${row.status.replace(/_/g, " ")}`);
  }
  if (name === "resume_rollout") return resume(db, id, user, now(), text, audit);
  await insertSignal(db, id, name, user, now(), audit);
}

/**
 * approve / reject an approval gate that waits, retry / skip a failed task the
 * run is paused on. The runner that owns the rollout carries it out.
 */
export async function decideTask(db: Db, id: number, taskIdParam: string, action: string, user: string | null, comment?: unknown, audit?: AuditEntry): Promise<void> {
  if (!isTaskDecision(action)) throw notFound(`No such decision "${action.slice(0, 40)}": decisions are ${taskDecisions.join(", ")}`);
  const taskId = /^\d{1,9}$/.test(taskIdParam) ? Number(taskIdParam) : NaN;
  if (!Number.isInteger(taskId)) throw notFound(`Rollout ${id} has no task ${taskIdParam.slice(0, 40)}`);
  await insertTaskDecision(db, id, taskId, action, user, checkComment(comment), now(), audit && { ...audit, taskId });
}

/** A rollout whose rollback failed reverts again what is not reverted yet. */
export async function retryRollback(db: Db, id: number, user: string | null, comment?: unknown, audit?: AuditEntry): Promise<void> {
  await retryRollbackRow(db, id, user, checkComment(comment), now(), audit);
}

export { hideRollout };

// ---- reads ----

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

export type RolloutView = RolloutSummary & {
  title: string;
  config: Config;
  info: string[];
  tasks: TaskView | null;
  progress: { total: number; started: number; finished: number; failed: number; reverted: number; revertFailed: number };
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

function summary(row: RolloutRow): RolloutSummary {
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

type ViewContext = { at: number; paused: boolean; awaiting: Set<number> };

function taskView(task: Task, c: ViewContext): TaskView {
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
    children: task.children.map((child) => taskView(child, c)),
  };
}

function runRefusal(row: RolloutRow, root: Task | null, at: number): string | null {
  if (row.status !== "not_started") return "This rollout has already been run";
  if (!root) return "This rollout has no tasks: finalise it first";
  if (!row.finalisedAt || row.finalisedAt < at - STALE_PLAN_MS) return "Finalised more than 5 minutes ago: finalise again before running";
  return null;
}

export async function getRollout(db: Db, idParam: string | number): Promise<RolloutView> {
  const id = parseId(idParam);
  const row = await requireRolloutRow(db, id);
  const [root, sent, kind, decisions] = await Promise.all([
    loadTree(db, row.id, { forDisplay: true }),
    signalsOf(db, row.id),
    resolveRolloutClass(row.kind).catch(() => null),
    decisionsOf(db, row.id),
  ]);
  const at = now();
  const status = row.status as RolloutStatus;
  const paused = status === "paused";
  // A failed task waits for a decision while the run is paused (onFailure "pause"), unless one is being carried out.
  const pending = new Set(decisions.filter((d) => d.handledAt === null && d.taskId !== null).map((d) => d.taskId!));
  const awaiting = new Set(paused ? (await awaitingTasks(db, row.id)).filter((t) => !pending.has(t)) : []);
  const tasks = root ? [...root.walk()] : [];
  const leaves = tasks.filter((t) => t.children.length === 0);
  const count = (f: (t: Task) => boolean) => leaves.filter(f).length;
  let info: string[] = [];
  if (kind) {
    try {
      info = new kind.cls(row.id, row.config).info().map(String);
    } catch (e) {
      info = [`(info() failed: ${e instanceof Error ? e.message : String(e)})`];
    }
  }
  const active = activeStatuses.includes(status);
  return {
    ...summary(row),
    title: kind?.title ?? row.kind,
    config: row.config,
    info,
    tasks: root ? taskView(root, { at: paused && row.pausedAt ? row.pausedAt : at, paused, awaiting }) : null,
    progress: {
      total: leaves.length,
      started: count((t) => !!t.records.runStartedAt),
      finished: count((t) => !!t.records.runFinishedAt),
      failed: count((t) => !!t.records.runFailedAt),
      reverted: count((t) => !!t.records.revertFinishedAt),
      revertFailed: count((t) => !!t.records.revertFailedAt),
    },
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
    waitingFor: tasks
      .filter((t) => (t.status === "waiting" && !pending.has(t.id!)) || awaiting.has(t.id!))
      .map((t) =>
        t.status === "waiting"
          ? { taskId: t.id!, kind: "approval" as const, title: t.description() }
          : { taskId: t.id!, kind: "failure" as const, title: t.description(), error: t.records.runError },
      ),
    canRetryRollback: status === "rollback_failed",
    canEdit: status === "not_started",
    canRun: await (async () => {
      let reason = runRefusal(row, root, at);
      // a deploy lock on the kind (only worth a read while it could run)
      const lock = reason ? null : await lockOf(db, row.kind);
      if (lock) reason = `Run refused: ${lockedMessage(lock)}`;
      return { ok: !reason, reason };
    })(),
    refreshMs: status === "not_started" || !active ? null : settings().refreshTimeout,
    now: at,
  };
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

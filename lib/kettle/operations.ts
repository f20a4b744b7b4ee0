// What the web side may do, as plain functions over the database. Route
// handlers and pages call these; none of them runs a task.
import { z } from "zod";
import type { Db } from "./store/db";
import { authorLocation, resolveRolloutClass, typeNameOf, type RolloutKind } from "./registry";
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
import { Task } from "./task";
import { settings } from "./settings";

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

/**
 * Thrown when generateTasks fails (422): a user-facing message naming the author's
 * file and line when the stack shows it, with the stack kept for development.
 */
export class FinaliseError extends KettleError {
  constructor(
    message: string,
    readonly trace: string | null,
    readonly location: string | null = null,
  ) {
    super("unprocessable", message);
  }
}

async function generate(kind: RolloutKind, id: number, config: Config): Promise<Task> {
  let root: unknown;
  try {
    root = await new kind.cls(id, config).generateTasks();
    if (!(root instanceof Task)) throw new Error(`generateTasks() must return the root Task (it returned ${root === null ? "null" : typeof root})`);
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    const where = authorLocation(error);
    throw new FinaliseError(`Finalise failed in generateTasks: ${error.message}${where ? ` (at ${where})` : ""}`, error.stack ?? null, where);
  }
  // Every kind in the tree must be findable again by name: say so now, not when it runs.
  for (const task of root.walk()) await typeNameOf(task);
  return root;
}

/** A task of a plan that is not saved (preview). */
export type PlannedTask = { type: string; description: string; children: PlannedTask[] };

async function planned(task: Task): Promise<PlannedTask> {
  return { type: await typeNameOf(task), description: task.description(), children: await Promise.all(task.children.map(planned)) };
}

/**
 * A dry run of finalise: validates the config and generates the tree, saving
 * nothing. The same errors as finalise (400 for the config, 422 when generateTasks fails).
 */
export async function previewRollout(
  input: { kind?: string; config?: unknown },
  offered = settings().rolloutClasses,
): Promise<{ kind: string; title: string; config: Config; tasks: PlannedTask; count: number }> {
  const kind = await kindFor(input.kind, offered);
  const config = validateConfig(kind, input.config);
  const root = await generate(kind, 0, config);
  return { kind: kind.kind, title: kind.title, config, tasks: await planned(root), count: [...root.walk()].length };
}

export async function createRollout(
  db: Db,
  input: { kind?: string; config?: unknown; user?: string | null },
  offered = settings().rolloutClasses,
): Promise<number> {
  const kind = await kindFor(input.kind, offered);
  const config = validateConfig(kind, input.config);
  const id = await insertRollout(db, kind.kind, config, input.user ?? null, now());
  try {
    const root = await generate(kind, id, config);
    await saveFinalised(db, id, config, root, now());
  } catch (e) {
    // Nothing half-way: a rollout whose plan could not be made is not kept.
    await db.$client.execute({ sql: "DELETE FROM rollout WHERE id = ?", args: [id] });
    throw e;
  }
  return id;
}

/** Finalise again: new config, a fresh tree. Refused once started. */
export async function refinaliseRollout(db: Db, id: number, input: { config?: unknown }): Promise<void> {
  const row = await requireRolloutRow(db, id);
  if (row.status !== "not_started") throw conflict("This rollout has already started: it can no longer be edited");
  const kind = await resolveRolloutClass(row.kind);
  const config = validateConfig(kind, input.config);
  const root = await generate(kind, id, config);
  await saveFinalised(db, id, config, root, now());
}

export async function runRollout(db: Db, id: number, user: string | null): Promise<void> {
  await requestRun(db, id, user, now());
}

export async function sendSignal(db: Db, id: number, name: string, user: string | null): Promise<void> {
  if (!isSignalName(name)) throw badInput(`Unknown signal "${name}"; signals are: ${signalNames.join(", ")}`);
  await insertSignal(db, id, name, user, now());
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
  children: TaskView[];
};

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

function taskView(task: Task, at: number): TaskView {
  const r = task.records;
  return {
    id: task.id!,
    type: task.typeName ?? task.constructor.name,
    description: task.description(),
    progress: task.progress(at),
    status: task.status,
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
    children: task.children.map((c) => taskView(c, at)),
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
  const [root, sent, kind] = await Promise.all([loadTree(db, row.id, { forDisplay: true }), signalsOf(db, row.id), resolveRolloutClass(row.kind).catch(() => null)]);
  const at = now();
  const status = row.status as RolloutStatus;
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
    tasks: root ? taskView(root, at) : null,
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
      available: availableSignals(status, sent.map((s) => s.name)).map((name) => ({
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
    canEdit: status === "not_started",
    canRun: (() => {
      const reason = runRefusal(row, root, at);
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

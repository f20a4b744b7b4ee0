// What the web side may do, as plain functions over the database. Route
// handlers and pages call these; none of them runs a task.
import { z } from "zod";
import type { Db } from "./store/db";
import { resolveRolloutClass, typeNamesIn, type RolloutKind } from "./modules/registry";
import { authorLocation } from "./modules/author-files";
import { planSummary, planTree } from "./store/plans";
import { SUMMARY_OVER } from "./read/views";
import { planApprovalOf, planApprovalRefusal } from "./read/plan-approval";
import { requestRunQueued } from "./store/queue";
import { hideRollout, insertRollout, insertSignal, requestRun, requireRolloutRow, saveFinalised } from "./store/rollouts";
import { badInput, conflict, notFound, KettleError } from "./errors";
import { now } from "./clock";
import { activeStatuses, type RolloutStatus } from "./status";
import { isSignalName, signalNames } from "./signals";
import { Task } from "./authoring/task";
import { checkOverride, freezeDoor, FrozenError } from "./schedule/door";
import { overrideFreeze } from "./store/freeze-pauses";
import { insertTaskDecision, pause, resume, retryRollback as retryRollbackRow, type PausedReason } from "./store/decisions";
import { isTaskDecision, taskDecisions } from "./authoring/phases";
import { settings } from "./settings";
import { writeAudit, type AuditEntry } from "./store/audit";
import { checkAnalysesOf } from "./authoring/tasks/analysis";
import { checkComment, MAX_COMMENT } from "./text";
import { checkPlanLimits } from "./plan-limits";

export { MAX_COMMENT };
export { approvalGateOf, decidePlan, planApprovalFor } from "./approvals";

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

export async function generate(kind: RolloutKind, id: number, config: Config): Promise<Task> {
  let root: unknown;
  try {
    root = await new kind.cls(id, config).generateTasks();
    if (!(root instanceof Task)) throw new Error(`generateTasks() must return the root Task (it returned ${root === null ? "null" : typeof root})`);
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    const where = authorLocation(error);
    throw new FinaliseError(`Finalise failed in generateTasks: ${error.message}${where ? ` (at ${where})` : ""}`, error.stack ?? null, where);
  }
  // Before anything walks it again: a tree over the plan limits is refused (422).
  checkPlanLimits(root);
  // Analyses are checked here, not mid-rollout: the field named (422).
  try {
    checkAnalysesOf(kind.cls, config, root);
  } catch (e) {
    throw new FinaliseError(`Finalise refused an analysis: ${(e as Error).message}`, null);
  }
  // Every kind in the tree must be findable again by name: say so now, not when it runs.
  await typeNamesIn(root);
  return root;
}

/** A task of a plan that is not saved (preview). */
export type PlannedTask = { type: string; description: string; children: PlannedTask[]; childCount?: number };


/**
 * A dry run of finalise: validates the config and generates the tree, saving
 * nothing. The same errors as finalise (400 for the config, 422 when generateTasks fails).
 */
export async function previewRollout(
  input: { kind?: string; config?: unknown },
  offered = settings().rolloutClasses,
): Promise<{ kind: string; title: string; config: Config; tasks: PlannedTask; count: number; tasksShown: "all" | "summary" }> {
  const kind = await kindFor(input.kind, offered);
  const config = validateConfig(kind, input.config);
  const root = await generate(kind, 0, config);
  const count = [...root.walk()].length;
  const typeName = await typeNamesIn(root);
  // A big plan is answered as its first screenful, as a rollout's view is (tasks=auto).
  if (count > SUMMARY_OVER) return { kind: kind.kind, title: kind.title, config, tasks: planSummary(root, typeName), count, tasksShown: "summary" };
  return { kind: kind.kind, title: kind.title, config, tasks: planTree(root, typeName), count, tasksShown: "all" };
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
  const before = await planApprovalOf(db, row, kind.cls);
  await saveFinalised(db, id, config, root, now(), input.audit && { ...input.audit, kind: row.kind });
  // A changed plan voids the decisions on the old one (they stay bound to its hash); an unchanged one keeps them.
  const decided = before ? before.approvals.length + before.rejections.length : 0;
  if (before && decided && input.audit) {
    const after = await planApprovalOf(db, await requireRolloutRow(db, id), kind.cls);
    if (after && after.planHash !== before.planHash) {
      await writeAudit(db, { ...input.audit, action: "plan_approvals_voided", rolloutId: id, kind: row.kind, comment: `a new plan (${after.planHash.slice(0, 12)}) voids ${decided} decision(s) on plan ${before.planHash.slice(0, 12)}` });
    }
  }
}

/** Statuses that count as "running" for a class with `concurrency = 1`. */
const busyStatuses = (): string[] => [...activeStatuses, ...(activeStatuses.includes("paused" as RolloutStatus) ? [] : ["paused"])];

export type RunOptions = {
  /** An admin's override of the freeze windows, with its reason (the route checks the role). */
  override?: string | null;
  /** A scheduled run: its plan was just made again and found unchanged, so its age does not matter. */
  scheduled?: boolean;
};

/** Starts it, or queues it (a kind with a queue at its limit): says which. */
export async function runRollout(db: Db, id: number, user: string | null, audit?: AuditEntry, opts: RunOptions = {}): Promise<"started" | "queued"> {
  const row = await requireRolloutRow(db, id);
  const kind = await resolveRolloutClass(row.kind).catch(() => null);
  const exclusive = kind?.cls.concurrency === 1 && !kind.cls.queue ? busyStatuses() : [];
  // A kind whose plans need approving runs only the plan that was approved.
  const approval = row.status === "not_started" && row.finalisedAt ? await planApprovalOf(db, row, kind?.cls ?? null) : null;
  const refused = approval && planApprovalRefusal(approval, user);
  if (refused) throw conflict(`Run refused: ${refused}`);
  const override = opts.override === undefined || opts.override === null ? null : checkOverride(opts.override);
  // The freeze windows (issue 21): refused at the door unless an admin overrides them.
  if (row.status === "not_started" && !override && !row.freezeOverride) {
    try {
      await freezeDoor(db, row, now());
    } catch (e) {
      if (e instanceof FrozenError && audit) await writeAudit(db, { ...audit, outcome: "refused", rolloutId: id, kind: row.kind, comment: `409: ${e.message}` });
      throw e;
    }
  }
  const at = now();
  const freezeOverride = override ? { freezeOverride: { by: user, reason: override, at }, overrideAudit: audit && { ...audit, action: "freeze_override", kind: row.kind, comment: override } } : {};
  // A kind with a queue (issue 21): accepted at its limit, and queued.
  if (kind?.cls.queue) {
    const mode = kind.cls.queue === "newest" ? "newest" : "fifo";
    return requestRunQueued(db, id, row.kind, user, at, { limit: Math.max(1, Math.floor(kind.cls.concurrency ?? 1)), mode, audit: audit && { ...audit, kind: row.kind }, anyAge: opts.scheduled, ...(approval ? { finalisedAt: row.finalisedAt! } : {}), ...freezeOverride });
  }
  await requestRun(db, id, user, at, {
    audit: audit && { ...audit, kind: row.kind },
    exclusive,
    anyAge: opts.scheduled,
    ...(approval ? { finalisedAt: row.finalisedAt! } : {}),
    ...freezeOverride,
  });
  return "started";
}

/** An admin lets a rollout run through the freezes (with a reason): a run a freeze paused resumes. */
export async function overrideFreezes(db: Db, id: number, reason: unknown, user: string | null, audit: AuditEntry): Promise<{ resumed: boolean }> {
  const text = checkOverride(reason);
  const row = await requireRolloutRow(db, id);
  return overrideFreeze(db, id, { by: user, reason: text, at: now() }, { ...audit, kind: row.kind, comment: text });
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
  if (name === "resume_rollout") {
    const row = await requireRolloutRow(db, id);
    const paused = row.pausedReason as PausedReason | null;
    if (row.status === "paused" && paused?.kind === "freeze" && !row.freezeOverride) {
      throw conflict(`${paused.message.replace(/: it resumes by itself then$/, "")}. It resumes by itself when the freeze ends; to resume it now an admin overrides the freeze with a reason (POST /api/rollouts/${id}/override)`);
    }
    return resume(db, id, user, now(), text, audit);
  }
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
export { FrozenError };
export * from "./schedule/freezes";
export { scheduleRun, cancelScheduledRun } from "./schedule/schedules";
export { cancelQueuedRun, moveQueuedToFront } from "./schedule/queue";
/** The database named by the settings: what pages and routes pass to these functions. */
// The store's reads and writes the web side needs as they are: it reaches them here, not in store/.
export { database, type Db } from "./store/db";
export { requireRolloutRow } from "./store/rollouts";
export { writeAudit, type AuditEntry };
export { formatLogLines, type LogLine } from "./store/logs";
export { pendingCount as pendingDeliveries } from "./store/webhooks";
export { backupToTemp } from "./store/backup";
export type { AuditRow } from "./store/audit";
export type { KindLock } from "./store/locks";

// The reads (views of rollouts, tasks and logs) live in views.ts.
export * from "./read/views";
export { getTaskChildren, getTaskRecords } from "./read/tree-pages";
export { analysisOf, type AnalysisView, type AnalysisRunView, type AnalysisMetricView, type AnalysisMeasurementView } from "./read/analysis";
export type { Progress } from "./read/progress";

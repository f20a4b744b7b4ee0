// What the JSON API answers, as zod schemas: the OpenAPI document's response
// schemas (lib/web/openapi.ts) are generated from these, and the API tests
// check real answers against them.
import { z } from "zod";
import { rolloutStatuses, taskStatuses } from "@/lib/kettle/status";
import { signalNames } from "@/lib/kettle/signals";
import { webhookEvents } from "@/lib/kettle/outbound/webhooks";

export const rolloutSummary = z.object({
  id: z.number().int(),
  kind: z.string(),
  status: z.enum(rolloutStatuses),
  hidden: z.boolean(),
  user: z.string().nullable(),
  createdBy: z.string().nullable(),
  runBy: z.string().nullable(),
  createdAt: z.number().meta({ description: "epoch ms" }),
  finalisedAt: z.number().nullable(),
  rolloutStartedAt: z.number().nullable(),
  rolloutFinishedAt: z.number().nullable(),
  rollbackStartedAt: z.number().nullable(),
  rollbackFinishedAt: z.number().nullable(),
  freezeOverride: z.object({ by: z.string().nullable(), reason: z.string(), at: z.number() }).nullable().meta({ description: "An admin's override of the freeze windows for this rollout" }),
  schedule: z.object({ at: z.number(), by: z.string().nullable() }).nullable().meta({ description: "Its scheduled run, while pending" }),
  queuedAt: z.number().nullable().meta({ description: "While queued: since when" }),
  supersededBy: z.number().nullable().meta({ description: "Superseded: the newer rollout of its kind that replaced it in the queue" }),
  scheduleSkipped: z.object({ at: z.number(), scheduledFor: z.number(), reason: z.string(), diff: z.unknown().optional() }).nullable().meta({ description: "Why its scheduled run did not start" }),
});
export const record = z.object({ startedAt: z.number(), finishedAt: z.number(), result: z.string(), failedAt: z.number(), error: z.string(), trace: z.string().nullable() }).partial();
// A task's children are tasks: the component's `children` refers back to it (set in the document).
export const task = z.object({
  id: z.number().int(),
  type: z.string(),
  description: z.string(),
  progress: z.string().nullish(),
  status: z.enum(taskStatuses),
  state: z.record(z.string(), z.unknown()),
  run: record,
  revert: record,
  attempts: z.array(z.object({ startedAt: z.number(), finishedAt: z.number().nullish(), failedAt: z.number().nullish(), error: z.string().nullish() })).optional(),
  maxAttempts: z.number().optional(),
  pausedMs: z.number().optional(),
  decisions: z.array(z.enum(["approve", "reject", "retry", "skip"])).optional(),
  children: z.array(z.unknown()),
  childCount: z.number().int().optional().meta({ description: "In a summary: how many children the task has, when `children` holds only some of them" }),
});
const decided = z.object({ by: z.string().nullable(), at: z.number(), comment: z.string().optional() });
/** A waiting approval gate: what it needs and has, and how long it may still wait. */
export const gate = z.object({
  approvals: z.number().int().meta({ description: "How many different people must approve" }),
  fourEyes: z.boolean(),
  approvers: z.array(z.string()).meta({ description: "Who may approve (user names, group:NAME, role:ROLE); anyone allowed when empty" }),
  given: z.array(decided),
  timeoutLeftMs: z.number().nullable().meta({ description: "Unpaused time left before onTimeout applies; null without a timeout" }),
  onTimeout: z.enum(["reject", "approve", "pause"]),
});
const planDiff = z.object({
  config: z.array(z.object({ field: z.string(), before: z.unknown(), after: z.unknown() })),
  tasks: z.object({
    added: z.array(z.object({ type: z.string(), description: z.string(), path: z.string() })),
    removed: z.array(z.object({ type: z.string(), description: z.string(), path: z.string() })),
    changed: z.array(z.object({ type: z.string(), before: z.string(), after: z.string(), path: z.string() })),
  }),
  same: z.boolean(),
});
export const planApproval = z.object({
  required: z.number().int(),
  fourEyes: z.boolean(),
  approvers: z.array(z.string()),
  planHash: z.string().meta({ description: "The hash of the plan in force: approve or reject with it" }),
  createdBy: z.string().nullable(),
  finalisedBy: z.string().nullable(),
  approvals: z.array(decided),
  rejections: z.array(decided),
  missing: z.number().int(),
  sinceApproved: planDiff.nullable().meta({ description: "What changed since the last plan that was approved (whose approvals no longer count)" }),
});
export const rollout = rolloutSummary.extend({
  title: z.string(),
  config: z.record(z.string(), z.unknown()),
  info: z.array(z.string()),
  tasks: z.unknown().meta({ description: "The root task (see Task), or null" }),
  progress: z.object({ total: z.number(), started: z.number(), finished: z.number(), failed: z.number(), reverted: z.number(), revertFailed: z.number(), byStatus: z.partialRecord(z.enum(taskStatuses), z.number()) }),
  signals: z.object({
    sent: z.array(z.object({ name: z.string(), sentBy: z.string().nullable(), sentAt: z.number() })),
    available: z.array(z.object({ name: z.enum(signalNames), description: z.string(), dangerous: z.boolean() })),
  }),
  runner: z.object({ owner: z.string().nullable(), heartbeatAt: z.number().nullable(), leaseExpiresAt: z.number().nullable(), silent: z.boolean(), waiting: z.boolean() }),
  pausedReason: z.object({ kind: z.enum(["signal", "failure", "interrupted", "monitor", "task", "freeze"]), message: z.string(), by: z.string().nullish(), taskId: z.number().optional(), freezeId: z.number().optional(), until: z.number().nullish(), since: z.number().nullable() }).nullable(),
  decisions: z.array(z.object({ at: z.number(), by: z.string().nullable(), action: z.string(), taskId: z.number().optional(), comment: z.string().optional() })),
  waitingFor: z.array(z.object({ taskId: z.number(), kind: z.enum(["approval", "failure"]), title: z.string(), error: z.string().nullish(), approval: gate.optional() })),
  planApproval: planApproval.nullable().meta({ description: "Where the approval of its plan stands (its kind's requiresApproval) while it has not run; null otherwise" }),
  queue: z.object({ position: z.number(), limit: z.number() }).nullable().meta({ description: "While queued: its place in its kind's queue (1: next) and the kind's limit" }),
  canRetryRollback: z.boolean(),
  canEdit: z.boolean(),
  canRun: z.object({ ok: z.boolean(), reason: z.string().nullable() }),
  refreshMs: z.number().nullable(),
  now: z.number(),
}).loose();
export const error = z.object({
  error: z.string(),
  fields: z.record(z.string(), z.array(z.string())).optional().meta({ description: "Per-field messages for a body that fails validation" }),
  needs: z.enum(["viewer", "operator", "admin"]).optional().meta({ description: "403: the role the action needs" }),
  mayApprove: z.string().optional().meta({ description: "403 to an approval: who may give it" }),
});
export const webhook = z.object({
  id: z.number(),
  url: z.string().meta({ description: "A Slack URL is shown only up to its first path segment" }),
  events: z.array(z.string()),
  format: z.enum(["standard", "slack"]),
  description: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.number(),
  enabled: z.boolean(),
});
export const delivery = z.object({
  id: z.number(),
  event: z.enum(webhookEvents),
  rolloutId: z.number(),
  taskId: z.number().nullable(),
  createdAt: z.number(),
  status: z.enum(["pending", "retrying", "delivered", "gave_up"]),
  deliveredAt: z.number().nullable(),
  failedAt: z.number().nullable(),
  nextAttemptAt: z.number().nullable(),
  attempts: z.array(z.object({ at: z.number(), durationMs: z.number(), status: z.number().nullable(), error: z.string().nullable() })),
});
export const lock = z.object({ locked: z.boolean(), kind: z.string(), reason: z.string().optional(), lockedBy: z.string().nullish(), lockedAt: z.number().optional() });
export const token = z.object({ id: z.number(), name: z.string(), role: z.string(), user: z.string(), createdAt: z.number(), expiresAt: z.number(), lastUsedAt: z.number().nullable(), revokedAt: z.number().nullable(), revokedBy: z.string().nullable(), status: z.enum(["active", "expired", "revoked"]) });
export const logLines = z.object({ lines: z.array(z.object({ id: z.number(), at: z.number(), line: z.string() })) });
const auditEntry = z.object({
  id: z.number().int(),
  at: z.number(),
  user: z.string().nullable(),
  role: z.string().nullable(),
  via: z.string(),
  tokenName: z.string().nullable(),
  action: z.string(),
  outcome: z.string(),
  rolloutId: z.number().nullable(),
  taskId: z.number().nullable(),
  kind: z.string().nullable(),
  comment: z.string().nullable(),
  address: z.string().nullable().meta({ description: "The client's address (null on a rollout's trail unless you are an admin)" }),
});
export const auditPage = z.object({ entries: z.array(auditEntry), page: z.number(), perPage: z.number(), total: z.number(), pages: z.number() });

/** GET /api/rollouts/{id}/analysis: every health analysis, its metrics and each measurement. */
const metricValue = z.union([z.number(), z.array(z.number()), z.null()]).meta({ description: "A number, several (a vector), or null (no data or an error)" });
export const analysis = z.object({
  runs: z.array(
    z.object({
      id: z.number().int(),
      taskId: z.number().int().nullable().meta({ description: "The analysis step; null for a background analysis" }),
      attempt: z.number().int().meta({ description: "The step's attempt (0 first; Retry measures again as the next)" }),
      name: z.string(),
      verdict: z.enum(["running", "successful", "failed", "inconclusive"]),
      why: z.string().nullable(),
      startedAt: z.number(),
      finishedAt: z.number().nullable(),
      metrics: z.array(
        z.object({
          name: z.string(),
          verdict: z.enum(["running", "successful", "failed", "inconclusive", "error"]),
          why: z.string(),
          dryRun: z.boolean(),
          successCondition: z.string().nullable(),
          failureCondition: z.string().nullable(),
          failureLimit: z.number().int(),
          inconclusiveLimit: z.number().int(),
          consecutiveErrorLimit: z.number().int(),
          count: z.number().int().nullable(),
          interval: z.string().nullable(),
          provider: z.enum(["prometheus", "web", "custom"]),
          compare: z.object({ direction: z.string(), tolerance: z.number(), critical: z.boolean() }).nullable().meta({ description: "A canary metric: each value is [baseline, canary]" }),
          measurements: z.array(z.object({ at: z.number(), value: metricValue, outcome: z.enum(["successful", "failed", "inconclusive", "error"]), message: z.string().nullable() })),
        }),
      ),
    }),
  ),
});

// ---- when rollouts may run (issue 21) ----
const occurrence = z.object({ start: z.number(), end: z.number() }).nullable();
export const freeze = z.object({
  id: z.number(),
  name: z.string(),
  reason: z.string(),
  mode: z.enum(["deny", "allow"]),
  kinds: z.array(z.string()).nullable(),
  startsAt: z.number().nullable(),
  endsAt: z.number().nullable(),
  rrule: z.string().nullable(),
  cron: z.string().nullable(),
  durationMs: z.number().nullable(),
  timeZone: z.string(),
  createdBy: z.string().nullable(),
  createdAt: z.number(),
  activeNow: occurrence,
  nextStart: occurrence,
});
export const kindFreeze = z.object({
  kind: z.string(),
  title: z.string(),
  frozen: z.object({ id: z.number(), name: z.string(), reason: z.string(), mode: z.enum(["deny", "allow"]), since: z.number().nullable(), until: z.number().nullable(), timeZone: z.string() }).nullable(),
  nextFreeze: z.object({ id: z.number(), name: z.string(), reason: z.string(), mode: z.enum(["deny", "allow"]), startsAt: z.number(), endsAt: z.number().nullable(), timeZone: z.string() }).nullable(),
});

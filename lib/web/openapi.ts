// The OpenAPI 3.1 document of the JSON API (GET /api/openapi.json, shown on /api).
// Request bodies come from the zod schemas the handlers validate with
// (lib/web/api-schemas.ts), each offered kind's config from its class's
// configSchema, both through zod's own z.toJSONSchema (JSON Schema 2020-12, the
// dialect of OpenAPI 3.1). Every route under app/api has an entry here; a test
// walks the folder to keep it so.
import { z } from "zod";
import { requiredRole } from "@/lib/auth/roles";
import { settings } from "@/lib/kettle/settings";
import { rolloutKinds } from "@/lib/kettle/operations";
import { signalNames } from "@/lib/kettle/signals";
import { freezeBody, overrideBody, runBody, scheduleBody, commentBody, planDecisionBody, createRolloutBody, finaliseBody, hideBody, lockBody, tokenBody, webhookBody, webhookChangeBody } from "./api-schemas";
import { analysis, freeze, kindFreeze, auditPage, delivery, error, lock, logLines, rollout, rolloutSummary, task, token, webhook } from "./api-answers";

type Json = Record<string, unknown>;
const schema = (s: z.ZodType, io: "input" | "output" = "input"): Json => {
  const { $schema: _, ...rest } = z.toJSONSchema(s, { io, unrepresentable: "any", target: "draft-2020-12" }) as Json;
  return rest;
};
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

// ---- the routes ----
type Param = { name: string; in: "path" | "query"; description?: string; schema?: Json; required?: boolean };
type Op = {
  method: "get" | "post" | "put" | "delete";
  path: string;
  summary: string;
  /** The action the route declares in lib/auth/roles (the role comes from it); null: anyone identified. */
  action: string | null;
  params?: Param[];
  body?: Json;
  ok: { status: number; schema?: Json; text?: boolean; description?: string; /** A file's media type, for an answer that is a file. */ file?: string };
  errors?: number[];
};

const id: Param = { name: "id", in: "path", description: "Rollout id (or `latest` where reading)", schema: { type: "string" } };
const taskId: Param = { name: "taskId", in: "path", schema: { type: "string", pattern: "^\\d+$" } };
const kindParam: Param = { name: "kind", in: "path", description: "A rollout kind, URL-encoded (e.g. rollout%3AMyRollout)", schema: { type: "string" } };
const q = (name: string, description: string, s: Json = { type: "string" }): Param => ({ name, in: "query", description, schema: s });
const logQuery = [q("format", "`json` for `{ lines }` instead of text", { type: "string", enum: ["json"] }), q("after", "with format=json: only lines after this id (to follow a log)", { type: "integer" })];
const answerTasks = q("tasks", "how much of the tree the answer carries: auto (default: the whole tree up to 2 000 tasks, a summary past that), all, or summary", { type: "string", enum: ["all", "summary", "auto"] });
const paging = [q("page", "1-based", { type: "integer" }), q("perPage", "rows per page", { type: "integer" })];

function operations(): Op[] {
  return [
    {
      method: "get",
      path: "/api/rollouts",
      summary: "Rollouts, newest first (hidden ones left out, or only them with hidden=1), with filters",
      action: "read",
      params: [
        ...paging,
        q("hidden", "1: only the hidden ones"),
        q("status", "a status, or active (any in progress)"),
        q("kind", "module:Export"),
        q("user", "who created or ran it"),
        q("from", "created at or after (a date, or epoch ms)"),
        q("to", "created before (a date, or epoch ms)"),
        q("q", "text searched in the config and the info lines"),
      ],
      ok: { status: 200, schema: ref("RolloutList") },
      errors: [400],
    },
    { method: "get", path: "/api/rollouts/in-flight", summary: "Every rollout in progress across kinds, with progress, time left and who ran it", action: "read", ok: { status: 200, schema: { type: "object" } } },
    { method: "get", path: "/api/rollouts/{id}/analysis", summary: "Every health analysis of the rollout (steps and background): metrics, conditions, limits, each measurement, the verdict and why", action: "read", params: [id], ok: { status: 200, schema: ref("Analysis") }, errors: [404] },
    { method: "get", path: "/api/rollouts/{id}/plans", summary: "Every plan the rollout was finalised with, oldest first, each with its diff against the one before", action: "read", params: [id], ok: { status: 200, schema: { type: "object" } }, errors: [404] },
    { method: "post", path: "/api/rollouts", summary: "Create and finalise a rollout", action: "create", params: [answerTasks], body: ref("CreateRollout"), ok: { status: 201, schema: ref("Rollout") }, errors: [400, 422] },
    {
      method: "get",
      path: "/api/rollouts/{id}",
      summary: "A rollout with its task tree, records, signals, runner and decisions",
      action: "read",
      params: [id, q("tasks", "all (default); summary: a big tree's summary (open groups with /tasks?parent=); auto: a summary past 2 000 tasks", { type: "string", enum: ["all", "summary", "auto"] })],
      ok: { status: 200, schema: ref("Rollout") },
      errors: [400, 404],
    },
    {
      method: "get",
      path: "/api/rollouts/{id}/tasks",
      summary: "A page of a task's children (no parent: the root), for big trees",
      action: "read",
      params: [id, q("parent", "the parent task's id", { type: "integer" }), q("offset", "first child to return", { type: "integer" }), q("limit", "how many", { type: "integer" })],
      ok: { status: 200, schema: { type: "object" } },
      errors: [404],
    },
    {
      method: "get",
      path: "/api/rollouts/{id}/events",
      summary: "The rollout's live changes as Server-Sent Events: snapshot, then change events, end when done; Last-Event-ID catches up",
      action: "read",
      params: [id, q("logs", 'logs to follow too: a comma list of "rollout", "rollback", "task:ID:run", "task:ID:revert"'), q("lastEventId", "resume after this event (or the Last-Event-ID header)")],
      ok: { status: 200, text: true, description: "text/event-stream" },
      errors: [400, 404],
    },
    { method: "post", path: "/api/rollouts/preview", summary: "A dry run of finalise: the tree a config would generate; nothing is saved", action: "create", body: ref("CreateRollout"), ok: { status: 200, schema: { type: "object" } }, errors: [400, 422] },
    { method: "get", path: "/api/dev/rollouts", summary: "Development only (404 in production): an event each time rollouts/ changes", action: "read", ok: { status: 200, text: true, description: "text/event-stream" }, errors: [404] },
    { method: "put", path: "/api/rollouts/{id}", summary: "Finalise again with a new config (409 once started)", action: "finalise", params: [id, answerTasks], body: schema(finaliseBody), ok: { status: 200, schema: ref("Rollout") }, errors: [400, 404, 409, 422] },
    {
      method: "post",
      path: "/api/rollouts/{id}/run",
      summary: "Start it (409 when already run, empty, stale, locked, its plan unapproved, or its kind frozen: `freeze` names the window, its end, or the runway the estimate lacks); `override` (admins) runs it despite the freeze windows",
      action: "run",
      params: [id, answerTasks],
      body: schema(runBody),
      ok: { status: 202, schema: ref("Rollout") },
      errors: [400, 404, 409],
    },
    { method: "post", path: "/api/rollouts/{id}/override", summary: "Let it run through the freeze windows, with a reason (audited); a run a freeze paused resumes", action: "freeze_override", params: [id], body: schema(overrideBody), ok: { status: 200, schema: schema(z.object({ id: z.number(), overridden: z.literal(true), resumed: z.boolean() }), "output") }, errors: [400, 404, 409] },
    { method: "post", path: "/api/rollouts/{id}/schedule", summary: "Schedule its run at a time: started then by one instance, its plan made again first (a changed plan does not run: schedule.skipped); 409 when run already or frozen at that time", action: "schedule", params: [id, answerTasks], body: schema(scheduleBody), ok: { status: 200, schema: ref("Rollout") }, errors: [400, 404, 409] },
    { method: "delete", path: "/api/rollouts/{id}/schedule", summary: "Cancel its scheduled run (409 when none)", action: "schedule_cancel", params: [id, answerTasks], ok: { status: 200, schema: ref("Rollout") }, errors: [404, 409] },
    {
      method: "post",
      path: "/api/rollouts/{id}/queue/{action}",
      summary: "A queued rollout: cancel (operators: out of the queue, back to not started) or front (admins: first in its kind's queue); 409 when it is not queued",
      action: "queue_cancel",
      params: [id, { name: "action", in: "path", schema: { type: "string", enum: ["cancel", "front"] } }, answerTasks],
      ok: { status: 200, schema: ref("Rollout") },
      errors: [404, 409],
    },
    { method: "get", path: "/api/freezes", summary: "Freeze windows (deny, or allow: runs only then), with the occurrence on now and the next", action: "read", ok: { status: 200, schema: schema(z.object({ freezes: z.array(freeze) }), "output") } },
    { method: "post", path: "/api/freezes", summary: "Define a freeze window: one-off (start, end) or recurring (rrule with start, or cron; with duration) in an IANA time zone", action: "freeze_create", body: schema(freezeBody), ok: { status: 201, schema: schema(freeze, "output") }, errors: [400] },
    { method: "delete", path: "/api/freezes/{id}", summary: "Delete a freeze window: rollouts it paused resume by themselves", action: "freeze_delete", params: [{ name: "id", in: "path", schema: { type: "string" } }], ok: { status: 200, schema: { type: "object", properties: { deleted: { const: true } } } }, errors: [400, 404] },
    { method: "get", path: "/api/kinds", summary: "The kinds offered, each with whether it is frozen now and its next freeze", action: "read", ok: { status: 200, schema: schema(z.object({ kinds: z.array(kindFreeze) }), "output") } },
    {
      method: "post",
      path: "/api/rollouts/{id}/signals/{signal}",
      summary: "Send a signal (409 when not available now or already sent); term_rollout, term_rollback and skip_rollback need admin by default (KETTLE_ADMIN_ONLY)",
      action: "abort_rollout",
      params: [id, { name: "signal", in: "path", schema: { type: "string", enum: [...signalNames] } }],
      body: schema(commentBody),
      ok: { status: 200, schema: schema(z.object({ id: z.number(), signal: z.string(), sent: z.literal(true) }), "output") },
      errors: [400, 404, 409],
    },
    {
      method: "post",
      path: "/api/rollouts/{id}/tasks/{taskId}/{decision}",
      summary: "Approve or reject an approval gate that waits; retry or skip a failed task the run is paused on",
      action: "approve",
      params: [id, taskId, { name: "decision", in: "path", schema: { type: "string", enum: ["approve", "reject", "retry", "skip"] } }, answerTasks],
      body: schema(commentBody),
      ok: { status: 200, schema: ref("Rollout") },
      errors: [400, 404, 409],
    },
    {
      method: "post",
      path: "/api/rollouts/{id}/plan/{decision}",
      summary: "Approve or reject the plan in force (its kind's requiresApproval), bound to its hash: 403 for someone the rule sets aside (approvers, four eyes), 409 for a stale hash, a decision already given, or nothing to approve",
      action: "approve_plan",
      params: [id, { name: "decision", in: "path", schema: { type: "string", enum: ["approve", "reject"] } }, answerTasks],
      body: schema(planDecisionBody),
      ok: { status: 200, schema: ref("Rollout") },
      errors: [400, 403, 404, 409],
    },
    { method: "post", path: "/api/rollouts/{id}/rollback/retry", summary: "Retry a failed rollback (202 while rollback_failed, 409 otherwise)", action: "retry_rollback", params: [id, answerTasks], body: schema(commentBody), ok: { status: 202, schema: ref("Rollout") }, errors: [404, 409] },
    { method: "post", path: "/api/rollouts/{id}/hide", summary: "Hide it from the lists (or show it again)", action: "hide", params: [id], body: schema(hideBody), ok: { status: 200, schema: schema(z.object({ id: z.number(), hidden: z.boolean() }), "output") }, errors: [400, 404] },
    {
      method: "get",
      path: "/api/rollouts/{id}/logs/{stream}",
      summary: "The rollout's own log or its rollback log",
      action: "read",
      params: [id, { name: "stream", in: "path", schema: { type: "string", enum: ["rollout", "rollback"] } }, ...logQuery],
      ok: { status: 200, text: true, schema: ref("LogLines") },
      errors: [404],
    },
    {
      method: "get",
      path: "/api/rollouts/{id}/tasks/{taskId}/logs/{stream}",
      summary: "A task's run or revert log",
      action: "read",
      params: [id, taskId, { name: "stream", in: "path", schema: { type: "string", enum: ["run", "revert"] } }, ...logQuery],
      ok: { status: 200, text: true, schema: ref("LogLines") },
      errors: [404],
    },
    { method: "get", path: "/api/rollouts/{id}/audit", summary: "The rollout's own audit trail", action: "read", params: [id, ...paging], ok: { status: 200, schema: ref("AuditPage") }, errors: [404] },
    { method: "get", path: "/api/me", summary: "Who you are: user, groups, role, how identified, and why each action would be refused", action: null, ok: { status: 200, schema: { type: "object" } } },
    { method: "get", path: "/api/tokens", summary: "Your API tokens (everyone's with all=1, for admins)", action: "read", params: [q("all", "1: everyone's (admins)")], ok: { status: 200, schema: schema(z.object({ tokens: z.array(token) }), "output") } },
    { method: "post", path: "/api/tokens", summary: "Make an API token: 201 with its secret, shown once", action: "token_create", body: schema(tokenBody), ok: { status: 201, schema: schema(token.extend({ token: z.string() }), "output") }, errors: [400, 409] },
    { method: "delete", path: "/api/tokens/{id}", summary: "Revoke a token (your own; anyone's for admins)", action: "token_revoke", params: [{ name: "id", in: "path", schema: { type: "string" } }], ok: { status: 200, schema: schema(token, "output") }, errors: [404, 409] },
    {
      method: "get",
      path: "/api/audit",
      summary: "The audit trail, newest first",
      action: "audit_read",
      params: [q("user", "who"), q("action", "what"), q("rollout", "a rollout id", { type: "integer" }), q("outcome", "ok or refused"), q("from", "a date or epoch ms"), q("to", "a date or epoch ms"), ...paging],
      ok: { status: 200, schema: ref("AuditPage") },
    },
    { method: "get", path: "/api/kinds/{kind}/lock", summary: "A kind's deploy lock", action: "read", params: [kindParam], ok: { status: 200, schema: ref("Lock") }, errors: [404] },
    { method: "post", path: "/api/kinds/{kind}/lock", summary: "Lock a kind: Run is refused until it is unlocked (409 if locked)", action: "lock", params: [kindParam], body: schema(lockBody), ok: { status: 201, schema: ref("Lock") }, errors: [400, 404, 409] },
    { method: "delete", path: "/api/kinds/{kind}/lock", summary: "Unlock a kind (409 if not locked)", action: "unlock", params: [kindParam], ok: { status: 200, schema: ref("Lock") }, errors: [404, 409] },
    { method: "get", path: "/api/webhooks", summary: "Webhook subscriptions", action: "webhook_read", ok: { status: 200, schema: schema(z.object({ webhooks: z.array(webhook) }), "output") } },
    { method: "post", path: "/api/webhooks", summary: "Subscribe: 201 with the signing secret (whsec_…), shown once", action: "webhook_create", body: schema(webhookBody), ok: { status: 201, schema: schema(webhook.extend({ secret: z.string() }), "output") }, errors: [400] },
    { method: "get", path: "/api/webhooks/{id}", summary: "A subscription with its latest 50 events and every delivery attempt", action: "webhook_read", params: [{ name: "id", in: "path", schema: { type: "string" } }], ok: { status: 200, schema: schema(webhook.extend({ deliveries: z.array(delivery) }), "output") }, errors: [404] },
    { method: "put", path: "/api/webhooks/{id}", summary: "Change the events, format, description, or enable/disable it", action: "webhook_update", params: [{ name: "id", in: "path", schema: { type: "string" } }], body: schema(webhookChangeBody), ok: { status: 200, schema: schema(webhook, "output") }, errors: [400, 404] },
    { method: "delete", path: "/api/webhooks/{id}", summary: "Delete it, with its undelivered events", action: "webhook_delete", params: [{ name: "id", in: "path", schema: { type: "string" } }], ok: { status: 200, schema: { type: "object", properties: { deleted: { const: true } } } }, errors: [404] },
    { method: "post", path: "/api/backup", summary: "A consistent copy of the live database as a SQLite file (admins; 422 for a libSQL server URL)", action: "backup", ok: { status: 200, file: "application/vnd.sqlite3", description: "The database file (VACUUM INTO)" }, errors: [422] },
    { method: "get", path: "/api/openapi.json", summary: "This document", action: "read", ok: { status: 200, schema: { type: "object" } } },
  ];
}

/** Every API path (OpenAPI style, `{id}` for a parameter) with the methods it takes: what server.ts answers 404 and 405 from. */
export function apiRoutes(): { path: string; methods: string[] }[] {
  const byPath = new Map<string, string[]>();
  for (const op of operations()) byPath.set(op.path, [...(byPath.get(op.path) ?? []), op.method.toUpperCase()]);
  return [...byPath].map(([path, methods]) => ({ path, methods }));
}

const statusText: Record<number, string> = {
  400: "Bad input (with per-field `fields` for a body that fails validation)",
  401: "Not signed in (no session, header or token)",
  403: "The role does not allow it (`needs` names the role), or a cross-site request",
  404: "Unknown rollout, task, kind, token or webhook",
  409: "The state does not allow it now",
  422: "The rollout's own code failed with this config (generateTasks threw), or the plan is over KETTLE_MAX_PLAN_TASKS or KETTLE_MAX_PLAN_STATE_BYTES",
  413: "The body is larger than KETTLE_MAX_BODY_BYTES",
};

function withRef(obj: Json, key: string, value: Json): Json {
  const props = obj.properties as Json;
  return { ...obj, properties: { ...props, [key]: { ...value, ...((props[key] as Json)?.description ? { description: (props[key] as Json).description } : {}) } } };
}

/** A component name for a kind (`rollout:MyRollout` → `Config.rollout.MyRollout`). */
const configName = (kind: string) => `Config.${kind.replace(/[^A-Za-z0-9._-]/g, ".")}`;

export async function openApiDocument(serverUrl?: string): Promise<Json> {
  const s = settings();
  const kinds = await rolloutKinds();
  const configs: Record<string, Json> = {};
  for (const k of kinds) {
    const cs = k.cls.configSchema ?? z.object({}).loose();
    configs[configName(k.kind)] = { ...schema(cs), title: k.title ?? k.kind, description: `The config of ${k.kind}` };
  }
  const createRollout = schema(createRolloutBody);
  const paths: Record<string, Record<string, Json>> = {};
  for (const op of operations()) {
    const role = op.action === null ? null : requiredRole(op.action, s.auth);
    const responses: Record<string, Json> = {
      [op.ok.status]: {
        description: op.ok.description ?? "OK",
        content: op.ok.file
          ? { [op.ok.file]: { schema: { type: "string", format: "binary" } } }
          : op.ok.text
            ? { "text/plain": { schema: { type: "string" } }, "application/json": { schema: op.ok.schema } }
            : { "application/json": { schema: op.ok.schema ?? { type: "object" } } },
      },
    };
    for (const code of [...(op.errors ?? []), 401, 403, ...(op.method === "get" ? [] : [413])]) {
      responses[code] = { description: statusText[code], content: { "application/json": { schema: ref("Error") } } };
    }
    const operation: Json = {
      operationId: `${op.method}${op.path.replace(/\{(\w+)\}/g, "By_$1").replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ""))}`,
      summary: op.summary,
      description: role ? `Needs the **${role}** role (action \`${op.action}\`).` : "Anyone identified.",
      tags: [op.path.split("/")[2]],
      ...(op.params?.length ? { parameters: op.params.map((p) => ({ ...p, required: p.in === "path" ? true : (p.required ?? false) })) } : {}),
      ...(op.body ? { requestBody: { required: op.method === "put" && op.path === "/api/rollouts/{id}", content: { "application/json": { schema: op.body } } } } : {}),
      responses,
      "x-kettle-action": op.action,
      ...(role ? { "x-kettle-role": role } : {}),
    };
    (paths[op.path] ??= {})[op.method] = operation;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Kettle API",
      version: "1",
      description:
        "Reversible rollouts. Errors are `{ error }` JSON: also 400 for a path that does not percent-decode, a body nested more than 64 levels or a control character in a text field, 404 for an /api path no route serves, 405 (with Allow) for a method a path does not take. Mutations from a browser must be same-origin; pipelines send `Authorization: Bearer kettle_…` (an API token) in proxy and oidc modes.",
    },
    jsonSchemaDialect: "https://spec.openapis.org/oas/3.1/dialect/base",
    servers: [{ url: serverUrl ?? (s.auth.publicUrl || s.basePath || "/") }],
    security: [{}, { bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "A Kettle API token (kettle_…), made on the Tokens page" } },
      schemas: {
        CreateRollout: {
          ...createRollout,
          description: `Create and finalise. The offered kinds and their configs: ${kinds.map((k) => k.kind).join(", ")}`,
          anyOf: kinds.map((k, i) => ({
            type: "object",
            properties: { kind: i === 0 ? { const: k.kind, description: "the default" } : { const: k.kind }, config: ref(configName(k.kind)) },
            ...(i === 0 ? {} : { required: ["kind"] }),
          })),
        },
        ...configs,
        RolloutSummary: schema(rolloutSummary, "output"),
        RolloutList: schema(z.object({ rollouts: z.array(rolloutSummary), page: z.number(), perPage: z.number(), total: z.number(), pages: z.number(), filters: z.record(z.string(), z.unknown()).meta({ description: "The filters applied, as understood" }) }), "output"),
        Rollout: withRef(schema(rollout, "output"), "tasks", { anyOf: [ref("Task"), { type: "null" }] }),
        Task: withRef(schema(task, "output"), "children", { type: "array", items: ref("Task") }),
        LogLines: schema(logLines, "output"),
        Analysis: schema(analysis, "output"),
        AuditPage: schema(auditPage, "output"),
        Lock: schema(lock, "output"),
        Error: schema(error, "output"),
      },
    },
  };
}

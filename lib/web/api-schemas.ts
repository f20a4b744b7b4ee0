// The JSON API's request bodies as zod schemas: the route handlers validate with
// these, and the OpenAPI document (lib/web/openapi.ts) is generated from them,
// so the two cannot drift. Messages keep the wording the API always had.
import { z } from "zod";
import { badInput } from "@/lib/kettle/errors";
import { MAX_COMMENT } from "@/lib/kettle/operations";
import { webhookChange, webhookInput } from "@/lib/kettle/outbound/webhooks";
import { plainText } from "@/lib/kettle/text";

const jsonObject = (message: string) => z.record(z.string(), z.unknown(), { error: message });

export const createRolloutBody = z.object({
  kind: z.string({ error: 'kind must be a string such as "rollout:MyRollout"' }).optional().meta({ description: "One of the kinds this deployment offers (KETTLE_ROLLOUT_CLS); the first when left out" }),
  config: jsonObject("config must be a JSON object").optional().meta({ description: "The kind's configuration (see the Config… schemas)" }),
});

export const finaliseBody = z.object({
  config: jsonObject("config must be a JSON object").meta({ description: "The kind's configuration" }),
});

export const planDecisionBody = z.object({
  planHash: z
    .string({ error: "planHash: the hash of the plan you decide on (planApproval.planHash in GET /api/rollouts/{id})" })
    .regex(/^[0-9a-f]{64}$/, "planHash is a sha256 hex string (planApproval.planHash)")
    .meta({ description: "The hash of the plan you approve or reject, as GET /api/rollouts/{id} gave it: a plan changed since is refused (409)" }),
  comment: plainText("comment", "comment must be a string")
    .max(MAX_COMMENT, `comment is too long: at most ${MAX_COMMENT} characters`)
    .nullish()
    .meta({ description: "Why: kept with the decision and in the audit trail" }),
});

export const commentBody = z.object({
  comment: plainText("comment", "comment must be a string")
    .max(MAX_COMMENT, `comment is too long: at most ${MAX_COMMENT} characters`)
    .nullish()
    .meta({ description: "Why: kept with the signal or decision and in the audit trail" }),
});

export const hideBody = z.object({
  hidden: z.boolean({ error: "hidden must be true or false" }).optional().meta({ description: "false shows a hidden rollout again" }),
});

const lockReason = "reason: say why Run is locked (1 to 500 characters)";
export const lockBody = z.object({
  reason: plainText("reason", lockReason)
    .trim()
    .min(1, lockReason)
    .max(500, lockReason)
    .meta({ description: "Why Run is locked (shown to whoever tries)" }),
});

const tokenName = "name: give the token a name (1 to 100 characters), e.g. the pipeline that uses it";
const tokenDays = "expiresInDays must be a number of days from more than 0 to 365";
export const tokenBody = z.object({
  name: plainText("name", tokenName)
    .trim()
    .min(1, tokenName)
    .max(100, tokenName)
    .meta({ description: "What uses it, e.g. the pipeline" }),
  role: z.enum(["viewer", "operator", "admin"], "role must be viewer, operator or admin").optional().meta({ description: "At most your own role (the default)" }),
  expiresInDays: z
    .number({ error: tokenDays })
    .positive(tokenDays)
    .max(365, tokenDays)
    .optional()
    .meta({ description: "30 unless told" }),
});

export { webhookInput as webhookBody, webhookChange as webhookChangeBody };

/**
 * The body checked against its schema: 400 with per-field messages when it does not fit.
 * Only the keys the schema knows are checked; the handler still gets the whole body.
 */
export function parseBody<T extends z.ZodType>(schema: T, body: Record<string, unknown>): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const fields: Record<string, string[]> = {};
  for (const issue of parsed.error.issues) (fields[issue.path.join(".") || "_"] ??= []).push(issue.message);
  const message = parsed.error.issues.map((i) => i.message).join("; ");
  throw badInput(message, fields);
}

// ---- when rollouts may run (issue 21): documented here; the engine checks them field by field ----
const overrideField = plainText("override", "override must be a string").min(1).max(1000).meta({ description: "Admins: why it runs despite the freeze windows (audited, shown on the rollout)" });
export const runBody = z.object({ override: overrideField.optional() });
export const overrideBody = z.object({ reason: overrideField });
export const scheduleBody = z.object({
  at: z.string().meta({ description: "When to run it: ISO 8601 with an offset, e.g. 2026-12-22T09:00:00+01:00 (in the future, within a year)" }),
  override: overrideField.optional(),
});
export const freezeBody = z.object({
  name: plainText("name", "name must be a string").min(1).max(100),
  reason: plainText("reason", "reason must be a string").max(1000).optional(),
  mode: z.enum(["deny", "allow"]).default("deny").meta({ description: "deny: no runs in the window; allow: runs only in such windows (a deny window wins)" }),
  kinds: z.array(z.string()).optional().meta({ description: "The kinds it applies to; every kind when left out" }),
  start: z.string().optional().meta({ description: "One-off: its start; rrule: its first occurrence. ISO 8601 (without an offset: in timeZone)" }),
  end: z.string().optional().meta({ description: "One-off: its end" }),
  rrule: z.string().optional().meta({ description: "RFC 5545 recurrence rule, e.g. FREQ=WEEKLY;BYDAY=FR (with start and duration)" }),
  cron: z.string().optional().meta({ description: "Cron expression for each start, e.g. 0 18 * * 5 (with duration)" }),
  duration: z.string().optional().meta({ description: "ISO 8601 duration of each occurrence, e.g. PT64H" }),
  timeZone: z.string().default("UTC").meta({ description: "IANA time zone of the recurrence, e.g. Europe/Berlin (daylight saving handled)" }),
});

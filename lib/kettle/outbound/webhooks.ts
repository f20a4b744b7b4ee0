// Webhook subscriptions: what admins may do with them (create, list, change,
// delete) and what a delivery sends (the signed Standard Webhooks body or a
// Slack message). Events themselves are written by triggers (drizzle/0005_outbox.sql)
// and delivered by lib/kettle/outbound/outbox.ts.
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { Db } from "../store/db";
import { deleteWebhook, deliveriesOf, insertWebhook, listWebhooks, updateWebhook, webhookById, type WebhookRow } from "../store/webhooks";
import { auditStatement, type AuditEntry } from "../store/audit";
import { badInput, conflict, notFound } from "../errors";
import { now } from "../clock";
import { sealSecret } from "../secrets";
import { settings } from "../settings";
import { controlCharacterMessage, loneSurrogateMessage, plainText, wellFormed, WITHOUT_CONTROL_CHARACTERS } from "../text";

export const webhookEvents = [
  "rollout.started",
  "rollout.paused",
  "rollout.finished",
  "rollout.rolling_back",
  "rollout.rolled_back",
  "rollout.rollback_failed",
  "task.failed",
  "approval.requested",
  "analysis.failed",
  "analysis.inconclusive",
  "rollout.frozen",
  "rollout.queued",
  "rollout.superseded",
  "schedule.skipped",
] as const;
export type WebhookEvent = (typeof webhookEvents)[number];

export const SECRET_PURPOSE = "webhook secret";

/** What POST /api/webhooks takes. */
export const webhookInput = z.object({
  url: z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
    .max(2000)
    .regex(WITHOUT_CONTROL_CHARACTERS, controlCharacterMessage("url"))
    .refine(wellFormed, loneSurrogateMessage("url"))
    .meta({ description: "Where to POST each event" }),
  events: z
    .array(z.enum([...webhookEvents, "*"]))
    .min(1, "choose at least one event")
    .meta({ description: `Events wanted; "*" for all: ${webhookEvents.join(", ")}` }),
  format: z.enum(["standard", "slack"]).default("standard").meta({ description: "standard: the JSON event, signed per Standard Webhooks; slack: a Slack incoming-webhook message (also signed)" }),
  description: plainText("description").max(200).optional(),
});

/** What PUT /api/webhooks/{id} takes. */
export const webhookChange = z.object({
  events: webhookInput.shape.events.optional(),
  format: z.enum(["standard", "slack"]).optional(),
  description: plainText("description").max(200).nullable().optional(),
  enabled: z.boolean().optional(),
});

function fieldErrors(error: z.ZodError): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const issue of error.issues) (fields[issue.path.join(".") || "_"] ??= []).push(issue.message);
  return fields;
}
function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const fields = fieldErrors(parsed.error);
  throw badInput(`Invalid webhook: ${Object.entries(fields).map(([k, m]) => `${k}: ${m.join("; ")}`).join("; ")}`, fields);
}

export type WebhookView = {
  id: number;
  url: string;
  events: string[];
  format: "standard" | "slack";
  description: string | null;
  createdBy: string | null;
  createdAt: number;
  enabled: boolean;
};

/** A Slack incoming-webhook URL is itself a secret: only its start is shown. */
function shownUrl(w: WebhookRow): string {
  if (w.format !== "slack") return w.url;
  try {
    const u = new URL(w.url);
    return `${u.origin}${u.pathname.split("/").slice(0, 2).join("/")}/…`;
  } catch {
    return "…";
  }
}

export function webhookView(w: WebhookRow): WebhookView {
  return {
    id: w.id,
    url: shownUrl(w),
    events: w.events,
    format: w.format,
    description: w.description,
    createdBy: w.createdBy,
    createdAt: w.createdAt,
    enabled: w.disabledAt === null,
  };
}

/** `whsec_` and 32 random bytes in base64: the Standard Webhooks secret format. */
const newSecret = () => `whsec_${randomBytes(32).toString("base64")}`;

export async function createWebhook(db: Db, body: unknown, user: string | null, audit: AuditEntry): Promise<WebhookView & { secret: string }> {
  const input = parse(webhookInput, body);
  const secret = newSecret();
  const at = now();
  const id = await insertWebhook(
    db,
    { url: input.url, events: [...new Set(input.events)], format: input.format, secretSealed: await sealSecret(SECRET_PURPOSE, secret), description: input.description ?? null, createdBy: user, createdAt: at },
    auditStatement({ ...audit, comment: `webhook ${id0(input.url)} for ${input.events.join(", ")}` }),
  );
  return { ...webhookView((await webhookById(db, id))!), secret };
}
/** The host only, for the audit trail (a URL may carry a token). */
const id0 = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return "?";
  }
};

export async function webhooks(db: Db): Promise<WebhookView[]> {
  return (await listWebhooks(db)).map(webhookView);
}

function webhookId(param: string): number {
  if (!/^\d{1,12}$/.test(param)) throw notFound(`No webhook ${param.slice(0, 40)}`);
  return Number(param);
}

export async function webhookWithDeliveries(db: Db, param: string) {
  const id = webhookId(param);
  const w = await webhookById(db, id);
  if (!w) throw notFound(`No webhook ${id}`);
  const deliveries = (await deliveriesOf(db, id)).map((d) => ({
    id: d.id,
    event: d.event,
    rolloutId: d.rolloutId,
    taskId: d.taskId,
    createdAt: d.createdAt,
    status: d.deliveredAt ? "delivered" : d.failedAt ? "gave_up" : d.attempts ? "retrying" : "pending",
    deliveredAt: d.deliveredAt,
    failedAt: d.failedAt,
    nextAttemptAt: d.deliveredAt || d.failedAt ? null : d.nextAttemptAt,
    attempts: d.attemptList.map((a) => ({ at: a.at, durationMs: a.durationMs, status: a.status, error: a.error })),
  }));
  return { ...webhookView(w), deliveries };
}

export async function changeWebhook(db: Db, param: string, body: unknown, audit: AuditEntry): Promise<WebhookView> {
  const id = webhookId(param);
  const input = parse(webhookChange, body);
  const w = await webhookById(db, id);
  if (!w) throw notFound(`No webhook ${id}`);
  const disabledAt = input.enabled === undefined ? undefined : input.enabled ? null : (w.disabledAt ?? now());
  const what = Object.keys(input).join(", ") || "nothing";
  await updateWebhook(db, id, { events: input.events && [...new Set(input.events)], format: input.format, description: input.description, disabledAt }, auditStatement({ ...audit, comment: `webhook ${id} (${id0(w.url)}): ${what}` }));
  return webhookView((await webhookById(db, id))!);
}

export async function removeWebhook(db: Db, param: string, audit: AuditEntry): Promise<void> {
  const id = webhookId(param);
  const w = await webhookById(db, id);
  if (!w) throw notFound(`No webhook ${id}`);
  if (!(await deleteWebhook(db, id, auditStatement({ ...audit, comment: `webhook ${id} (${id0(w.url)})` }, { ifChanged: true })))) throw conflict(`Webhook ${id} was already deleted`);
}

// ---- what a delivery sends ----

/** Where people open a rollout: KETTLE_PUBLIC_URL, else this server's own address. */
export function rolloutLink(id: number): string {
  const s = settings();
  const base = s.auth.publicUrl ?? `http://${s.hostname === "0.0.0.0" || s.hostname === "::" ? "localhost" : s.hostname}:${s.port}${s.basePath}`;
  return `${base}/rollouts/${id}`;
}

type Snapshot = {
  type: string;
  timestamp: string;
  data: {
    rollout: { id: number; kind: string; status: string; user: string | null; pausedReason?: { message?: string } | null };
    task?: { id: number; type: string; error?: string | null; title?: string | null; state?: Record<string, unknown>; waitingSince?: number | null };
    analysis?: { name: string; verdict: string; why: string | null };
  };
};

const words: Record<string, string> = {
  "rollout.started": "started",
  "rollout.paused": "paused",
  "rollout.finished": "finished",
  "rollout.rolling_back": "is rolling back",
  "rollout.rolled_back": "rolled back",
  "rollout.rollback_failed": "failed to roll back",
};

/** What an approval gate asks: how many approvals from whom, and when its timeout applies (paused time would push it later). */
function gateAsk(task: NonNullable<Snapshot["data"]["task"]>) {
  const state = task.state ?? {};
  const minutes = typeof state.timeoutMinutes === "number" ? state.timeoutMinutes : null;
  return {
    approvals: typeof state.approvals === "number" ? state.approvals : 1,
    fourEyes: state.fourEyes === true,
    approvers: Array.isArray(state.approvers) ? (state.approvers as string[]) : [],
    timesOutAt: minutes !== null && task.waitingSince ? new Date(task.waitingSince + minutes * 60_000).toISOString() : null,
    onTimeout: typeof state.onTimeout === "string" ? state.onTimeout : "reject",
  };
}

/** The request body for one event: the snapshot plus the link (standard), or a Slack message. */
export function deliveryBody(payload: string, format: "standard" | "slack"): string {
  const event = JSON.parse(payload) as Snapshot;
  const url = rolloutLink(event.data.rollout.id);
  const ask = event.type === "approval.requested" && event.data.task ? gateAsk(event.data.task) : null;
  const withLink = { ...event, data: { ...event.data, url, ...(ask ? { approval: ask } : {}) } };
  if (format === "standard") return JSON.stringify(withLink);
  const r = event.data.rollout;
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const name = `<${url}|Rollout ${r.id}> (${esc(r.kind)})`;
  let text: string;
  if (event.type === "task.failed") text = `:x: ${name}: task ${event.data.task?.id} (${esc(event.data.task?.type ?? "")}) failed: ${esc(event.data.task?.error ?? "")}`;
  else if (event.type.startsWith("analysis.")) text = `${event.type === "analysis.failed" ? ":x:" : ":grey_question:"} ${name}: analysis "${esc(event.data.analysis?.name ?? "")}" ${event.data.analysis?.verdict ?? ""}: ${esc(event.data.analysis?.why ?? "")}`;
  else if (event.type === "approval.requested" && ask) {
    const who = `${ask.approvals === 1 ? "an approval" : `${ask.approvals} approvals`}${ask.fourEyes ? " (four eyes)" : ""}${ask.approvers.length ? ` from ${esc(ask.approvers.join(" or "))}` : ""}`;
    const by = ask.timesOutAt ? ` by ${ask.timesOutAt.slice(0, 16).replace("T", " ")} UTC (then it ${ask.onTimeout === "pause" ? "pauses" : ask.onTimeout === "approve" ? "approves itself" : "is rejected"})` : "";
    text = `:raised_hand: ${name} waits for ${who}${by}: ${esc(event.data.task?.title ?? `task ${event.data.task?.id}`)}`;
  }
  else {
    const icon = { "rollout.finished": ":white_check_mark:", "rollout.rolled_back": ":leftwards_arrow_with_hook:", "rollout.rollback_failed": ":rotating_light:", "rollout.paused": ":double_vertical_bar:" }[event.type] ?? ":arrow_forward:";
    text = `${icon} ${name} ${words[event.type] ?? event.type}${r.user ? ` (${esc(r.user)})` : ""}${event.type === "rollout.paused" && r.pausedReason?.message ? `: ${esc(r.pausedReason.message)}` : ""}`;
  }
  return JSON.stringify({ text });
}

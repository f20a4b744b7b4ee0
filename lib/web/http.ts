// Glue between route handlers and the engine's operations: JSON errors with
// the right status, who is asking and whether they may (lib/auth), the audit
// row of a refusal, a body size limit, and a same-origin check so that a page
// on another site cannot trigger a mutation with a browser's cookies.
import { NextResponse, type NextRequest } from "next/server";
import { identify, isIdentified, type Identity } from "@/lib/auth/identity";
import { refusal, requiredRole } from "@/lib/auth/roles";
import { writeAudit, type AuditEntry, FinaliseError, FrozenError, database, type Db } from "@/lib/kettle/operations";
import { now } from "@/lib/kettle/clock";
import { KettleError } from "@/lib/kettle/errors";
import { settings } from "@/lib/kettle/settings";
import { jsonDepth, MAX_JSON_DEPTH } from "./json-depth";

const statusOf = { bad_input: 400, not_found: 404, conflict: 409, unprocessable: 422 } as const;

/** An error with an HTTP status of its own (401, 403, 413). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function errorResponse(e: unknown): NextResponse {
  if (e instanceof HttpError) return NextResponse.json({ error: e.message, ...e.extra }, { status: e.status });
  if (e instanceof KettleError) {
    const body: Record<string, unknown> = { error: e.message };
    if (e.fields) body.fields = e.fields;
    if (e instanceof FrozenError) body.freeze = e.freeze;
    if (e instanceof FinaliseError && !settings().production) body.trace = e.trace;
    return NextResponse.json(body, { status: statusOf[e.kind] });
  }
  console.error(e);
  return NextResponse.json({ error: "Internal error: see the server's log" }, { status: 500 });
}

/** The user named by KETTLE_USER_HEADER, in proxy mode only (elsewhere the header means nothing). */
export function userOf(req: Request | Headers): string | null {
  const header = settings().userHeader;
  if (!header || settings().auth.mode !== "proxy") return null;
  const headers = req instanceof Headers ? req : req.headers;
  const value = headers.get(header)?.trim();
  return value ? value.slice(0, 200) : null;
}

/** Refuses requests that a browser sent on behalf of another site. */
function crossSite(req: NextRequest): boolean {
  if (req.headers.get("sec-fetch-site") === "cross-site") return true;
  const origin = req.headers.get("origin");
  if (origin === null) return false; // not from a page: a script, curl
  if (origin === "null") return true; // an opaque origin: a sandboxed frame, a file
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}

function tooLarge(): HttpError {
  const max = settings().maxBodyBytes;
  return new HttpError(413, `The request body is larger than ${max} bytes (KETTLE_MAX_BODY_BYTES)`);
}

/** The body as text, refusing (413) past KETTLE_MAX_BODY_BYTES without reading the rest. */
export async function readText(req: NextRequest): Promise<string> {
  const max = settings().maxBodyBytes;
  if (Number(req.headers.get("content-length") ?? 0) > max) throw tooLarge();
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export async function readJson(req: NextRequest): Promise<Record<string, unknown>> {
  const text = await readText(req);
  if (!text.trim()) return {};
  if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new KettleError("bad_input", `The request body nests more than ${MAX_JSON_DEPTH} levels of objects and arrays`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new KettleError("bad_input", "The request body is not valid JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new KettleError("bad_input", "The request body must be a JSON object");
  return body as Record<string, unknown>;
}

type AuditExtra = Pick<AuditEntry, "rolloutId" | "taskId" | "kind" | "comment">;

export type RouteContext<P> = {
  req: NextRequest;
  db: Db;
  params: P;
  /** The name to record as who did it (null in mode none: shown as "anonymous"). */
  user: string | null;
  /** Who is asking, how they were identified, and their role. */
  actor: Identity;
  /** An audit entry for something this actor does now, to hand to the operation that does it. */
  audit(action: string, extra?: AuditExtra): AuditEntry;
  /**
   * Refuses (403, audited) unless the actor may do `action`: for routes whose
   * action depends on the request, e.g. a signal's name.
   */
  authorize(action: string, extra?: AuditExtra): Promise<void>;
};
type Handler<P> = (ctx: RouteContext<P>) => Promise<Response>;

export type RouteOptions<P> = {
  /** A change: the same-origin check (for cookie and proxy requests), the body limit, refusals audited. */
  mutation?: boolean;
  /**
   * The action the route performs (see lib/auth/roles.ts), checked before the
   * handler runs; a function of the params when it depends on them. Reads
   * default to "read" (any role).
   */
  action?: string | ((params: P) => string);
};

function rolloutIdOf(req: NextRequest, params: unknown): number | null {
  if (!req.nextUrl.pathname.includes("/api/rollouts/")) return null;
  const id = (params as { id?: unknown } | null)?.id;
  return typeof id === "string" && /^\d{1,15}$/.test(id) ? Number(id) : null;
}

function auditEntry(actor: Identity | { address: string | null }, action: string, extra: AuditExtra & { outcome?: "ok" | "refused" } = {}): AuditEntry {
  const id = "via" in actor ? actor : null;
  return {
    at: now(),
    user: id?.user ?? null,
    role: id?.role ?? null,
    via: id?.via ?? "unidentified",
    tokenName: id?.tokenName ?? null,
    action,
    address: actor.address,
    ...extra,
  };
}

/** Wraps a route handler: database, identity and permission, errors; for mutations the body limit and same-origin check. */
export function route<P>(handler: Handler<P>, opts: RouteOptions<P> = {}) {
  const { mutation = false } = opts;
  return async (req: NextRequest, ctx: { params: Promise<P> }): Promise<Response> => {
    try {
      const params = await ctx.params;
      if (mutation && Number(req.headers.get("content-length") ?? 0) > settings().maxBodyBytes) throw tooLarge();
      const db = await database();
      const action = typeof opts.action === "function" ? opts.action(params) : (opts.action ?? (mutation ? "unknown" : "read"));
      const who = await identify(db, req.headers);
      const refuse = async (status: number, message: string, actor: Identity | { address: string | null }, extra: Record<string, unknown> = {}, comment?: string) => {
        if (mutation) {
          await writeAudit(db, auditEntry(actor, action, { outcome: "refused", rolloutId: rolloutIdOf(req, params), comment: `${status}: ${comment ?? message}` }));
        }
        const headers: Record<string, string> = status === 401 ? { "www-authenticate": 'Bearer realm="kettle"' } : {};
        return NextResponse.json({ error: message, ...extra }, { status, headers });
      };
      if (!isIdentified(who)) return await refuse(401, who.reason, who);
      // A token cannot come from a browser's ambient credentials; cookies and proxy headers can.
      if (mutation && who.via !== "token" && crossSite(req)) return await refuse(403, "Cross-site requests are refused", who);
      const refused = refusal(who.role, action, settings().auth);
      if (refused) return await refuse(403, refused, who, { needs: requiredRole(action, settings().auth) });
      return await handler({
        req,
        db,
        params,
        user: who.user,
        actor: who,
        audit: (a, extra) => auditEntry(who, a, extra),
        async authorize(a, extra) {
          const why = refusal(who.role, a, settings().auth);
          if (!why) return;
          await writeAudit(db, auditEntry(who, a, { outcome: "refused", rolloutId: rolloutIdOf(req, params), ...extra, comment: `403: ${why}` }));
          throw new HttpError(403, why, { needs: requiredRole(a, settings().auth) });
        },
      });
    } catch (e) {
      return errorResponse(e);
    }
  };
}

/**
 * For server actions (the New/Edit form): who is asking and whether they may do
 * `action`, as route() decides it; a refusal is audited. (Next.js itself refuses
 * a server action posted from another origin.)
 */
export async function authorizeAction(
  db: Db,
  headers: Headers,
  action: string,
  extra: AuditExtra = {},
): Promise<{ ok: true; user: string | null; audit: AuditEntry } | { ok: false; message: string }> {
  const who = await identify(db, headers);
  if (!isIdentified(who)) {
    await writeAudit(db, auditEntry(who, action, { outcome: "refused", ...extra, comment: `401: ${who.reason}` }));
    return { ok: false, message: who.reason };
  }
  const why = refusal(who.role, action, settings().auth);
  if (why) {
    await writeAudit(db, auditEntry(who, action, { outcome: "refused", ...extra, comment: `403: ${why}` }));
    return { ok: false, message: why };
  }
  return { ok: true, user: who.user, audit: auditEntry(who, action, extra) };
}

/** Wakes the in-process runner after a run request or a signal: a speed-up; the database row is what counts. */
export function wakeRunner(): void {
  const wake = (globalThis as Record<symbol, unknown>)[Symbol.for("kettle.wakeRunner")];
  if (typeof wake === "function") wake();
}

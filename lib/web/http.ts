// Glue between route handlers and the engine's operations: JSON errors with
// the right status, the user from the proxy's header, and a same-origin check
// so that a page on another site cannot trigger a mutation.
import { NextResponse, type NextRequest } from "next/server";
import { KettleError } from "@/lib/kettle/errors";
import { FinaliseError } from "@/lib/kettle/operations";
import { settings } from "@/lib/kettle/settings";
import { database } from "@/lib/kettle/store/db";
import type { Db } from "@/lib/kettle/store/db";

const statusOf = { bad_input: 400, not_found: 404, conflict: 409, unprocessable: 422 } as const;

export function errorResponse(e: unknown): NextResponse {
  if (e instanceof KettleError) {
    const body: Record<string, unknown> = { error: e.message };
    if (e.fields) body.fields = e.fields;
    if (e instanceof FinaliseError && !settings().production) body.trace = e.trace;
    return NextResponse.json(body, { status: statusOf[e.kind] });
  }
  console.error(e);
  return NextResponse.json({ error: "Internal error: see the server's log" }, { status: 500 });
}

/** The user named by KETTLE_USER_HEADER, when that setting is on. */
export function userOf(req: Request | Headers): string | null {
  const header = settings().userHeader;
  if (!header) return null;
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

export async function readJson(req: NextRequest): Promise<Record<string, unknown>> {
  const text = await req.text();
  if (!text.trim()) return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new KettleError("bad_input", "The request body is not valid JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new KettleError("bad_input", "The request body must be a JSON object");
  return body as Record<string, unknown>;
}

type Handler<P> = (ctx: { req: NextRequest; db: Db; params: P; user: string | null }) => Promise<Response>;

/** Wraps a route handler: database, user, errors; and for mutations the same-origin check. */
export function route<P>(handler: Handler<P>, { mutation = false } = {}) {
  return async (req: NextRequest, ctx: { params: Promise<P> }): Promise<Response> => {
    try {
      if (mutation && crossSite(req)) return NextResponse.json({ error: "Cross-site requests are refused" }, { status: 403 });
      const db = await database();
      return await handler({ req, db, params: await ctx.params, user: userOf(req) });
    } catch (e) {
      return errorResponse(e);
    }
  };
}

/** Wakes the in-process runner after a run request or a signal: a speed-up; the database row is what counts. */
export function wakeRunner(): void {
  const wake = (globalThis as Record<symbol, unknown>)[Symbol.for("kettle.wakeRunner")];
  if (typeof wake === "function") wake();
}

// The status poll (GET /api/rollouts/{id}) is the request Kettle serves most:
// every script that waits on a rollout asks for it again and again. When its
// view is in the cache (rollout-cache.ts: built less than 200 ms ago), the
// custom server answers it here, before Next.js's router, whose per-request
// work is most of what such a poll costs (50 pollers: ~700 req/s through Next,
// most of a core). Everything else, a cache miss, anyone not allowed to read,
// falls through to the route handler, which stays the one definition of the
// route (and builds the view that the next polls are served from).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Db } from "@/lib/kettle/operations";
import { settings } from "@/lib/kettle/settings";
import { identify, isIdentified } from "@/lib/auth/identity";
import { headersOf } from "@/lib/auth/gate";
import { refusal } from "@/lib/auth/roles";
import { cachedRolloutBytes, type TasksShown } from "./rollout-cache";

const STATUS_PATH = /^\/api\/rollouts\/([1-9]\d{0,14})(?:\?tasks=(all|summary|auto))?$/;

/** Answers a cached status poll; false when the request is for Next.js to handle. */
export async function serveCachedStatus(db: Db, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (req.method !== "GET") return false;
  const base = settings().basePath;
  const url = req.url ?? "";
  if (!url.startsWith(base + "/api/rollouts/")) return false;
  const m = STATUS_PATH.exec(url.slice(base.length));
  if (!m) return false;
  const bytes = cachedRolloutBytes(Number(m[1]), (m[2] ?? "all") as TasksShown);
  if (!bytes) return false;
  const who = await identify(db, headersOf(req));
  if (!isIdentified(who) || refusal(who.role, "read", settings().auth)) return false; // the route says why
  // X-Kettle-View: cached says the view may be up to 200 ms old (a diagnostic, documented in the README).
  res.writeHead(200, { "content-type": "application/json", "content-length": bytes.byteLength, "x-kettle-view": "cached" });
  res.end(bytes);
  return true;
}

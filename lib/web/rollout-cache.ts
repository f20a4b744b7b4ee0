// The status poll is the hot path: every open rollout page asks for the whole
// tree every KETTLE_ROLLOUT_REFRESH_TIMEOUT ms. Keep each serialised view for a
// moment, so that many pollers of one rollout cost one read of the database.
// A speed-up only: entries are short-lived, the database stays the truth.
import { getRollout, parseId, type RolloutView, requireRolloutRow, type Db } from "@/lib/kettle/operations";
import { badInput } from "@/lib/kettle/errors";
import { onChangeHint } from "@/lib/kettle/change-hints";

const FRESH_MS = 200;
// Kept encoded: a 1 000-task view is ~150 KB, and encoding it again for every poll showed in profiles.
type Entry = { at: number; body: Promise<Uint8Array>; bytes?: Uint8Array };
// One cache per process: the route handlers (in Next.js's bundle) and the custom server's fast
// path (status-fast-path.ts, loaded by server.ts) are separate copies of this module.
const cacheKey = Symbol.for("kettle.rolloutViews");
const cache: Map<string, Entry> = ((globalThis as Record<symbol, unknown>)[cacheKey] ??= new Map()) as Map<string, Entry>;
// The runner in this process changed a rollout's own row (it started, ended, paused): a view of it
// up to 200 ms old would say otherwise, and a script polling for the end would wait out the rest.
// Task changes keep the cache: a poll may lag a task by 200 ms, never the rollout's status.
const hintsKey = Symbol.for("kettle.rolloutViews.hints");
(globalThis as Record<symbol, unknown>)[hintsKey] ??= onChangeHint((id, what) => what === "rollout" && forgetRollout(id));
/** How much of the tree a view holds: see getRollout. */
export type TasksShown = "all" | "summary" | "auto";

/**
 * `?tasks=` of a request: how much of the tree its answer carries. The status read defaults to the
 * whole tree (scripts rely on it); a change's answer to "auto", the whole tree up to 2 000 tasks and
 * a summary past that (a 100 000-task tree is 14.5 MB of JSON). Read before the change is made, so
 * that a bad value changes nothing.
 */
export function tasksParam(req: Request, fallback: TasksShown): TasksShown {
  const tasks = new URL(req.url).searchParams.get("tasks") ?? fallback;
  if (tasks !== "all" && tasks !== "summary" && tasks !== "auto") throw badInput('tasks must be "all", "summary" or "auto"');
  return tasks;
}

/**
 * A rollout's view as the API sends it. `fresh`, after a change made through
 * this instance: built now, and the cached one dropped (not replaced, so the
 * next poll reads whatever else changed meanwhile too).
 */
export async function rolloutJson(db: Db, idParam: string | number, { fresh = false, tasks = "all" }: { fresh?: boolean; tasks?: TasksShown } = {}): Promise<Uint8Array> {
  let id = parseId(idParam);
  if (id === "latest") id = (await requireRolloutRow(db, "latest")).id;
  if (fresh) {
    forgetRollout(id);
    return serialiseRollout(await getRollout(db, id, { tasks }));
  }
  const key = `${id}:${tasks}`;
  const at = Date.now();
  const hit = cache.get(key);
  if (hit && at - hit.at < FRESH_MS) return hit.body;
  // Concurrent pollers share one build; a failed build is not kept.
  const body = getRollout(db, id, { tasks }).then(serialiseRollout);
  const entry: Entry = { at, body };
  cache.set(key, entry);
  void body.then((bytes) => (entry.bytes = bytes), () => undefined);
  body.catch(() => cache.get(key) === entry && cache.delete(key));
  if (cache.size > 100) for (const [key, entry] of cache) if (at - entry.at >= FRESH_MS) cache.delete(key);
  return body;
}

// A task's record fields and progress are left out when empty: a 1 000-task
// tree is then about 40% of the size, which is most of what a poll costs.
const omittedWhenNull = new Set(["startedAt", "finishedAt", "result", "failedAt", "error", "trace", "progress"]);

const encoder = new TextEncoder();

function serialiseRollout(view: RolloutView): Uint8Array {
  return encoder.encode(JSON.stringify(view, (key, value) => (value === null && omittedWhenNull.has(key) ? undefined : value)));
}

/** A rollout's view as a JSON response (`fresh` after a change made through this instance). */
export async function rolloutResponse(db: Db, id: string | number, { status = 200, fresh = false, tasks = "all" }: { status?: number; fresh?: boolean; tasks?: TasksShown } = {}): Promise<Response> {
  return new Response(await rolloutJson(db, id, { fresh, tasks }) as Uint8Array<ArrayBuffer>, { status, headers: { "content-type": "application/json" } });
}

/** A view built less than FRESH_MS ago, if there is one ready: for the fast path, which never builds one. */
export function cachedRolloutBytes(id: number, tasks: TasksShown): Uint8Array | null {
  const hit = cache.get(`${id}:${tasks}`);
  return hit?.bytes && Date.now() - hit.at < FRESH_MS ? hit.bytes : null;
}

/** Drops a rollout's cached views after a change made through this instance. */
export function forgetRollout(id: number): void {
  for (const t of ["all", "summary", "auto"]) cache.delete(`${id}:${t}`);
}

// An in-process speed-up for live pages: the runner says "rollout N changed"
// right after it commits, so that a page watching N through this instance
// hears of it within milliseconds instead of at the next read of the change
// feed. A hint carries no data (the change feed in the database stays the one
// channel), and pages served by other instances find the change when they read.
/** What changed: task records or log lines, or the rollout's own row (its status, its lease: cached views of it are stale). */
export type HintedChange = "tasks" | "rollout";
type Listener = (rolloutId: number, what: HintedChange) => void;

// One set per process: the runner (loaded by the custom server) and the event
// stream (in Next.js's bundle) are separate copies of this module.
const key = Symbol.for("kettle.changeHints");
const listeners: Set<Listener> = ((globalThis as Record<symbol, unknown>)[key] ??= new Set()) as Set<Listener>;

/** Called by the runner's writes once they are committed. */
export function hintChanged(rolloutId: number, what: HintedChange = "tasks"): void {
  for (const listener of listeners) listener(rolloutId, what);
}

/** Hears every hint of this process; returns the way to stop. */
export function onChangeHint(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

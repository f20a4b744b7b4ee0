// Freezes checked live (issue 21): beside each execution, a watcher reads the
// freeze windows and, when one begins for the rollout's kind, pauses a running
// rollout before its next task starts (no new task, delays stop counting,
// running commands finish); when the window ends it resumes a rollout the
// freeze paused. A rollout an admin overrode, one a person paused, or one
// rolling back is left alone. It wakes at the next window boundary (on the
// task clock, so testRollout's fake time jumps there rather than past it) and
// every second to see windows added or removed.
import type { Db } from "../store/db";
import { listFreezeRows } from "../store/freezes";
import { freezePause, freezeUnpause } from "../store/freeze-pauses";
import type { PausedReason } from "../store/decisions";
import { freezeState, when } from "../schedule/windows";
import { controller, sleep, taskSleep } from "./waiting";
import { now } from "../clock";
import type { Steering } from "./steering";

const RECHECK_MS = 1000;

export type FreezeWatchHost = {
  db: Db;
  rolloutId: number;
  kind: string;
  owner: string;
  steering: Steering;
  /** The rollout's status and pause reason as last read (the heartbeat keeps them). */
  current(): Promise<{ status: string | null; pausedReason: PausedReason | null; overridden: boolean }>;
  log(line: string): void;
  stop: AbortSignal;
};

/**
 * Watches until `h.stop` fires. `ready` settles after the first check, so the execution starts
 * no task before it knows whether a freeze is on (a rollout taken over during a freeze).
 */
export function watchFreezes(h: FreezeWatchHost): { ready: Promise<void>; done: Promise<void> } {
  let readyNow!: () => void;
  const ready = new Promise<void>((resolve) => (readyNow = resolve));
  const done = watch(h, () => readyNow()).finally(() => readyNow());
  return { ready, done };
}

async function watch(h: FreezeWatchHost, checked: () => void): Promise<void> {
  // The timer for the next boundary lives across checks (replaced only when the boundary moves),
  // so fake time can never jump past a freeze's start between two checks.
  let timer: { at: number; cancel: AbortController; fired: Promise<boolean> } | null = null;
  let last: Check | null = null;
  while (!h.stop.aborted) {
    try {
      last = await checkOnce(h);
    } catch {
      // A passing database error: look again shortly.
    }
    checked();
    const boundary: number | null = last?.boundary ?? null;
    if (timer && timer.at !== boundary) (timer.cancel.abort(), (timer = null));
    const at = now();
    if (!timer && boundary !== null && boundary > at) {
      const cancel = controller();
      timer = { at: boundary, cancel, fired: taskSleep(boundary - at, h.stop, cancel.signal) };
    }
    const recheck = controller();
    const fired = await Promise.race([sleep(RECHECK_MS, h.stop, recheck.signal).then(() => false), timer ? timer.fired : new Promise<boolean>(() => {})]);
    recheck.abort();
    if (fired && timer) {
      timer = null;
      // A freeze begins now: no new task from this instant (the check that follows records it, or undoes it).
      if (last?.startsFreeze && last.status === "started" && !last.overridden) h.steering.setPaused(true, now());
    }
  }
  timer?.cancel.abort();
}

type Check = { boundary: number | null; startsFreeze: boolean; status: string | null; overridden: boolean };

/** Pauses or resumes as the windows say now; says when the state changes next (null: not known). */
async function checkOnce(h: FreezeWatchHost): Promise<Check> {
  const at = now();
  const state = freezeState(await listFreezeRows(h.db), h.kind, at);
  const { status, pausedReason, overridden } = await h.current();
  if (state.frozen && status === "started" && overridden && h.steering.isPaused) {
    h.steering.setPaused(false, null); // overridden: it runs through the freeze
  } else if (state.frozen && status === "started" && !overridden) {
    const f = state.frozen;
    const message = `Frozen by ${f.mode === "deny" ? `the freeze "${f.name}"` : f.name}${f.reason ? ` (${f.reason})` : ""} until ${when(f.until, f.timeZone)}: it resumes by itself then`;
    const reason: PausedReason = { kind: "freeze", message, freezeId: f.id, until: f.until };
    if (await freezePause(h.db, h.rolloutId, h.owner, reason, at)) {
      h.steering.setPaused(true, at);
      h.log(`Paused before the next task: ${message}`);
    }
  } else if (!state.frozen && status === "paused" && pausedReason?.kind === "freeze") {
    if (await freezeUnpause(h.db, h.rolloutId, h.owner, at)) {
      h.steering.setPaused(false, null);
      h.log("The freeze has ended: resumed");
    }
  } else if (!state.frozen && status === "started" && h.steering.isPaused) {
    h.steering.setPaused(false, null); // paused ahead of a freeze that did not come (deleted, or overridden meanwhile)
  }
  const boundary = state.frozen ? state.frozen.until : (state.next?.startsAt ?? null);
  return { boundary, startsFreeze: !state.frozen && !!state.next, status, overridden };
}

// The freeze rules at the door (issue 21): a run (or a scheduled run) of a
// frozen kind is refused, naming the window and when it ends; so is a run whose
// time-left estimate reaches past the start of the next freeze (a deploy that
// cannot finish before the freeze should not start). An admin's override, with
// a reason, lets it through: the caller records and audits it.
import type { Db } from "../store/db";
import type { RolloutRow } from "../store/rollouts";
import { listFreezeRows } from "../store/freezes";
import { loadTree } from "../store/tasks";
import { etaOf } from "../read/eta";
import { badInput, KettleError } from "../errors";
import { refuseBadText } from "../text";
import { freezeState, when, type FreezeState } from "./windows";

/** A 409 that says which freeze refused it, and until when (the API answers it as `freeze`). */
export class FrozenError extends KettleError {
  constructor(
    message: string,
    readonly freeze: { id: number; name: string; reason: string; startsAt: number | null; endsAt: number | null; estimateSeconds?: number },
  ) {
    super("conflict", message);
  }
}

const minutes = (s: number) => (s < 90 ? `${Math.round(s)} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`);

/** Throws FrozenError when the kind is frozen at `at`, or the run would not end before the next freeze. */
export async function freezeDoor(db: Db, row: RolloutRow, at: number, opts: { runway?: boolean } = {}): Promise<FreezeState> {
  const state = freezeState(await listFreezeRows(db), row.kind, at);
  const how = "an admin may override it with a reason";
  if (state.frozen) {
    const f = state.frozen;
    const what = f.mode === "deny" ? `the freeze "${f.name}"` : f.name;
    throw new FrozenError(`Run refused: ${row.kind} is frozen by ${what}${f.reason ? ` (${f.reason})` : ""} until ${when(f.until, f.timeZone)}; ${how}`, {
      id: f.id, name: f.name, reason: f.reason, startsAt: f.since, endsAt: f.until,
    });
  }
  if (state.next && opts.runway !== false) {
    const n = state.next;
    const root = await loadTree(db, row.id);
    const eta = await etaOf(db, row, root, at);
    // At least this long: the work the estimate knows of (an open end only adds to it).
    const seconds = eta ? eta.workSeconds : 0;
    if (seconds > 0 && at + seconds * 1000 > n.startsAt) {
      throw new FrozenError(
        `Run refused: its time-left estimate (at least ${minutes(seconds)}) reaches past the start of ${n.mode === "deny" ? `the freeze "${n.name}"` : n.name} at ${when(n.startsAt, n.timeZone)}; ${how}`,
        { id: n.id, name: n.name, reason: n.reason, startsAt: n.startsAt, endsAt: n.endsAt, estimateSeconds: Math.round(seconds) },
      );
    }
  }
  return state;
}

/** An override's reason: a non-empty line of text people wrote (400 otherwise). */
export function checkOverride(reason: unknown): string {
  if (typeof reason !== "string" || !reason.trim()) throw badInput("override: the reason for running despite the freeze windows (a non-empty string)", { override: ["a reason is required"] });
  if (reason.length > 1000) throw badInput("override is too long: at most 1000 characters", { override: ["at most 1000 characters"] });
  refuseBadText("override", reason);
  return reason.trim();
}

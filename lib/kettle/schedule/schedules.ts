// Scheduled runs as the web side asks for them (issue 21): schedule a finalised
// rollout to run at a time (ISO 8601 with an offset), or cancel it. A time the
// kind is frozen at is refused unless an admin overrides. The runner side that
// starts them is scheduler.ts. Re-exported by operations.ts.
import { DateTime } from "luxon";
import type { Db } from "../store/db";
import { requireRolloutRow } from "../store/rollouts";
import { clearSchedule, setSchedule } from "../store/schedules";
import { listFreezeRows } from "../store/freezes";
import type { AuditEntry } from "../store/audit";
import { badInput, conflict } from "../errors";
import { now } from "../clock";
import { freezeState, when } from "./windows";
import { checkOverride, FrozenError } from "./door";

const YEAR_MS = 366 * 24 * 3600 * 1000;

/** `at`: ISO 8601 with an offset (Z or ±hh:mm), in the future and within a year. */
export function parseScheduleTime(at: unknown, from = now()): number {
  if (typeof at !== "string" || at.length > 40 || !/(Z|[+-]\d\d:?\d\d)$/.test(at)) {
    throw badInput("at: when to run it, ISO 8601 with an offset, e.g. 2026-12-22T09:00:00+01:00", { at: ["ISO 8601 with an offset"] });
  }
  const d = DateTime.fromISO(at, { setZone: true });
  if (!d.isValid) throw badInput(`at is not a valid ISO 8601 time: ${d.invalidExplanation ?? d.invalidReason}`, { at: ["invalid"] });
  const ms = d.toMillis();
  if (ms <= from) throw badInput("at is in the past: to run it now, run it", { at: ["in the past"] });
  if (ms - from > YEAR_MS) throw badInput("at is more than a year ahead", { at: ["too far ahead"] });
  return ms;
}

/** `body.override` (an admin's reason to schedule it into a freeze) must be authorised by the caller. */
export async function scheduleRun(db: Db, id: number, body: Record<string, unknown>, user: string | null, audit: AuditEntry): Promise<void> {
  const extra = Object.keys(body).filter((k) => k !== "at" && k !== "override");
  if (extra.length) throw badInput(`Unknown field: ${extra[0].slice(0, 40)} (a schedule takes at and, for admins, override)`);
  const at = parseScheduleTime(body.at);
  const reason = body.override === undefined || body.override === null ? null : checkOverride(body.override);
  const row = await requireRolloutRow(db, id);
  if (row.status !== "not_started") throw conflict(`This rollout has already been run (status: ${row.status.replace(/_/g, " ")})`);
  const state = freezeState(await listFreezeRows(db), row.kind, at);
  if (state.frozen && !reason && !row.freezeOverride) {
    const f = state.frozen;
    throw new FrozenError(`Schedule refused: ${row.kind} is frozen at that time by ${f.mode === "deny" ? `the freeze "${f.name}"` : f.name} until ${when(f.until, f.timeZone)}; an admin may override it with a reason`, {
      id: f.id, name: f.name, reason: f.reason, startsAt: f.since, endsAt: f.until,
    });
  }
  const override = reason ? { by: user, reason, at: now() } : null;
  await setSchedule(db, id, at, user, override, { ...audit, kind: row.kind, comment: `run at ${new Date(at).toISOString()}${override ? ` (freeze override: ${override.reason})` : ""}` });
}

export async function cancelScheduledRun(db: Db, id: number, audit: AuditEntry): Promise<void> {
  const row = await requireRolloutRow(db, id);
  await clearSchedule(db, id, { ...audit, kind: row.kind, comment: row.scheduledAt ? `the run scheduled for ${new Date(row.scheduledAt).toISOString()}` : null });
}

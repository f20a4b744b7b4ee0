// Freeze windows as the web side sees them (issue 21): what an admin may define
// (checked field by field: bad input changes nothing), the windows with when
// each is on next, and whether each kind is frozen now. Re-exported by
// operations.ts.
import { DateTime, Duration } from "luxon";
import { Cron } from "croner";
import type { Db } from "../store/db";
import { deleteFreeze, insertFreeze, listFreezeRows, type FreezeRow } from "../store/freezes";
import type { AuditEntry } from "../store/audit";
import { badInput } from "../errors";
import { now } from "../clock";
import { refuseBadText } from "../text";
import { freezeState, nextOccurrence, occurrenceAt, parseRrule, validZone, type FreezeState, type FreezeWindow } from "./windows";

export type FreezeView = FreezeRow & {
  /** The occurrence on now, if any, and the next one (ms since the epoch). */
  activeNow: { start: number; end: number } | null;
  nextStart: { start: number; end: number } | null;
};

const MAX_DURATION_MS = 366 * 24 * 3600 * 1000;

function text(body: Record<string, unknown>, field: string, max: number, required = false): string | null {
  const v = body[field];
  if (v === undefined || v === null || v === "") {
    if (required) throw badInput(`${field} is required`, { [field]: ["required"] });
    return null;
  }
  if (typeof v !== "string") throw badInput(`${field} must be a string`, { [field]: ["must be a string"] });
  if (v.length > max) throw badInput(`${field} is too long: at most ${max} characters`, { [field]: [`at most ${max} characters`] });
  refuseBadText(field, v);
  return v;
}

function instant(body: Record<string, unknown>, field: string, zone: string): number | null {
  const v = text(body, field, 60);
  if (v === null) return null;
  const d = DateTime.fromISO(v, { zone });
  if (!d.isValid) throw badInput(`${field} must be an ISO 8601 date and time, e.g. 2026-12-20T18:00:00+01:00`, { [field]: ["not an ISO 8601 date and time"] });
  return d.toMillis();
}

/** Checks what POST /api/freezes was given; the window to store. 400 naming the field otherwise. */
export function parseFreezeInput(body: Record<string, unknown>, offeredKinds: string[]): Omit<FreezeWindow, "id"> {
  const known = new Set(["name", "reason", "mode", "kinds", "start", "end", "rrule", "cron", "duration", "timeZone"]);
  const extra = Object.keys(body).filter((k) => !known.has(k));
  if (extra.length) throw badInput(`Unknown field${extra.length > 1 ? "s" : ""}: ${extra.slice(0, 5).map((k) => k.slice(0, 40)).join(", ")}`);
  const name = text(body, "name", 100, true)!;
  const reason = text(body, "reason", 1000) ?? "";
  const mode = body.mode === undefined ? "deny" : body.mode;
  if (mode !== "deny" && mode !== "allow") throw badInput('mode must be "deny" (no runs in the window) or "allow" (runs only in it)', { mode: ["deny or allow"] });
  let kinds: string[] | null = null;
  if (body.kinds !== undefined && body.kinds !== null) {
    if (!Array.isArray(body.kinds) || body.kinds.some((k) => typeof k !== "string")) throw badInput("kinds must be a list of kind names (leave it out for every kind)", { kinds: ["a list of strings"] });
    const unknown = (body.kinds as string[]).filter((k) => !offeredKinds.includes(k));
    if (unknown.length) throw badInput(`Unknown kind ${unknown[0].slice(0, 100)}: this deployment offers ${offeredKinds.join(", ")}`, { kinds: ["unknown kind"] });
    kinds = [...new Set(body.kinds as string[])];
    if (!kinds.length) throw badInput("kinds must name at least one kind (leave it out for every kind)", { kinds: ["empty"] });
  }
  const timeZone = text(body, "timeZone", 64) ?? "UTC";
  if (!validZone(timeZone)) throw badInput(`timeZone must be an IANA time zone such as Europe/Berlin (got ${timeZone})`, { timeZone: ["unknown time zone"] });
  const startsAt = instant(body, "start", timeZone);
  const endsAt = instant(body, "end", timeZone);
  const rrule = text(body, "rrule", 500);
  const cron = text(body, "cron", 200);
  const durationText = text(body, "duration", 40);
  const base = { name, reason, mode, kinds, timeZone, rrule, cron } as const;
  if (rrule && cron) throw badInput("Give either rrule or cron, not both");
  if (!rrule && !cron) {
    if (startsAt === null || endsAt === null) throw badInput("A one-off window needs start and end (or give rrule or cron with a duration)", { start: ["required"], end: ["required"] });
    if (endsAt <= startsAt) throw badInput("end must be after start", { end: ["before start"] });
    if (durationText) throw badInput("duration is for a recurring window (rrule or cron); a one-off window has start and end");
    return { ...base, startsAt, endsAt, durationMs: null };
  }
  if (endsAt !== null) throw badInput("end is for a one-off window; a recurring one has a duration", { end: ["not for a recurring window"] });
  if (!durationText) throw badInput("A recurring window needs a duration (ISO 8601, e.g. PT2H or P2DT12H)", { duration: ["required"] });
  const duration = Duration.fromISO(durationText);
  const durationMs = duration.isValid ? duration.as("milliseconds") : NaN;
  if (!(durationMs >= 60_000 && durationMs <= MAX_DURATION_MS)) throw badInput("duration must be an ISO 8601 duration from one minute to a year, e.g. PT2H", { duration: ["invalid"] });
  if (rrule) {
    if (startsAt === null) throw badInput("A recurring rrule window needs start: its first occurrence (the rule repeats it)", { start: ["required"] });
    try {
      parseRrule(rrule, new Date(startsAt));
    } catch (e) {
      throw badInput(`rrule is not an RFC 5545 rule: ${e instanceof Error ? e.message : e}`, { rrule: ["invalid"] });
    }
  } else {
    try {
      new Cron(cron!, { timezone: timeZone, paused: true }).stop();
    } catch (e) {
      throw badInput(`cron is not a cron expression: ${e instanceof Error ? e.message : e}`, { cron: ["invalid"] });
    }
  }
  const window = { ...base, startsAt: rrule ? startsAt : null, endsAt: null, durationMs: Math.round(durationMs) };
  if (!nextOccurrence({ ...window, id: 0 }, now() - durationMs) ) throw badInput("This recurrence never happens within the next year");
  return window;
}

function view(w: FreezeRow, at: number): FreezeView {
  return { ...w, activeNow: occurrenceAt(w, at), nextStart: nextOccurrence(w, at) };
}

export async function freezes(db: Db): Promise<FreezeView[]> {
  const at = now();
  return (await listFreezeRows(db)).map((w) => view(w, at));
}

export async function createFreeze(db: Db, body: Record<string, unknown>, offeredKinds: string[], by: string | null, audit: AuditEntry): Promise<FreezeView> {
  const w = parseFreezeInput(body, offeredKinds);
  const row = await insertFreeze(db, w, by, now(), { ...audit, comment: `freeze window "${w.name}" (${w.mode}${w.kinds ? `: ${w.kinds.join(", ")}` : ": every kind"})${w.reason ? `: ${w.reason}` : ""}` });
  return view(row, now());
}

export async function removeFreeze(db: Db, idParam: string, audit: AuditEntry): Promise<void> {
  const id = /^\d{1,9}$/.test(idParam) ? Number(idParam) : NaN;
  if (!Number.isInteger(id)) throw badInput("A freeze window's id is a number");
  const row = (await listFreezeRows(db)).find((w) => w.id === id);
  await deleteFreeze(db, id, { ...audit, comment: row ? `freeze window "${row.name}" deleted` : null });
}

/** Whether each kind is frozen now and what comes next (the kinds route, the chooser, the banners). */
export async function freezeStates(db: Db, kinds: string[], at = now()): Promise<Record<string, FreezeState>> {
  const rows = await listFreezeRows(db);
  return Object.fromEntries(kinds.map((k) => [k, freezeState(rows, k, at)]));
}

export { freezeState, when } from "./windows";
export type { FreezeState } from "./windows";

/** A deny window on now, or starting within `aheadMs`: what the banner shows. */
export type FreezeBannerItem = { id: number; name: string; reason: string; kinds: string[] | null; on: boolean; start: number; end: number; timeZone: string };

export async function freezeBanner(db: Db, kind?: string, aheadMs = 24 * 3600 * 1000): Promise<FreezeBannerItem[]> {
  const at = now();
  return (await listFreezeRows(db))
    .filter((w) => w.mode === "deny" && (!kind || w.kinds === null || w.kinds.includes(kind)))
    .flatMap((w) => {
      const on = occurrenceAt(w, at);
      const next = on ? null : nextOccurrence(w, at);
      const o = on ?? (next && next.start - at <= aheadMs ? next : null);
      return o ? [{ id: w.id, name: w.name, reason: w.reason, kinds: w.kinds, on: !!on, start: o.start, end: o.end, timeZone: w.timeZone }] : [];
    })
    .sort((a, b) => Number(b.on) - Number(a.on) || a.start - b.start);
}

// When a freeze window is on: one-off (start, end) or recurring (an RFC 5545
// RRULE or a cron expression, each with a duration) in an IANA time zone. Pure
// functions of a window and an instant, so the runner, the door and the tests
// reason about time in one place.
//
// Libraries: `rrule` parses and expands RFC 5545 rules; it is run in floating
// (wall-clock) time and each occurrence is placed in the zone by `luxon`, which
// resolves daylight-saving gaps and folds; `croner` evaluates cron expressions
// in a zone itself. All three are widely used and maintained.
import * as rruleModule from "rrule";
import { Cron } from "croner";
import { DateTime } from "luxon";

// rrule ships CommonJS without an exports map: Node's ESM loader (the compiled server) sees only a default export.
const { RRule, rrulestr } = ((rruleModule as unknown as { default?: typeof rruleModule }).default ?? rruleModule) as typeof rruleModule;
type RRule = InstanceType<typeof RRule>;

export type FreezeMode = "deny" | "allow";

/** A window as stored (the freeze table's row). */
export type FreezeWindow = {
  id: number;
  name: string;
  reason: string;
  mode: FreezeMode;
  /** The kinds it applies to; null: every kind. */
  kinds: string[] | null;
  startsAt: number | null;
  endsAt: number | null;
  rrule: string | null;
  cron: string | null;
  durationMs: number | null;
  timeZone: string;
};

/** One occurrence of a window. */
export type Occurrence = { start: number; end: number };

/** How far ahead recurrences are looked at. */
const HORIZON_MS = 400 * 24 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

/** A wall-clock time in `zone`, held as a Date whose UTC fields are the wall time (rrule's floating time). */
function toWall(at: number, zone: string): Date {
  const d = DateTime.fromMillis(at, { zone });
  return new Date(Date.UTC(d.year, d.month - 1, d.day, d.hour, d.minute, d.second, d.millisecond));
}
function fromWall(wall: Date, zone: string): number {
  return DateTime.fromObject(
    { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate(), hour: wall.getUTCHours(), minute: wall.getUTCMinutes(), second: wall.getUTCSeconds() },
    { zone },
  ).toMillis();
}

export function validZone(zone: string): boolean {
  return DateTime.now().setZone(zone).isValid;
}

/**
 * An RRULE (with or without DTSTART/RRULE: prefixes) anchored at `anchor`, a
 * wall-clock time in the zone ("2026-03-23T09:00"). Throws on a bad rule.
 */
export function parseRrule(rule: string, anchorWall: Date): RRule {
  const text = rule.trim().replace(/^RRULE:/i, "");
  if (/DTSTART/i.test(text)) throw new Error("give the first occurrence as `start`, not DTSTART in the rule");
  const parsed = rrulestr(`RRULE:${text}`, { dtstart: anchorWall, forceset: false });
  if (!(parsed instanceof RRule)) throw new Error("one RRULE only");
  return new RRule({ ...parsed.origOptions, dtstart: anchorWall, tzid: undefined });
}

/** The first start of a recurring window at or after `from` (null when none within the horizon). */
function recurringStartFrom(w: FreezeWindow, from: number): number | null {
  if (w.cron) {
    const job = new Cron(w.cron, { timezone: w.timeZone, paused: true });
    const next = job.nextRun(new Date(from - 1)); // strictly after: `from` itself counts
    job.stop();
    return next && next.getTime() - from < HORIZON_MS ? next.getTime() : null;
  }
  if (!w.rrule || w.startsAt === null) return null;
  const rule = parseRrule(w.rrule, toWall(w.startsAt, w.timeZone));
  // A day's margin either side of the zone's offset; occurrences before `from` are skipped.
  let cursor = new Date(toWall(from, w.timeZone).getTime() - DAY_MS);
  for (let i = 0; i < 1000; i++) {
    const next = rule.after(cursor, i === 0);
    if (!next) return null;
    const start = fromWall(next, w.timeZone);
    if (start >= from) return start - from < HORIZON_MS ? start : null;
    cursor = next;
  }
  return null;
}

/** The occurrence on at `at`, if any. */
export function occurrenceAt(w: FreezeWindow, at: number): Occurrence | null {
  if (!w.rrule && !w.cron) return w.startsAt !== null && w.endsAt !== null && w.startsAt <= at && at < w.endsAt ? { start: w.startsAt, end: w.endsAt } : null;
  const dur = w.durationMs ?? 0;
  if (w.rrule && w.startsAt !== null && at < w.startsAt) return null;
  // The earliest occurrence that started within the last `dur` covers `at` if any does.
  const start = recurringStartFrom(w, at - dur + 1);
  return start !== null && start <= at ? { start, end: start + dur } : null;
}

/** The first occurrence starting after `at` (strictly). */
export function nextOccurrence(w: FreezeWindow, at: number): Occurrence | null {
  if (!w.rrule && !w.cron) return w.startsAt !== null && w.endsAt !== null && w.startsAt > at ? { start: w.startsAt, end: w.endsAt } : null;
  const start = recurringStartFrom(w, Math.max(at + 1, w.rrule && w.startsAt !== null ? w.startsAt : at + 1));
  return start === null ? null : { start, end: start + (w.durationMs ?? 0) };
}

export const appliesTo = (w: Pick<FreezeWindow, "kinds">, kind: string) => w.kinds === null || w.kinds.includes(kind);

/** Whether a kind may run now, and what comes next. */
export type FreezeState = {
  /** The window that freezes the kind now, and when runs may start again (null: not known within the horizon). */
  frozen: { id: number; name: string; reason: string; mode: FreezeMode; since: number | null; until: number | null; timeZone: string } | null;
  /** The next time the kind becomes frozen (a deny window's start, or the end of the allow window it is in). */
  next: { id: number; name: string; reason: string; mode: FreezeMode; startsAt: number; endsAt: number | null; timeZone: string } | null;
};

/** The end of a freeze, following windows that overlap or touch it (a chain of them ends with the last). */
function chainEnd(windows: FreezeWindow[], end: number): number {
  let until = end;
  for (let i = 0; i < 50; i++) {
    const more = windows.map((w) => occurrenceAt(w, until)).filter((o): o is Occurrence => o !== null && o.end > until);
    if (!more.length) return until;
    until = Math.max(...more.map((o) => o.end));
  }
  return until;
}

/** Deny windows win over allow windows: a kind is frozen in a deny window, or outside every allow window that applies to it. */
export function freezeState(all: FreezeWindow[], kind: string, at: number): FreezeState {
  const windows = all.filter((w) => appliesTo(w, kind));
  const deny = windows.filter((w) => w.mode === "deny");
  const allow = windows.filter((w) => w.mode === "allow");
  for (const w of deny) {
    const o = occurrenceAt(w, at);
    if (o) return { frozen: { id: w.id, name: w.name, reason: w.reason, mode: "deny", since: o.start, until: chainEnd(deny, o.end), timeZone: w.timeZone }, next: null };
  }
  const inAllow = allow.map((w) => ({ w, o: occurrenceAt(w, at) })).find((x) => x.o);
  if (allow.length && !inAllow) {
    const nexts = allow.map((w) => ({ w, o: nextOccurrence(w, at) })).filter((x) => x.o).sort((a, b) => a.o!.start - b.o!.start);
    const first = allow[0];
    return {
      frozen: { id: first.id, name: `outside the allow window${allow.length > 1 ? "s" : ""} ${allow.map((w) => w.name).join(", ")}`, reason: first.reason, mode: "allow", since: null, until: nexts[0]?.o!.start ?? null, timeZone: first.timeZone },
      next: null,
    };
  }
  const candidates: NonNullable<FreezeState["next"]>[] = [];
  for (const w of deny) {
    const o = nextOccurrence(w, at);
    if (o) candidates.push({ id: w.id, name: w.name, reason: w.reason, mode: "deny", startsAt: o.start, endsAt: chainEnd(deny, o.end), timeZone: w.timeZone });
  }
  if (inAllow) {
    const end = chainEnd(allow, inAllow.o!.end);
    candidates.push({ id: inAllow.w.id, name: `the end of the allow window ${inAllow.w.name}`, reason: inAllow.w.reason, mode: "allow", startsAt: end, endsAt: null, timeZone: inAllow.w.timeZone });
  }
  candidates.sort((a, b) => a.startsAt - b.startsAt);
  return { frozen: null, next: candidates[0] ?? null };
}

/** "until 2026-12-24 18:00 UTC": an instant as people read it, in a zone. */
export function when(at: number | null, zone = "UTC"): string {
  if (at === null) return "further notice";
  return DateTime.fromMillis(at, { zone }).toFormat("yyyy-LL-dd HH:mm ZZZZ");
}

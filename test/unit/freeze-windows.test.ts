// Freeze windows in a time zone (issue 21): a weekly window keeps its wall-clock
// time across a daylight-saving change, for an RRULE and a cron expression alike.
import { describe, expect, it } from "vitest";
import { freezeState, nextOccurrence, occurrenceAt, type FreezeWindow } from "@/lib/kettle/schedule/windows";

const H = 3600_000;
const t = (iso: string) => Date.parse(iso);
const base: FreezeWindow = { id: 1, name: "Monday change board", reason: "CAB", mode: "deny", kinds: null, startsAt: null, endsAt: null, rrule: null, cron: null, durationMs: 2 * H, timeZone: "Europe/Berlin" };
// Europe/Berlin moves to summer time on Sunday 2026-03-29: Monday 09:00 is 08:00Z before, 07:00Z after.
const weeklyRrule: FreezeWindow = { ...base, rrule: "FREQ=WEEKLY;BYDAY=MO", startsAt: t("2026-03-02T08:00:00Z") };
const weeklyCron: FreezeWindow = { ...base, cron: "0 9 * * 1" };

describe.each([
  ["RRULE", weeklyRrule],
  ["cron", weeklyCron],
])("a weekly %s freeze at 09:00 Europe/Berlin", (_, w) => {
  it("is on 08:00Z–10:00Z in winter time and 07:00Z–09:00Z in summer time", () => {
    expect(occurrenceAt(w, t("2026-03-23T07:30:00Z"))).toBeNull();
    expect(occurrenceAt(w, t("2026-03-23T08:30:00Z"))).toEqual({ start: t("2026-03-23T08:00:00Z"), end: t("2026-03-23T10:00:00Z") });
    expect(occurrenceAt(w, t("2026-03-30T07:30:00Z"))).toEqual({ start: t("2026-03-30T07:00:00Z"), end: t("2026-03-30T09:00:00Z") });
    expect(occurrenceAt(w, t("2026-03-30T09:30:00Z"))).toBeNull();
  });
  it("names the next occurrence across the change", () => {
    expect(nextOccurrence(w, t("2026-03-23T12:00:00Z"))).toEqual({ start: t("2026-03-30T07:00:00Z"), end: t("2026-03-30T09:00:00Z") });
    expect(nextOccurrence(w, t("2026-10-20T12:00:00Z"))?.start).toBe(t("2026-10-26T08:00:00Z")); // back to winter time on 25 October
  });
});

describe("freeze state", () => {
  const oneOff: FreezeWindow = { ...base, id: 2, name: "Holidays", durationMs: null, startsAt: t("2026-12-20T00:00:00Z"), endsAt: t("2027-01-04T00:00:00Z"), kinds: ["payments"] };
  const allow: FreezeWindow = { ...base, id: 3, name: "Office hours", mode: "allow", cron: "0 8 * * 1-5", durationMs: 9 * H, kinds: ["payments"] };

  it("freezes only the kinds named, until the window ends", () => {
    const s = freezeState([oneOff], "payments", t("2026-12-24T12:00:00Z"));
    expect(s.frozen).toMatchObject({ name: "Holidays", until: t("2027-01-04T00:00:00Z") });
    expect(freezeState([oneOff], "web", t("2026-12-24T12:00:00Z")).frozen).toBeNull();
    expect(freezeState([oneOff], "payments", t("2026-12-01T12:00:00Z")).next).toMatchObject({ name: "Holidays", startsAt: t("2026-12-20T00:00:00Z") });
  });

  it("an allow window lets runs in only then, and a deny window wins over it", () => {
    expect(freezeState([allow], "payments", t("2026-12-16T10:00:00Z")).frozen).toBeNull(); // Wednesday 11:00 in Berlin
    expect(freezeState([allow], "payments", t("2026-12-16T20:00:00Z")).frozen).toMatchObject({ mode: "allow", until: t("2026-12-17T07:00:00Z") });
    expect(freezeState([allow, oneOff], "payments", t("2026-12-22T10:00:00Z")).frozen).toMatchObject({ name: "Holidays", mode: "deny" });
  });

  it("a chain of touching windows ends with the last", () => {
    const daily: FreezeWindow = { ...base, cron: "0 0 * * *", durationMs: 24 * H, timeZone: "UTC", startsAt: null };
    const s = freezeState([daily, { ...oneOff, kinds: null, startsAt: t("2026-01-01T00:00:00Z"), endsAt: t("2026-01-01T01:00:00Z") }], "x", t("2026-01-01T00:30:00Z"));
    expect(s.frozen?.until).toBeGreaterThan(t("2026-01-05T00:00:00Z"));
  });
});

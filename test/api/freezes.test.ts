// Freeze windows and scheduled runs against the real server (issue 21): a freeze
// declared a moment after a run begins pauses it before its next task and it
// finishes after the window ends; the door's 409 and an admin's override; a
// scheduled run started at its time after a restart in between; a scheduled
// run whose plan changed is skipped with its diff (log, webhook-ready note, audit).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fs from "node:fs";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { startServer, tempDir, type TestServer } from "../helpers/server";
import { waitFor } from "../helpers/db";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const TREE = "fixtures:TreeRollout";
const FILE = "fixtures:FileTreeRollout";
const env = {
  KETTLE_AUTH: "proxy",
  KETTLE_USER_HEADER: "X-Forwarded-User",
  KETTLE_OPERATORS: "olga",
  KETTLE_ADMINS: "ada",
  KETTLE_VIEWERS: "vic",
  KETTLE_ROLLOUT_CLS: `${TREE},${FILE}`,
};
const as = (user: string) => ({ "X-Forwarded-User": user });
const iso = (ms: number) => new Date(ms).toISOString();
let server: TestServer;
const dir = tempDir();
const dbUrl = `file:${path.join(dir, "kettle.sqlite")}`;

beforeAll(async () => {
  server = await startServer({ env, dir, dbUrl });
});
afterAll(() => server?.stop());

const view = async (id: number) => (await server.api<Json>("GET", `/api/rollouts/${id}`, undefined, as("vic"))).body;
const until = (id: number, check: (v: Json) => boolean, what: string, timeoutMs = 20_000) =>
  waitFor(async () => {
    const v = await view(id);
    return check(v) ? v : null;
  }, { what, timeoutMs });
const create = async (body: Json) => {
  const res = await server.api<Json>("POST", "/api/rollouts", body, as("olga"));
  expect(res.status).toBe(201);
  return res.body.id as number;
};
const log = async (id: number) => (await server.api<Json>("GET", `/api/rollouts/${id}/logs/rollout?format=json`, undefined, as("vic"))).body.lines.map((l: Json) => l.line) as string[];

describe("freeze windows", () => {
  it("only admins define them; bad input is a 400 that changes nothing", async () => {
    const body = { name: "x", start: iso(Date.now() + 3600_000), end: iso(Date.now() + 7200_000) };
    expect((await server.api<Json>("POST", "/api/freezes", body, as("olga"))).status).toBe(403);
    for (const bad of [
      {},
      { name: "x" },
      { name: "x", start: "tomorrow", end: "later" },
      { name: "x", start: iso(Date.now() + 7200_000), end: iso(Date.now() + 3600_000) },
      { name: "x", cron: "0 9 * * 1" },
      { name: "x", cron: "not cron", duration: "PT1H" },
      { name: "x", rrule: "FREQ=SOMETIMES", start: iso(Date.now()), duration: "PT1H" },
      { name: "x", cron: "0 9 * * 1", duration: "PT1H", timeZone: "Mars/Olympus" },
      { name: "x", cron: "0 9 * * 1", duration: "forever" },
      { name: "x", cron: "0 9 * * 1", duration: "PT1H", kinds: ["nope:Nope"] },
      { name: 5, cron: "0 9 * * 1", duration: "PT1H" },
      { name: "x", cron: "0 9 * * 1", duration: "PT1H", extra: 1 },
    ]) {
      const res = await server.api<Json>("POST", "/api/freezes", bad, as("ada"));
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(typeof res.body.error).toBe("string");
    }
    expect((await server.api<Json>("GET", "/api/freezes", undefined, as("vic"))).body.freezes).toEqual([]);
  });

  it("a freeze beginning after a run began pauses it before its next task; it finishes after the window ends", async () => {
    const id = await create({ kind: TREE, config: { tree: { seq: [{ noop: "A" }, { delay: 3 }, { noop: "B" }] } } });
    expect((await server.api<Json>("POST", `/api/rollouts/${id}/run`, undefined, as("olga"))).status).toBe(202);
    await until(id, (v) => v.tasks.children[1].run.startedAt, "the delay to start");
    const start = Date.now() + 1500;
    const created = await server.api<Json>("POST", "/api/freezes", { name: "Incident 42", reason: "database failover", kinds: [TREE], start: iso(start), end: iso(start + 2500) }, as("ada"));
    expect(created.status).toBe(201);
    const paused = await until(id, (v) => v.status === "paused", "the freeze to pause it");
    expect(paused.pausedReason).toMatchObject({ kind: "freeze", freezeId: created.body.id });
    expect(paused.pausedReason.message).toMatch(/^Frozen by the freeze "Incident 42" \(database failover\) until /);
    expect(paused.tasks.children[2].status).toBe("not_started");
    // The kinds say so, and a run of the kind is refused at the door, naming the window and its end.
    const kinds = (await server.api<Json>("GET", "/api/kinds", undefined, as("vic"))).body.kinds;
    expect(kinds.find((k: Json) => k.kind === TREE).frozen).toMatchObject({ name: "Incident 42", until: start + 2500 });
    expect(kinds.find((k: Json) => k.kind === FILE).frozen).toBeNull();
    const other = await create({ kind: TREE, config: { tree: { noop: "other" } } });
    const refused = await server.api<Json>("POST", `/api/rollouts/${other}/run`, undefined, as("olga"));
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatch(/frozen by the freeze "Incident 42" \(database failover\) until/);
    expect(refused.body.freeze).toMatchObject({ name: "Incident 42", endsAt: start + 2500 });
    // Resuming by hand is refused; an operator may not override; an admin may, with a reason.
    expect((await server.api<Json>("POST", `/api/rollouts/${id}/signals/resume_rollout`, {}, as("olga"))).status).toBe(409);
    expect((await server.api<Json>("POST", `/api/rollouts/${other}/run`, { override: "hotfix" }, as("olga"))).status).toBe(403);
    expect((await server.api<Json>("POST", `/api/rollouts/${other}/run`, { override: "" }, as("ada"))).status).toBe(400);
    const overridden = await server.api<Json>("POST", `/api/rollouts/${other}/run`, { override: "the hotfix for INC-42" }, as("ada"));
    expect(overridden.status).toBe(202);
    expect(overridden.body.freezeOverride).toMatchObject({ by: "ada", reason: "the hotfix for INC-42" });
    const done = await until(id, (v) => v.status === "finished", "it to finish after the freeze");
    expect(done.tasks.children[2].run.startedAt).toBeGreaterThanOrEqual(start + 2500);
    const lines = await log(id);
    expect(lines.some((l) => /^Paused before the next task: Frozen by the freeze "Incident 42"/.test(l))).toBe(true);
    expect(lines).toContain("The freeze has ended: resumed");
    const audit = (await server.api<Json>("GET", "/api/audit?outcome=refused", undefined, as("ada"))).body.entries;
    expect(audit.some((e: Json) => e.rolloutId === other && /409: Run refused/.test(e.comment))).toBe(true);
    const overrides = (await server.api<Json>("GET", `/api/audit?action=freeze_override`, undefined, as("ada"))).body.entries;
    expect(overrides[0]).toMatchObject({ rolloutId: other, user: "ada", comment: "the hotfix for INC-42" });
    expect((await server.api<Json>("DELETE", `/api/freezes/${created.body.id}`, undefined, as("ada"))).status).toBe(200);
    expect((await server.api<Json>("DELETE", `/api/freezes/${created.body.id}`, undefined, as("ada"))).status).toBe(404);
  });
});

describe("scheduled runs", () => {
  it("bad times are refused; it starts at its time, once, after a restart in between", async () => {
    const id = await create({ kind: TREE, config: { tree: { noop: "scheduled" } } });
    for (const at of [undefined, "2026-12-22T09:00:00", "yesterday", iso(Date.now() - 60_000), iso(Date.now() + 400 * 86400_000), 5]) {
      const res = await server.api<Json>("POST", `/api/rollouts/${id}/schedule`, { at }, as("olga"));
      expect(res.status, String(at)).toBe(400);
    }
    expect((await server.api<Json>("DELETE", `/api/rollouts/${id}/schedule`, undefined, as("olga"))).status).toBe(409);
    const at = Date.now() + 6000;
    const scheduled = await server.api<Json>("POST", `/api/rollouts/${id}/schedule`, { at: iso(at) }, as("olga"));
    expect(scheduled.status).toBe(200);
    expect(scheduled.body.schedule).toEqual({ at, by: "olga" });
    await server.stop();
    server = await startServer({ env, dir, dbUrl });
    const done = await until(id, (v) => v.status === "finished", "the scheduled run to start and finish");
    expect(done.rolloutStartedAt).toBeGreaterThanOrEqual(at);
    expect(done.runBy).toBe("olga");
    expect(done.schedule).toBeNull();
    expect(await log(id)).toContain(`Started as scheduled for ${iso(at)} by olga`);
    const trail = (await server.api<Json>("GET", `/api/rollouts/${id}/audit`, undefined, as("ada"))).body.entries.map((e: Json) => `${e.action}:${e.via}`);
    expect(trail.filter((a: string) => a === "run:schedule")).toHaveLength(1);
    expect(trail).toContain("schedule:proxy");
  });

  it("a scheduled run whose plan changed since it was finalised does not run, and says why with the diff", async () => {
    const file = path.join(dir, "plan.json");
    fs.writeFileSync(file, JSON.stringify({ seq: [{ noop: "web-1" }, { noop: "web-2" }] }));
    const id = await create({ kind: FILE, config: { file } });
    const at = Date.now() + 1500;
    expect((await server.api<Json>("POST", `/api/rollouts/${id}/schedule`, { at: iso(at) }, as("olga"))).status).toBe(200);
    fs.writeFileSync(file, JSON.stringify({ seq: [{ noop: "web-1" }, { noop: "web-2" }, { noop: "web-3" }] }));
    const skipped = await until(id, (v) => v.scheduleSkipped, "the schedule to be skipped");
    expect(skipped.status).toBe("not_started");
    expect(skipped.schedule).toBeNull();
    expect(skipped.scheduleSkipped).toMatchObject({ scheduledFor: at, diff: { same: false, tasks: { added: [{ description: "web-3" }] } } });
    expect(skipped.scheduleSkipped.reason).toMatch(/the plan made now differs from the one finalised \(added web-3\)/);
    expect((await log(id)).some((l) => l.startsWith(`The run scheduled for ${iso(at)} did not start: the plan made now differs`))).toBe(true);
    const trail = (await server.api<Json>("GET", `/api/rollouts/${id}/audit`, undefined, as("ada"))).body.entries;
    expect(trail.find((e: Json) => e.action === "schedule_skipped")).toMatchObject({ outcome: "refused", via: "schedule" });
  });

  it("scheduling into a freeze is refused unless an admin overrides", async () => {
    const start = Date.now() + 3600_000;
    const f = await server.api<Json>("POST", "/api/freezes", { name: "Holidays", start: iso(start), end: iso(start + 3600_000) }, as("ada"));
    const id = await create({ kind: TREE, config: { tree: { noop: "later" } } });
    const refused = await server.api<Json>("POST", `/api/rollouts/${id}/schedule`, { at: iso(start + 60_000) }, as("olga"));
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatch(/frozen at that time by the freeze "Holidays"/);
    expect((await server.api<Json>("POST", `/api/rollouts/${id}/schedule`, { at: iso(start + 60_000), override: "year-end fix" }, as("olga"))).status).toBe(403);
    expect((await server.api<Json>("POST", `/api/rollouts/${id}/schedule`, { at: iso(start + 60_000), override: "year-end fix" }, as("ada"))).status).toBe(200);
    const cancelled = await server.api<Json>("DELETE", `/api/rollouts/${id}/schedule`, undefined, as("olga"));
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.schedule).toBeNull();
    await server.api("DELETE", `/api/freezes/${f.body.id}`, undefined, as("ada"));
  });
});

describe("the CLI", () => {
  it("defines, lists and deletes a window; a run refused by it exits 7; an admin's --override runs it", async () => {
    const tokenOf = async (user: string) => (await server.api<Json>("POST", "/api/tokens", { name: `cli-${user}` }, as(user))).body.token as string;
    const [admin, operator] = [await tokenOf("ada"), await tokenOf("olga")];
    const kettle = (token: string, ...args: string[]) => spawnSync(process.execPath, ["bin/kettle.mjs", ...args], { env: { ...process.env, KETTLE_URL: server.url, KETTLE_TOKEN: token, CI: "1" }, encoding: "utf8" });
    const defined = kettle(admin, "freeze", "CLI window", "--reason", "release train", "--kinds", FILE, "--cron", "0 0 * * *", "--duration", "P1D", "--tz", "Europe/Berlin", "--json");
    expect(defined.status, defined.stderr).toBe(0);
    const freeze = JSON.parse(defined.stdout);
    expect(freeze.activeNow).not.toBeNull();
    expect(kettle(operator, "freezes").stdout).toMatch(/CLI window\tON until .*cron 0 0 \* \* \* \(Europe\/Berlin\)/);
    const file = path.join(dir, "cli-plan.json");
    fs.writeFileSync(file, JSON.stringify({ noop: "cli" }));
    const id = await create({ kind: FILE, config: { file } });
    const refused = kettle(operator, "run", String(id));
    expect(refused.status).toBe(7);
    expect(refused.stderr).toMatch(/frozen by the freeze "CLI window" \(release train\)/);
    expect(kettle(operator, "run", String(id), "--override", "x").status).toBe(3); // 403: operators may not override
    const ran = kettle(admin, "run", String(id), "--override", "the fix", "--wait");
    expect(ran.status, ran.stderr).toBe(0);
    expect(kettle(admin, "unfreeze", String(freeze.id)).status).toBe(0);
    expect(kettle(admin, "unfreeze", String(freeze.id)).status).toBe(3);
  });
});

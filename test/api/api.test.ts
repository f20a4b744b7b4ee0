// The JSON API against a real server (production build) on a free port.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../helpers/server";
import { waitFor } from "../helpers/db";
import { createClient } from "@libsql/client";

type Json = Record<string, any>;
let server: TestServer;

beforeAll(async () => {
  server = await startServer({ env: { KETTLE_ROLLOUT_CLS: "rollout:MyRollout,fixtures:TreeRollout", KETTLE_USER_HEADER: "X-Forwarded-User" } });
});
afterAll(async () => {
  await server?.stop();
});

const tree = (spec: unknown) => ({ kind: "fixtures:TreeRollout", config: { tree: spec } });

describe("creating and reading rollouts", () => {
  it("creates the example rollout with one 15-second delay, and reads it back", async () => {
    const created = await server.api<Json>("POST", "/api/rollouts", {});
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ kind: "rollout:MyRollout", status: "not_started", canEdit: true, canRun: { ok: true } });
    expect(created.body.tasks).toMatchObject({ type: "DelayTask", description: "Delay for 15 secs", status: "not_started", children: [] });
    expect(created.body.finalisedAt).toBeGreaterThan(0);

    const read = await server.api<Json>("GET", `/api/rollouts/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body.tasks.description).toBe("Delay for 15 secs");
  });

  it("lists newest first, leaves hidden ones out, and serves `latest`", async () => {
    const a = (await server.api<Json>("POST", "/api/rollouts", tree({ noop: true }))).body.id;
    const b = (await server.api<Json>("POST", "/api/rollouts", tree({ noop: true }))).body.id;
    const hidden = await server.api<Json>("POST", `/api/rollouts/${b}/hide`);
    expect(hidden.status).toBe(200);
    const list = await server.api<Json>("GET", "/api/rollouts");
    const ids = list.body.rollouts.map((r: Json) => r.id);
    expect(ids).not.toContain(b);
    expect(ids.indexOf(a)).toBeLessThan(ids.indexOf(a - 1) === -1 ? Infinity : ids.indexOf(a - 1));
    expect(ids).toEqual([...ids].sort((x: number, y: number) => y - x));
    const hiddenList = await server.api<Json>("GET", "/api/rollouts?hidden=1");
    expect(hiddenList.body.rollouts.map((r: Json) => r.id)).toContain(b);
    const latest = await server.api<Json>("GET", "/api/rollouts/latest");
    expect(latest.body.id).toBe(a);
  });

  it("ignores the user header unless KETTLE_AUTH=proxy (test/api/auth.test.ts covers proxy mode)", async () => {
    const created = await server.api<Json>("POST", "/api/rollouts", tree({ noop: true }), { "X-Forwarded-User": "alice" });
    expect(created.status).toBe(201);
    expect(created.body.createdBy).toBeNull();
    const run = await server.api<Json>("POST", `/api/rollouts/${created.body.id}/run`, undefined, { "X-Forwarded-User": "bob" });
    expect(run.status).toBe(202);
    expect(run.body.runBy).toBeNull();
    expect(server.output()).toMatch(/KETTLE_USER_HEADER is set but KETTLE_AUTH=none: the header is ignored/);
    // the header says there is no sign-in
    expect(await (await fetch(server.url + "/")).text()).toContain("No sign-in");
  });
});

describe("reading old rollouts", () => {
  it("still shows a rollout whose task kind was removed from rollouts/ since", async () => {
    const { id } = (await server.api<Json>("POST", "/api/rollouts", tree({ seq: [{ noop: "kept" }, { noop: "renamed" }] }))).body;
    const db = createClient({ url: server.dbUrl });
    await db.execute({ sql: "UPDATE task SET type = 'fixtures:GoneTask' WHERE rollout_id = ? AND id = 2", args: [id] });
    db.close();
    const res = await server.api<Json>("GET", `/api/rollouts/${id}`);
    expect(res.status).toBe(200);
    expect(res.body.tasks.children.map((c: Json) => c.description)).toEqual(["kept", 'Unknown task kind "fixtures:GoneTask" (no longer in rollouts/)']);
    const page = await fetch(`${server.url}/rollouts/${id}`);
    expect(page.status).toBe(200);
  });
});

describe("server errors", () => {
  it("a corrupt record gives a JSON 500 and an error page, with no internals, in production", async () => {
    const { id } = (await server.api<Json>("POST", "/api/rollouts", tree({ noop: true }))).body;
    const db = createClient({ url: server.dbUrl });
    await db.execute({ sql: "UPDATE rollout SET config = '{corrupt' WHERE id = ?", args: [id] });
    db.close();
    const api = await server.api<Json>("GET", `/api/rollouts/${id}`);
    expect(api.status).toBe(500);
    expect(api.body).toEqual({ error: "Internal error: see the server's log" });
    // The page itself is checked in a browser (test/e2e/errors.test.ts); its HTML carries no internals.
    const page = await fetch(`${server.url}/rollouts/${id}`);
    expect(page.status).toBe(500);
    expect(await page.text()).not.toMatch(/SyntaxError|JSON\.parse|\bat \S+ \(/);
  });
});

describe("running", () => {
  it("runs a rollout in the background to finished, with records and timestamps", async () => {
    const { id } = (await server.api<Json>("POST", "/api/rollouts", tree({ seq: [{ noop: "a" }, { noop: "b" }] }))).body;
    const run = await server.api<Json>("POST", `/api/rollouts/${id}/run`);
    expect(run.status).toBe(202);
    expect(run.body.status).toBe("started");
    const done = await waitFor(async () => {
      const r = (await server.api<Json>("GET", `/api/rollouts/${id}`)).body;
      return r.status === "finished" && r;
    });
    expect(done.rolloutStartedAt).toBeLessThanOrEqual(done.rolloutFinishedAt);
    expect(done.tasks.status).toBe("finished");
    expect(done.tasks.children.map((c: Json) => c.status)).toEqual(["finished", "finished"]);
    expect(done.tasks.children[0].run.startedAt).toBeGreaterThan(0);
    expect(done.refreshMs).toBeNull();
    const log = await fetch(`${server.url}/api/rollouts/${id}/logs/rollout`);
    expect(log.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await log.text()).toMatch(/Rollout finished/);
  });

  it("refuses to run twice (409)", async () => {
    const { id } = (await server.api<Json>("POST", "/api/rollouts", tree({ noop: true }))).body;
    expect((await server.api("POST", `/api/rollouts/${id}/run`)).status).toBe(202);
    const again = await server.api<Json>("POST", `/api/rollouts/${id}/run`);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatch(/already been run/);
  });

  it("refuses a plan finalised more than 5 minutes ago (409), and runs once finalised again", async () => {
    const { id } = (await server.api<Json>("POST", "/api/rollouts", tree({ noop: true }))).body;
    const db = createClient({ url: server.dbUrl });
    await db.execute({ sql: "UPDATE rollout SET finalised_at = finalised_at - 301000 WHERE id = ?", args: [id] });
    db.close();
    const stale = await server.api<Json>("POST", `/api/rollouts/${id}/run`);
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatch(/more than 5 minutes ago/);
    const view = (await server.api<Json>("GET", `/api/rollouts/${id}`)).body;
    expect(view.canRun).toEqual({ ok: false, reason: expect.stringMatching(/5 minutes/) });
    expect((await server.api("PUT", `/api/rollouts/${id}`, { config: { tree: { noop: true } } })).status).toBe(200);
    expect((await server.api("POST", `/api/rollouts/${id}/run`)).status).toBe(202);
  });

  it("refuses to run a rollout with no tasks (409)", async () => {
    const { id } = (await server.api<Json>("POST", "/api/rollouts", tree({ noop: true }))).body;
    const db = createClient({ url: server.dbUrl });
    await db.execute({ sql: "DELETE FROM task WHERE rollout_id = ?", args: [id] });
    db.close();
    const res = await server.api<Json>("POST", `/api/rollouts/${id}/run`);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatch(/no tasks/);
  });

  it("finalise again replaces the tasks, and is refused once started (409)", async () => {
    const { id } = (await server.api<Json>("POST", "/api/rollouts", tree({ noop: "first" }))).body;
    const edited = await server.api<Json>("PUT", `/api/rollouts/${id}`, { config: { tree: { seq: [{ noop: "x" }, { noop: "y" }] } } });
    expect(edited.status).toBe(200);
    expect(edited.body.tasks.children.map((c: Json) => c.description)).toEqual(["x", "y"]);
    await server.api("POST", `/api/rollouts/${id}/run`);
    const late = await server.api<Json>("PUT", `/api/rollouts/${id}`, { config: { tree: { noop: true } } });
    expect(late.status).toBe(409);
    const after = (await server.api<Json>("GET", `/api/rollouts/${id}`)).body;
    expect(after.tasks.children).toHaveLength(2);
  });
});

describe("signals", () => {
  it("sends abort_rollout (200), refuses it twice and when not available (409), and rolls back", async () => {
    const { id } = (await server.api<Json>("POST", "/api/rollouts", tree({ delay: 30 }))).body;
    const early = await server.api<Json>("POST", `/api/rollouts/${id}/signals/abort_rollout`);
    expect(early.status).toBe(409);
    expect(early.body.error).toMatch(/not available/);
    await server.api("POST", `/api/rollouts/${id}/run`);
    await waitFor(async () => (await server.api<Json>("GET", `/api/rollouts/${id}`)).body.tasks.status === "started");
    expect((await server.api("POST", `/api/rollouts/${id}/signals/abort_rollout`)).status).toBe(200);
    const twice = await server.api<Json>("POST", `/api/rollouts/${id}/signals/abort_rollout`);
    expect(twice.status).toBe(409);
    expect(twice.body.error).toMatch(/already sent/);
    const done = await waitFor(async () => {
      const r = (await server.api<Json>("GET", `/api/rollouts/${id}`)).body;
      return r.status === "rolled_back" && r;
    });
    expect(done.tasks.status).toBe("rolled_back");
    expect(done.signals.sent.map((s: Json) => s.name)).toEqual(["abort_rollout"]);
  });
});

describe("bad input", () => {
  const cases: [string, string, string, unknown, number, RegExp][] = [
    ["malformed JSON", "POST", "/api/rollouts", "{not json", 400, /not valid JSON/],
    ["a JSON array body", "POST", "/api/rollouts", "[1,2]", 400, /JSON object/],
    ["config of the wrong type", "POST", "/api/rollouts", { config: "nope" }, 400, /config must be a JSON object/],
    ["kind of the wrong type", "POST", "/api/rollouts", { kind: 7 }, 400, /kind must be a string/],
    ["an unknown kind", "POST", "/api/rollouts", { kind: "rollout:Nope" }, 400, /Unknown rollout kind/],
    ["a config the schema refuses", "POST", "/api/rollouts", { kind: "fixtures:TreeRollout", config: {} }, 400, /tree/],
    ["generateTasks throwing (422: the input is well-formed, the plan failed)", "POST", "/api/rollouts", { kind: "fixtures:TreeRollout", config: { tree: { bogus: 1 } } }, 422, /Finalise failed in generateTasks: Unknown tree spec.*\(at rollouts\/fixtures\.ts:\d+:\d+\)/],
    ["an unknown id", "GET", "/api/rollouts/999999", undefined, 404, /No rollout/],
    ["a non-numeric id", "GET", "/api/rollouts/abc", undefined, 404, /No rollout/],
    ["run of an unknown id", "POST", "/api/rollouts/999999/run", undefined, 404, /No rollout/],
    ["an unknown signal", "POST", "/api/rollouts/1/signals/explode", undefined, 400, /Unknown signal/],
    ["a signal to an unknown id", "POST", "/api/rollouts/999999/signals/abort_rollout", undefined, 404, /No rollout/],
    ["PUT with no config", "PUT", "/api/rollouts/1", {}, 400, /config must be a JSON object/],
    ["an unknown log", "GET", "/api/rollouts/1/logs/secrets", undefined, 404, /No such log/],
    ["an unknown task's log", "GET", "/api/rollouts/1/tasks/999/logs/run", undefined, 404, /no task/],
  ];
  for (const [what, method, path, body, status, message] of cases) {
    it(`answers ${status} with a JSON error for ${what}`, async () => {
      const before = (await server.api<Json>("GET", "/api/rollouts?hidden=0&perPage=200")).body.total;
      const res = await server.api<Json>(method, path, body);
      expect(res.status).toBe(status);
      expect(res.body.error).toMatch(message);
      const after = (await server.api<Json>("GET", "/api/rollouts?hidden=0&perPage=200")).body.total;
      expect(after).toBe(before);
    });
  }

  it("gives per-field messages for an invalid config", async () => {
    const res = await server.api<Json>("POST", "/api/rollouts", { kind: "fixtures:TreeRollout", config: { tree: { noop: true }, abortAfterMs: "soon" } });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.fields)).toEqual(["abortAfterMs"]);
  });

  it("refuses a mutation sent by a page on another site (403)", async () => {
    const res = await server.api<Json>("POST", "/api/rollouts", {}, { Origin: "https://evil.example" });
    expect(res.status).toBe(403);
    const fetchSite = await server.api<Json>("POST", "/api/rollouts", {}, { "Sec-Fetch-Site": "cross-site" });
    expect(fetchSite.status).toBe(403);
  });

  it("has no GET that mutates: GET on run and signal routes is refused", async () => {
    expect((await server.api("GET", "/api/rollouts/1/run")).status).toBe(405);
    expect((await server.api("GET", "/api/rollouts/1/signals/abort_rollout")).status).toBe(405);
  });
});

describe("big trees in answers", () => {
  it("a change's answer carries a summary past 2 000 tasks (?tasks=all for the whole tree); the status read keeps the whole tree; a bad ?tasks= changes nothing", async () => {
    const big = tree({ par: Array.from({ length: 2500 }, () => ({ noop: true })) });
    const created = await server.api<Json>("POST", "/api/rollouts", big);
    expect(created.status).toBe(201);
    expect(created.body.tasksShown).toBe("summary");
    expect(created.body.tasks.childCount).toBe(2500);
    expect(created.body.tasks.children.length).toBeLessThan(100);
    const whole = await server.api<Json>("POST", "/api/rollouts?tasks=all", big);
    expect(whole.body.tasksShown).toBe("all");
    expect(whole.body.tasks.children).toHaveLength(2500);
    expect((await server.api<Json>("GET", `/api/rollouts/${created.body.id}`)).body.tasks.children).toHaveLength(2500);

    const total = async () => (await server.api<Json>("GET", "/api/rollouts?perPage=1")).body.total as number;
    const before = await total();
    const bad = await server.api<Json>("POST", "/api/rollouts?tasks=everything", big);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('tasks must be "all", "summary" or "auto"');
    expect(await total()).toBe(before);
    expect((await server.api<Json>("POST", `/api/rollouts/${created.body.id}/run?tasks=bogus`)).status).toBe(400);
    expect((await server.api<Json>("GET", `/api/rollouts/${created.body.id}?tasks=summary`)).body.status).toBe("not_started");
    const run = await server.api<Json>("POST", `/api/rollouts/${created.body.id}/run`);
    expect(run.status).toBe(202);
    expect(run.body.tasksShown).toBe("summary");
  });
});

// Two server processes on one database file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "@libsql/client";
import { startServer, tempDir, type TestServer } from "../helpers/server";
import { waitFor } from "../helpers/db";

type Json = Record<string, any>;
const env = { KETTLE_ROLLOUT_CLS: "fixtures:TreeRollout", KETTLE_LEASE_MS: "3000" };
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  const dir = tempDir();
  [a, b] = await Promise.all([startServer({ dir, env: { ...env, KETTLE_INSTANCE_NAME: "a" } }), startServer({ dir, env: { ...env, KETTLE_INSTANCE_NAME: "b" } })]);
});
afterAll(async () => {
  await Promise.all([a?.kill(), b?.kill()]);
});

const get = async (s: TestServer, id: number) => (await s.api<Json>("GET", `/api/rollouts/${id}`)).body;
const ownerServer = (r: Json) => (r.runner.owner.startsWith("a:") ? a : b);
const otherServer = (r: Json) => (r.runner.owner.startsWith("a:") ? b : a);

describe("two instances on one database", () => {
  it("20 rollouts started through alternating instances each run exactly once", async () => {
    const ids: number[] = [];
    for (let i = 0; i < 20; i++) {
      const s = i % 2 ? b : a;
      const { body } = await s.api<Json>("POST", "/api/rollouts", { config: { tree: { seq: [{ chatty: 2, everyMs: 10 }, { noop: true }] } } });
      if (!(body.id > 0)) throw new Error(`create failed: ${JSON.stringify(body)}\n${s.output().slice(-3000)}`);
      const run = await s.api("POST", `/api/rollouts/${body.id}/run`);
      if (run.status !== 202) throw new Error(`run failed: ${JSON.stringify(run.body)}\n${s.output().slice(-3000)}`);
      ids.push(body.id);
    }
    await waitFor(async () => {
      const all = await Promise.all(ids.map((id) => get(a, id)));
      return all.every((r) => r.status === "finished");
    }, { what: "all 20 to finish", timeoutMs: 60_000 });
    const db = createClient({ url: a.dbUrl });
    for (const id of ids) {
      const started = await db.execute({ sql: "SELECT count(*) AS n FROM log WHERE rollout_id = ? AND task_id IS NULL AND line LIKE 'Rollout started%'", args: [id] });
      expect(Number(started.rows[0].n)).toBe(1);
      // Each chatty task logged its two lines once: a second run would have doubled them.
      const lines = await db.execute({ sql: "SELECT count(*) AS n FROM log WHERE rollout_id = ? AND task_id = 1 AND stream = 'run' AND line LIKE 'line %'", args: [id] });
      expect(Number(lines.rows[0].n)).toBe(2);
      const runs = await db.execute({ sql: "SELECT count(*) AS n FROM task WHERE rollout_id = ? AND run_finished_at IS NOT NULL", args: [id] });
      expect(Number(runs.rows[0].n)).toBe(3);
    }
    db.close();
  });

  it("a signal sent through the instance that is not running the rollout takes effect", async () => {
    const { body } = await a.api<Json>("POST", "/api/rollouts", { config: { tree: { delay: 60 } } });
    await a.api("POST", `/api/rollouts/${body.id}/run`);
    const running = await waitFor(async () => {
      const r = await get(a, body.id);
      return r.tasks.status === "started" && r.runner.owner && r;
    }, { what: "a runner to take it" });
    const other = otherServer(running);
    const sentAt = Date.now();
    expect((await other.api("POST", `/api/rollouts/${body.id}/signals/abort_rollout`)).status).toBe(200);
    const stopped = await waitFor(async () => {
      const r = await get(other, body.id);
      return r.tasks.run.failedAt && r;
    }, { what: "the delay to stop" });
    console.log(`cross-instance abort: delay stopped ${stopped.tasks.run.failedAt - sentAt} ms after the signal was sent`);
    await waitFor(async () => (await get(other, body.id)).status === "rolled_back", { what: "the rollback" });
  });

  it("an owner that goes silent (SIGSTOP) loses the rollout when its lease runs out, and stops when it wakes", async () => {
    const { body } = await a.api<Json>("POST", "/api/rollouts", { config: { tree: { seq: [{ noop: "a" }, { chatty: 600, everyMs: 100 }] } } });
    await a.api("POST", `/api/rollouts/${body.id}/run`);
    const running = await waitFor(async () => {
      const r = await get(a, body.id);
      return r.tasks.children[1]?.status === "started" && r.runner.owner && r;
    }, { what: "the delay to start" });
    const owner = ownerServer(running);
    const survivor = otherServer(running);
    owner.proc.kill("SIGSTOP");
    const frozenAt = Date.now();
    try {
      // (The "silent" mark lasts only until the survivor takes over; test/durable/lease.test.ts checks it.)
      const done = await waitFor(async () => {
        const r = await get(survivor, body.id);
        return r.status === "rolled_back" && r;
      }, { what: "the survivor to take over after the lease ran out", timeoutMs: 30_000 });
      const takeoverMs = Date.now() - frozenAt;
      console.log(`takeover after the owner went silent: rolled back ${takeoverMs} ms after SIGSTOP (lease 3000 ms)`);
      expect(takeoverMs).toBeGreaterThanOrEqual(2000);
      expect(done.tasks.children[1].run.error).toMatch(/^Interrupted/);
    } finally {
      owner.proc.kill("SIGCONT");
    }
    // The woken owner must not write anything more: the final state stays as it is.
    const settled = await get(survivor, body.id);
    await waitFor(async () => /lease lost|Lost the lease/.test(owner.output()) || (await owner.api("GET", "/api/rollouts")).status === 200, { what: "the owner to wake" });
    expect((await get(owner, body.id)).status).toBe(settled.status);
    expect((await get(owner, body.id)).rollbackFinishedAt).toBe(settled.rollbackFinishedAt);
  });

  it("killing the owning instance hands the rollout to the other one", async () => {
    const { body } = await b.api<Json>("POST", "/api/rollouts", { config: { tree: { seq: [{ noop: "a" }, { chatty: 600, everyMs: 100 }] } } });
    await b.api("POST", `/api/rollouts/${body.id}/run`);
    const running = await waitFor(async () => {
      const r = await get(b, body.id);
      return r.tasks.children[1]?.status === "started" && r.runner.owner && r;
    }, { what: "the delay to start" });
    const owner = ownerServer(running);
    const survivor = otherServer(running);
    await owner.kill();
    const killedAt = Date.now();
    const done = await waitFor(async () => {
      const r = await get(survivor, body.id);
      return r.status === "rolled_back" && r;
    }, { what: "the survivor to roll it back", timeoutMs: 30_000 });
    console.log(`takeover by the other instance: rolled back ${Date.now() - killedAt} ms after the kill`);
    expect(done.tasks.children[1].run.error).toMatch(/^Interrupted/);
    const log = await (await fetch(`${survivor.url}/api/rollouts/${body.id}/logs/rollout`)).text();
    expect(log).toMatch(new RegExp(`Taken over by instance ${survivor === a ? "a" : "b"}:`));
  });
});

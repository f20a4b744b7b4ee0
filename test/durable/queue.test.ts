// A queue per kind across instances (issue 21): two servers on one database,
// 16 run requests fired at once through both for a kind that runs two at a
// time, and a kill -9 of one of them while its rollouts run. The recorded
// history (every rollout's start and end, its log and audit rows) shows that
// never more than two ran at once, none was lost, and each started once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "@libsql/client";
import { startServer, tempDir, type TestServer } from "../helpers/server";
import { waitFor } from "../helpers/db";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const QUEUED = "fixtures:QueuedTreeRollout";
const env = { KETTLE_ROLLOUT_CLS: `${QUEUED},fixtures:TreeRollout`, KETTLE_LEASE_MS: "3000" };
const N = 16;
let a: TestServer;
let b: TestServer;
const dir = tempDir();

beforeAll(async () => {
  [a, b] = await Promise.all([startServer({ dir, env: { ...env, KETTLE_INSTANCE_NAME: "a" } }), startServer({ dir, env: { ...env, KETTLE_INSTANCE_NAME: "b" } })]);
});
afterAll(async () => {
  await Promise.all([a?.kill(), b?.kill()]);
});

describe("a queue per kind across two instances", () => {
  it(`${N} run requests at once through both, kill -9 of one: never more than 2 running, none lost, each started once`, async () => {
    const ids: number[] = [];
    for (let i = 0; i < N; i++) {
      const { status, body } = await a.api<Json>("POST", "/api/rollouts", { kind: QUEUED, config: { tree: { seq: [{ delay: 0.6 }, { delay: 0.3 }] } } });
      expect(status).toBe(201);
      ids.push(body.id);
    }
    // All at once, alternating instances.
    const runs = await Promise.all(ids.map((id, i) => (i % 2 ? b : a).api<Json>("POST", `/api/rollouts/${id}/run`)));
    expect(runs.map((r) => r.status)).toEqual(ids.map(() => 202));
    const answered = runs.map((r) => r.body.status);
    expect(answered.filter((s) => s === "started").length).toBeLessThanOrEqual(2);
    expect(answered.filter((s) => s === "queued").length).toBeGreaterThanOrEqual(N - 2);
    const queued = runs.find((r) => r.body.status === "queued")!.body;
    expect(queued.queue).toMatchObject({ limit: 2 });
    expect(queued.queue.position).toBeGreaterThanOrEqual(1);
    // Kill -9 the instance running something, while it runs.
    await waitFor(async () => (await a.api<Json>("GET", "/api/rollouts?status=active")).body.rollouts.some((r: Json) => r.status === "started"), { what: "a rollout to run" });
    const running = (await a.api<Json>("GET", "/api/rollouts?status=started")).body.rollouts as Json[];
    const owner = (await a.api<Json>("GET", `/api/rollouts/${running[0].id}`)).body.runner.owner as string;
    const [victim, survivor] = owner.startsWith("a:") ? [a, b] : [b, a];
    await victim.kill();
    await waitFor(async () => {
      const rows = (await survivor.api<Json>("GET", `/api/rollouts?perPage=100`)).body.rollouts as Json[];
      return ids.every((id) => rows.find((r) => r.id === id)?.status === "finished");
    }, { what: `all ${N} to finish`, timeoutMs: 90_000 });

    const db = createClient({ url: survivor.dbUrl });
    const rows = (await db.execute(`SELECT id, rollout_started_at AS s, rollout_finished_at AS f FROM rollout WHERE kind = '${QUEUED}'`)).rows.map((r) => ({ id: Number(r.id), s: Number(r.s), f: Number(r.f) }));
    expect(rows).toHaveLength(N);
    // The history: at every start, how many were running (started, not yet finished)?
    const most = Math.max(...rows.map((x) => rows.filter((y) => y.s <= x.s && x.s < y.f).length));
    expect(most).toBeLessThanOrEqual(2);
    expect(most).toBe(2); // the limit was used, not just respected
    // Each started once: one "Rollout started" line in its log, one run audit row, every task run once.
    for (const id of ids) {
      const starts = await db.execute({ sql: "SELECT count(*) AS n FROM log WHERE rollout_id = ? AND task_id IS NULL AND line LIKE 'Rollout started%'", args: [id] });
      expect(Number(starts.rows[0].n), `rollout ${id}`).toBe(1);
      const audits = await db.execute({ sql: "SELECT action FROM audit WHERE rollout_id = ? ORDER BY id", args: [id] });
      expect(audits.rows.filter((r) => r.action === "run")).toHaveLength(1);
    }
    const queuedRows = await db.execute(`SELECT count(*) AS n FROM audit WHERE action = 'queue'`);
    expect(Number(queuedRows.rows[0].n)).toBe(answered.filter((s) => s === "queued").length);
    db.close();
  });
});

// KETTLE_DATABASE_URL as a libSQL server URL (http://, as sqld and Turso serve
// it): migrations, runs, signals and rollback through the Hrana protocol.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startHranaServer, type HranaServer } from "../helpers/hrana-server";
import { startServer, type TestServer } from "../helpers/server";
import { waitFor } from "../helpers/db";
import { readyDb, closeDb, type Db } from "@/lib/kettle/store/db";
import { migrateDb } from "@/lib/kettle/store/migrations";
import { createRollout, getRollout, runRollout, sendSignal } from "@/lib/kettle/operations";
import { Runner } from "@/lib/kettle/runner/runner";

const kinds = ["fixtures:TreeRollout"];
let hrana: HranaServer;
let db: Db;
let runner: Runner;

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kettle-remote-"));
  hrana = await startHranaServer(path.join(dir, "remote.sqlite"));
  db = await readyDb(hrana.url);
  await migrateDb(db);
  runner = new Runner(db, { pollMs: 20, signalPollMs: 20, leaseMs: 5000 }).start();
});
afterAll(async () => {
  await runner?.stop();
  closeDb(hrana.url);
  await hrana?.close();
});

describe("a libSQL server URL", () => {
  it("runs a rollout to finished over HTTP", async () => {
    const id = await createRollout(db, { kind: kinds[0], config: { tree: { seq: [{ noop: "a" }, { par: [{ noop: "b" }, { noop: "c" }] }] } } }, kinds);
    await runRollout(db, id, "alice");
    const done = await waitFor(async () => {
      const r = await getRollout(db, id);
      return r.status === "finished" && r;
    }, { what: "the remote rollout to finish" });
    expect(done.runBy).toBe("alice");
    expect(done.progress).toMatchObject({ total: 3, finished: 3 });
    expect(hrana.requests()).toBeGreaterThan(10); // it really went through the server
  });

  it("rolls back a failure, and takes a signal, over HTTP", async () => {
    const failing = await createRollout(db, { kind: kinds[0], config: { tree: { seq: [{ noop: "a" }, { fail: "boom" }, { noop: "never" }] } } }, kinds);
    await runRollout(db, failing, null);
    const rolledBack = await waitFor(async () => {
      const r = await getRollout(db, failing);
      return r.status === "rolled_back" && r;
    }, { what: "the rollback" });
    expect(rolledBack.tasks!.children.map((c) => c.status)).toEqual(["rolled_back", "rolled_back", "not_started"]);

    const waiting = await createRollout(db, { kind: kinds[0], config: { tree: { delay: 30 } } }, kinds);
    await runRollout(db, waiting, null);
    await waitFor(async () => (await getRollout(db, waiting)).tasks!.status === "started", { what: "the delay to start" });
    await sendSignal(db, waiting, "abort_rollout", "bob");
    await expect(sendSignal(db, waiting, "abort_rollout", "bob")).rejects.toThrow(/already sent/);
    const aborted = await waitFor(async () => {
      const r = await getRollout(db, waiting);
      return r.status === "rolled_back" && r;
    }, { what: "the abort to roll back" });
    expect(aborted.tasks!.run.error).toMatch(/Stopped by abort/);
  });

  it("the server runs with KETTLE_DATABASE_URL pointing at it", async () => {
    const server: TestServer = await startServer({ env: { KETTLE_DATABASE_URL: hrana.url, KETTLE_ROLLOUT_CLS: kinds[0] } });
    try {
      const created = await server.api<{ id: number }>("POST", "/api/rollouts", { config: { tree: { noop: true } } });
      expect(created.status).toBe(201);
      expect((await server.api("POST", `/api/rollouts/${created.body.id}/run`)).status).toBe(202);
      await waitFor(async () => (await server.api<{ status: string }>("GET", `/api/rollouts/${created.body.id}`)).body.status === "finished", {
        what: "the server's runner to finish it",
      });
    } finally {
      await server.stop();
    }
  });
});

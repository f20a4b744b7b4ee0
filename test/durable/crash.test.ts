// Kill -9 the real server at the worst moments, start it again, and check the
// rollout ends in a truthful state with nothing left running.
import { afterEach, describe, expect, it } from "vitest";
import { startServer, tempDir, type TestServer } from "../helpers/server";
import fs from "node:fs";
import { waitFor } from "../helpers/db";

type Json = Record<string, any>;
const env = { KETTLE_ROLLOUT_CLS: "fixtures:TreeRollout", KETTLE_LEASE_MS: "3000" };
let servers: TestServer[] = [];

afterEach(async () => {
  await Promise.all(servers.map((s) => s.kill()));
  servers = [];
});

async function start(dir: string, port?: number) {
  const s = await startServer({ dir, env, port });
  servers.push(s);
  return s;
}

const get = async (s: TestServer, id: number) => (await s.api<Json>("GET", `/api/rollouts/${id}`)).body;
const until = (s: TestServer, id: number, pred: (r: Json) => unknown, what: string): Promise<Json> =>
  waitFor(async () => {
    const r = await get(s, id);
    return pred(r) ? r : null;
  }, { what, timeoutMs: 30_000 });
const logText = async (s: TestServer, path: string) => (await fetch(s.url + path)).text();
/** Alive and not a zombie waiting to be reaped (an orphan's exit is reaped by PID 1 a little later). */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
};

async function runOn(s: TestServer, tree: unknown): Promise<number> {
  const { body } = await s.api<Json>("POST", "/api/rollouts", { config: { tree } });
  expect((await s.api("POST", `/api/rollouts/${body.id}/run`)).status).toBe(202);
  return body.id;
}

describe("a server killed with SIGKILL and started again", () => {
  it("during a delay inside a sequence: the delay is resumable, so the sequence carries on and finishes", async () => {
    const dir = tempDir();
    const first = await start(dir);
    const id = await runOn(first, { seq: [{ noop: "before" }, { delay: 3 }, { noop: "after" }] });
    const running = await until(first, id, (r) => r.tasks.children[1].status === "started", "the delay to start");
    await first.kill();

    const second = await start(dir);
    const done = await until(second, id, (r) => ["finished", "rolled_back"].includes(r.status), "the rollout to end after the restart");
    expect(done.status).toBe("finished");
    const [before, delay, after] = done.tasks.children;
    expect(before.run.startedAt).toBe(running.tasks.children[0].run.startedAt); // not run again
    expect(delay.run.startedAt).toBe(running.tasks.children[1].run.startedAt);
    expect(delay.run.finishedAt - delay.run.startedAt).toBeGreaterThanOrEqual(3000);
    expect(after.status).toBe("finished");
    expect(done.rollbackStartedAt).toBeNull();
    expect(await logText(second, `/api/rollouts/${id}/logs/rollout`)).toMatch(/Taken over by instance[^]*Resuming/);
  });

  it("during a task that cannot simply carry on: it is recorded as interrupted and everything that started is rolled back", async () => {
    const dir = tempDir();
    const first = await start(dir);
    const id = await runOn(first, { seq: [{ noop: "before" }, { chatty: 300, everyMs: 100 }, { noop: "after" }] });
    await until(first, id, (r) => r.tasks.children[1].status === "started", "the task to start");
    await first.kill();

    const killedAt = Date.now();
    const second = await start(dir);
    const done = await until(second, id, (r) => r.status === "rolled_back", "the rollback after the restart");
    const [before, chatty, after] = done.tasks.children;
    expect(before.status).toBe("rolled_back");
    expect(chatty.status).toBe("rolled_back");
    expect(chatty.run.error).toMatch(/^Interrupted/);
    expect(after.status).toBe("not_started");
    expect(done.rolloutFinishedAt).toBeGreaterThan(0);
    expect(done.rollbackFinishedAt).toBeGreaterThan(0);
    const log = await logText(second, `/api/rollouts/${id}/logs/rollout`);
    expect(log).toMatch(/Taken over by instance/);
    expect(log).toMatch(/interrupted; rolling back everything that started/);
    console.log(`takeover after restart: rolled back ${Date.now() - killedAt} ms after the kill (incl. server start)`);
  });

  it("during a shell command of a rollout that pauses on failure: it pauses with that task offered for retry, skip or roll back", async () => {
    const dir = tempDir();
    const pausing = { ...env, KETTLE_ROLLOUT_CLS: "fixtures:PausingTreeRollout" };
    const first = await startServer({ dir, env: pausing });
    servers.push(first);
    const id = await runOn(first, { seq: [{ noop: "before" }, { shell: ["sleep", "60"] }, { noop: "after" }] });
    await until(first, id, (r) => r.tasks.children[1].status === "started", "the command to start");
    await first.kill();

    const second = await startServer({ dir, env: pausing });
    servers.push(second);
    const paused = await until(second, id, (r) => r.status === "paused", "the rollout to pause after the restart");
    expect(paused.pausedReason).toMatchObject({ kind: "interrupted", taskId: 2 });
    expect(paused.tasks.children[1].status).toBe("failed");
    expect(paused.tasks.children[1].decisions).toEqual(["retry", "skip"]);
    expect(paused.signals.available.map((s: Json) => s.name)).toContain("abort_rollout");
    expect(paused.tasks.children[0].status).toBe("finished"); // nothing rolled back
    const skipped = await second.api<Json>("POST", `/api/rollouts/${id}/tasks/2/skip`, { comment: "done by hand" });
    expect(skipped.status).toBe(200);
    const done = await until(second, id, (r) => r.status === "finished", "the run to carry on after the skip");
    expect(done.tasks.children.map((c: Json) => c.status)).toEqual(["finished", "skipped", "finished"]);
  });

  it("during a shell command: the command does not survive as an orphan", async () => {
    const dir = tempDir();
    const first = await start(dir);
    const id = await runOn(first, { seq: [{ shell: ["sh", "-c", "echo pid $$; exec sleep 60"] }] });
    const runLog = await waitFor(async () => {
      const text = await logText(first, `/api/rollouts/${id}/tasks/1/logs/run`);
      return /pid \d+/.test(text) && text;
    }, { what: "the command to print its pid" });
    const pid = Number(/pid (\d+)/.exec(runLog)![1]);
    expect(alive(pid)).toBe(true);
    await first.kill();
    expect(alive(pid)).toBe(true); // orphaned by the kill: the next instance must deal with it

    const second = await start(dir);
    const done = await until(second, id, (r) => r.status === "rolled_back", "the rollback after the restart");
    expect(done.tasks.children[0].run.error).toMatch(/^Interrupted/);
    await waitFor(() => !alive(pid), { what: `the orphaned sleep (pid ${pid}) to be gone` });
    expect(await logText(second, `/api/rollouts/${id}/logs/rollout`)).toMatch(/Killed 1 command\(s\) left running/);
  });

  it("in the middle of a rollback: the rollback carries on and finishes", async () => {
    const dir = tempDir();
    const first = await start(dir);
    const id = await runOn(first, { seq: [{ delay: 2, reversible: true }, { fail: "boom" }] });
    await until(first, id, (r) => r.status === "rolling_back" && r.tasks.children[0].status === "rolling_back", "the reversible delay to be reverting");
    await first.kill();

    const second = await start(dir);
    const done = await until(second, id, (r) => r.status === "rolled_back", "the rollback to finish after the restart");
    expect(done.tasks.children.map((c: Json) => c.status)).toEqual(["rolled_back", "rolled_back"]);
    expect(done.tasks.children[1].run.error).toBe("boom");
    expect(await logText(second, `/api/rollouts/${id}/tasks/1/logs/revert`)).toMatch(/Interrupted: .* reverting again/);
    expect(await logText(second, `/api/rollouts/${id}/logs/rollback`)).toMatch(/Taken over by instance/);
  });

  it("a resumable rollout keeps finished tasks and continues an interrupted delay with the time left", async () => {
    const dir = tempDir();
    const first = await startServer({ dir, env: { ...env, KETTLE_ROLLOUT_CLS: "fixtures:ResumableTreeRollout" } });
    servers.push(first);
    const id = await runOn(first, { seq: [{ noop: "done before" }, { delay: 4 }, { noop: "after" }] });
    const running = await until(first, id, (r) => r.tasks.children[1].status === "started", "the delay to start");
    const delayStarted = running.tasks.children[1].run.startedAt;
    await first.kill();

    const second = await startServer({ dir, env: { ...env, KETTLE_ROLLOUT_CLS: "fixtures:ResumableTreeRollout" } });
    servers.push(second);
    const done = await until(second, id, (r) => r.status === "finished", "the resumed rollout to finish");
    const [before, delay, after] = done.tasks.children;
    expect(before.run.startedAt).toBe(running.tasks.children[0].run.startedAt); // not run again
    expect(delay.run.startedAt).toBe(delayStarted);
    expect(delay.run.finishedAt - delayStarted).toBeGreaterThanOrEqual(4000);
    expect(delay.run.finishedAt - delayStarted).toBeLessThan(12_000);
    expect(after.status).toBe("finished");
    expect(await logText(second, `/api/rollouts/${id}/logs/rollout`)).toMatch(/Resuming/);
  });

  it("SIGTERM during the example's 15-second delay: exits within a few seconds, and the next start carries the delay on to finished", async () => {
    const dir = tempDir();
    const example = { KETTLE_LEASE_MS: "3000" }; // the default rollout:MyRollout
    const first = await startServer({ dir, env: example });
    servers.push(first);
    const { body } = await first.api<Json>("POST", "/api/rollouts", {});
    const id = body.id;
    expect((await first.api("POST", `/api/rollouts/${id}/run`)).status).toBe(202);
    const running = await until(first, id, (r) => r.tasks.status === "started", "the delay to start");
    const t0 = Date.now();
    await first.stop();
    const exitMs = Date.now() - t0;
    expect(exitMs).toBeLessThan(8000);
    const afterStop = await (async () => {
      const { createClient } = await import("@libsql/client");
      const c = createClient({ url: first.dbUrl });
      const rs = await c.execute({ sql: "SELECT lease_owner FROM rollout WHERE id = ?", args: [id] });
      c.close();
      return rs.rows[0].lease_owner;
    })();
    expect(afterStop).toBeNull();
    const second = await startServer({ dir, env: example });
    servers.push(second);
    const done = await until(second, id, (r) => ["finished", "rolled_back", "rollback_failed"].includes(r.status), "the rollout to end after the restart");
    expect(done.status).toBe("finished");
    expect(done.tasks.status).toBe("finished");
    expect(done.tasks.run.startedAt).toBe(running.tasks.run.startedAt);
    expect(done.tasks.run.finishedAt - done.tasks.run.startedAt).toBeGreaterThanOrEqual(15_000);
    expect(done.tasks.revert).toEqual({});
    expect(done.rollbackStartedAt).toBeNull();
  });
});

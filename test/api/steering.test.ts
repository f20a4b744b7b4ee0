// The steering API against a real server: decisions on tasks, pause/resume,
// retry rollback, with their status codes and the fields the view gains.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { startServer, type TestServer } from "../helpers/server";
import { waitFor } from "../helpers/db";

type Json = Record<string, any>;
let server: TestServer;
const user = { "X-Forwarded-User": "alice" };

beforeAll(async () => {
  server = await startServer({
    env: { KETTLE_ROLLOUT_CLS: "fixtures:TreeRollout,fixtures:PausingTreeRollout", KETTLE_AUTH: "proxy", KETTLE_USER_HEADER: "X-Forwarded-User", KETTLE_DEFAULT_ROLE: "operator" },
    headers: { "X-Forwarded-User": "bot" },
  });
});
afterAll(async () => {
  await server?.stop();
});

async function started(tree: unknown, kind = "fixtures:TreeRollout"): Promise<number> {
  const { body } = await server.api<Json>("POST", "/api/rollouts", { kind, config: { tree } });
  expect((await server.api("POST", `/api/rollouts/${body.id}/run`)).status).toBe(202);
  return body.id;
}
const view = async (id: number) => (await server.api<Json>("GET", `/api/rollouts/${id}`)).body;
const until = (id: number, pred: (v: Json) => unknown, what: string) =>
  waitFor(async () => {
    const v = await view(id);
    return pred(v) ? v : null;
  }, { what, timeoutMs: 20_000 });

describe("task decisions", () => {
  it("approve: 200 with the rollout; the run continues and the decision is on record", async () => {
    const id = await started({ seq: [{ approval: "Ship it?" }, { noop: "after" }] });
    await until(id, (v) => v.tasks.children[0].status === "waiting", "the gate to wait");
    const approved = await server.api<Json>("POST", `/api/rollouts/${id}/tasks/1/approve`, { comment: "go" }, user);
    expect(approved.status).toBe(200);
    expect(approved.body.id).toBe(id);
    const again = await server.api<Json>("POST", `/api/rollouts/${id}/tasks/1/reject`, {}, user);
    expect(again.status).toBe(409);
    const done = await until(id, (v) => v.status === "finished", "the rollout to finish");
    expect(done.decisions).toEqual([expect.objectContaining({ action: "approve", by: "alice", taskId: 1, comment: "go" })]);
    expect(done.tasks.children[0].attempts).toHaveLength(1);
    expect(done.pausedReason).toBeNull();
  });

  it("retry and skip: 409 unless the rollout is paused on that failed task; then 200", async () => {
    const id = await started({ seq: [{ flaky: `api${randomBytes(3).toString("hex")}`, failTimes: 1 }, { noop: "after" }] }, "fixtures:PausingTreeRollout");
    const paused = await until(id, (v) => v.status === "paused", "the rollout to pause");
    expect(paused.pausedReason).toMatchObject({ kind: "failure", taskId: 1 });
    expect(paused.waitingFor).toEqual([expect.objectContaining({ taskId: 1, kind: "failure" })]);
    expect((await server.api<Json>("POST", `/api/rollouts/${id}/tasks/2/retry`)).status).toBe(409); // not failed
    expect((await server.api<Json>("POST", `/api/rollouts/${id}/tasks/1/approve`)).status).toBe(409); // not waiting
    expect((await server.api<Json>("POST", `/api/rollouts/${id}/signals/resume_rollout`)).status).toBe(409); // decide first
    expect((await server.api<Json>("POST", `/api/rollouts/${id}/tasks/1/retry`, {}, user)).status).toBe(200);
    await until(id, (v) => v.status === "finished", "the retried rollout to finish");
  });

  it("404 for an unknown rollout, task or decision; 400 for a bad body; 405 for a GET", async () => {
    const id = await started({ delay: 5 });
    expect((await server.api<Json>("POST", `/api/rollouts/999999/tasks/0/approve`)).status).toBe(404);
    const noTask = await server.api<Json>("POST", `/api/rollouts/${id}/tasks/7/approve`);
    expect(noTask).toMatchObject({ status: 404, body: { error: `Rollout ${id} has no task 7` } });
    expect((await server.api<Json>("POST", `/api/rollouts/${id}/tasks/0/promote`)).status).toBe(404);
    const long = await server.api<Json>("POST", `/api/rollouts/${id}/tasks/0/approve`, { comment: "x".repeat(1001) });
    expect(long.status).toBe(400);
    expect(long.body.error).toMatch(/at most 1000 characters/);
    expect((await server.api<Json>("POST", `/api/rollouts/${id}/tasks/0/approve`, { comment: 5 })).status).toBe(400);
    expect((await server.api<Json>("POST", `/api/rollouts/${id}/tasks/0/approve`, [1])).status).toBe(400);
    expect((await server.api<Json>("GET", `/api/rollouts/${id}/tasks/0/approve`)).status).toBe(405);
    expect((await server.api<Json>("POST", `/api/rollouts/${id}/signals/abort_rollout`)).status).toBe(200);
  });

  it("a page on another site cannot make a decision", async () => {
    const id = await started({ approval: "Cross?" });
    await until(id, (v) => v.tasks.status === "waiting", "the gate to wait");
    const res = await server.api<Json>("POST", `/api/rollouts/${id}/tasks/0/approve`, {}, { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" });
    expect(res.status).toBe(403);
    expect((await view(id)).decisions).toEqual([]);
    expect((await server.api<Json>("POST", `/api/rollouts/${id}/tasks/0/reject`)).status).toBe(200);
  });
});

describe("pause, resume and retry rollback", () => {
  it("pause and resume through the signals route, each recorded with who sent it", async () => {
    const id = await started({ delay: 3 });
    await until(id, (v) => v.tasks.status === "started", "the delay to start");
    expect((await server.api<Json>("POST", `/api/rollouts/${id}/signals/pause_rollout`, { comment: "lunch" }, user)).status).toBe(200);
    expect((await server.api<Json>("POST", `/api/rollouts/${id}/signals/pause_rollout`, {}, user)).status).toBe(409);
    const paused = await view(id);
    expect(paused).toMatchObject({ status: "paused", pausedReason: { kind: "signal", by: "alice", message: "Paused by alice: lunch" } });
    expect(paused.tasks.progress).toMatch(/^paused, \d secs left$/);
    expect((await server.api<Json>("POST", `/api/rollouts/${id}/signals/resume_rollout`, {}, user)).status).toBe(200);
    const done = await until(id, (v) => v.status === "finished", "the rollout to finish");
    expect(done.decisions.map((d: Json) => d.action)).toEqual(["pause_rollout", "resume_rollout"]);
    const log = (await server.api<string>("GET", `/api/rollouts/${id}/logs/rollout`)).body;
    expect(log).toMatch(/Paused by alice: lunch/);
    expect(log).toMatch(/Resumed by alice/);
  });

  it("retry rollback: 202 while rollback_failed, 409 otherwise", async () => {
    const id = await started({ seq: [{ flaky: `rb${randomBytes(3).toString("hex")}`, failTimes: 0, failRevertOnce: true }, { fail: "boom" }] });
    await until(id, (v) => v.status === "rollback_failed", "the rollback to fail");
    const retried = await server.api<Json>("POST", `/api/rollouts/${id}/rollback/retry`, {}, user);
    expect(retried.status).toBe(202);
    const done = await until(id, (v) => v.status === "rolled_back", "the retried rollback to finish");
    expect(done.decisions).toEqual([expect.objectContaining({ action: "retry_rollback", by: "alice" })]);
    expect((await server.api<Json>("POST", `/api/rollouts/${id}/rollback/retry`)).status).toBe(409);
    expect((await server.api<Json>("POST", `/api/rollouts/999999/rollback/retry`)).status).toBe(404);
  });
});

// In a sequence, task i's end and task i + 1's start share one commit, as one
// statement (group-commit.ts, carry): a sequence of N leaves costs about N task
// writes, not 2N. And still "committed before the next step starts": when a
// task's code runs, its start and its previous sibling's end are in the database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InStatement } from "@libsql/client";
import { engine, type Engine } from "./harness";

let e: Engine;
const taskWrites: string[] = [];
beforeAll(async () => {
  e = await engine();
  const client = e.db.$client;
  const sqlOf = (s: InStatement) => (typeof s === "string" ? s : s.sql);
  const execute = client.execute.bind(client);
  const batch = client.batch.bind(client);
  client.execute = ((s: InStatement, ...rest: unknown[]) => {
    if (/^\s*UPDATE task\b/.test(sqlOf(s))) taskWrites.push(sqlOf(s));
    return (execute as (...a: unknown[]) => ReturnType<typeof execute>)(s, ...rest);
  }) as typeof client.execute;
  client.batch = ((stmts: InStatement[], ...rest: unknown[]) => {
    for (const s of stmts) if (/^\s*UPDATE task\b/.test(sqlOf(s))) taskWrites.push(sqlOf(s));
    return (batch as (...a: unknown[]) => ReturnType<typeof batch>)(stmts, ...rest);
  }) as typeof client.batch;
});
afterAll(async () => {
  await e.stop();
});

describe("a sequence's task writes", () => {
  it("one statement per task: each end rides with the next start", async () => {
    const n = 200;
    taskWrites.length = 0;
    const id = await e.start({ seq: Array.from({ length: n }, () => ({ noop: true })) });
    expect((await e.until(id)).status).toBe("finished");
    // n starts + n ends + the root's start and end, in about n + 2 statements (a few ends go alone
    // when the runner gives the event loop its turn between two tasks).
    expect(taskWrites.length).toBeLessThanOrEqual(Math.ceil(n * 1.15) + 2);
    const v = await e.view(id);
    expect(v.tasks!.children.every((t) => t.status === "finished")).toBe(true);
  });

  it("a task's code runs only once its start and its previous sibling's end are committed", async () => {
    const id = await e.start({ seq: [{ noop: "a" }, { shell: ["sh", "-c", "exit 0"] }, { noop: "c" }] });
    expect((await e.until(id)).status).toBe("finished");
    const rows = (await e.db.$client.execute({ sql: "SELECT id, run_started_at, run_finished_at FROM task WHERE rollout_id = ? ORDER BY id", args: [id] })).rows;
    for (let i = 2; i < rows.length; i++) expect(Number(rows[i - 1].run_finished_at)).toBeLessThanOrEqual(Number(rows[i].run_started_at));
  });
});

describe("a carried end with a start that is refused", () => {
  it("commits the end, refuses the start, and says which (one statement, read back)", async () => {
    const { groupCarry, groupUpdate } = await import("@/lib/kettle/store/group-commit");
    const id = await e.create({ seq: [{ noop: "a" }, { noop: "b" }] });
    const c = e.db.$client;
    await c.execute({ sql: "UPDATE rollout SET status = 'started', lease_owner = 'me' WHERE id = ?", args: [id] });
    await c.execute({ sql: "UPDATE task SET run_started_at = 1 WHERE rollout_id = ? AND id IN (1, 2)", args: [id] });
    const end = groupCarry(e.db, { rolloutId: id, owner: "me", taskId: 1, set: { run_finished_at: 5, run_result: "done" }, guard: "1" });
    const start = groupUpdate(e.db, { rolloutId: id, owner: "me", taskId: 2, set: { run_started_at: 6 }, guard: "task.run_started_at IS NULL" });
    expect(await Promise.all([end, start])).toEqual([1, 0]);
    const rows = (await c.execute({ sql: "SELECT id, run_started_at, run_finished_at, run_result FROM task WHERE rollout_id = ? AND id IN (1, 2) ORDER BY id", args: [id] })).rows;
    expect(rows.map((r) => [Number(r.id), Number(r.run_started_at), r.run_finished_at === null ? null : Number(r.run_finished_at), r.run_result])).toEqual([
      [1, 1, 5, "done"],
      [2, 1, null, null],
    ]);
  });
});

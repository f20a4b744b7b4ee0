// The queue per kind (issue 21) through the engine's operations: fifo order with
// cancel and move to front; "newest" supersedes the older queued runs (never the
// running one), each supersede an audit row naming the rollout that replaced it.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDb, waitFor, type TempDb } from "../helpers/db";
import { Runner } from "@/lib/kettle/runner/runner";
import { cancelQueuedRun, createRollout, getRollout, moveQueuedToFront, runRollout, sendSignal, type AuditEntry } from "@/lib/kettle/operations";
import { readAudit } from "@/lib/kettle/store/audit";

const QUEUED = "fixtures:QueuedTreeRollout";
const NEWEST = "fixtures:NewestTreeRollout";
const offered = [QUEUED, NEWEST];
const who = (action: string): AuditEntry => ({ at: Date.now(), user: "olga", role: "operator", via: "proxy", action });
let env: TempDb;
let runner: Runner;

beforeEach(async () => {
  env = await tempDb();
  runner = new Runner(env.db, { pollMs: 20, signalPollMs: 20, leaseMs: 5000 }).start();
});
afterEach(async () => {
  await runner.stop();
  env.close();
});

/** A rollout that waits for an approval: it holds its slot until approved (or aborted). */
const gated = (kind: string, label: string) => createRollout(env.db, { kind, config: { tree: { seq: [{ approval: label }, { noop: label }] } } }, offered);
const view = (id: number) => getRollout(env.db, id);
const until = (id: number, status: string) => waitFor(async () => ((await view(id)).status === status ? true : null), { what: `rollout ${id} to be ${status}` });

describe("a fifo queue (two at a time)", () => {
  it("queues the third and fourth in order; cancel takes one out, front moves one ahead, a freed slot starts the head", async () => {
    const [r1, r2, r3, r4, r5] = await Promise.all([1, 2, 3, 4, 5].map((i) => gated(QUEUED, `r${i}`)));
    expect(await runRollout(env.db, r1, "olga", who("run"))).toBe("started");
    expect(await runRollout(env.db, r2, "olga", who("run"))).toBe("started");
    expect(await runRollout(env.db, r3, "olga", who("run"))).toBe("queued");
    expect(await runRollout(env.db, r4, "olga", who("run"))).toBe("queued");
    expect(await runRollout(env.db, r5, "olga", who("run"))).toBe("queued");
    expect((await view(r3)).queue).toEqual({ position: 1, limit: 2 });
    expect((await view(r5)).queue).toEqual({ position: 3, limit: 2 });
    await cancelQueuedRun(env.db, r3, who("queue_cancel"));
    expect((await view(r3)).status).toBe("not_started");
    await expect(cancelQueuedRun(env.db, r3, who("queue_cancel"))).rejects.toThrow(/not queued/);
    await moveQueuedToFront(env.db, r5, { ...who("queue_front"), user: "ada", role: "admin" });
    expect((await view(r5)).queue?.position).toBe(1);
    expect((await view(r4)).queue?.position).toBe(2);
    await sendSignal(env.db, r1, "abort_rollout", "olga"); // frees a slot: the head (r5) starts, r4 waits
    await until(r5, "started");
    expect((await view(r4)).status).toBe("queued");
    const actions = (await readAudit(env.db, {}, 50, 0)).rows.map((r) => `${r.action}:${r.rolloutId}`);
    expect(actions).toEqual(expect.arrayContaining([`queue:${r3}`, `queue:${r4}`, `queue:${r5}`, `queue_cancel:${r3}`, `queue_front:${r5}`]));
    expect(actions).not.toContain(`queue:${r1}`);
  });
});

describe("a newest queue (one at a time)", () => {
  it("a newer queued run supersedes the older queued ones, never the running one", async () => {
    const [n1, n2, n3, n4] = await Promise.all([1, 2, 3, 4].map((i) => gated(NEWEST, `n${i}`)));
    expect(await runRollout(env.db, n1, "olga", who("run"))).toBe("started");
    expect(await runRollout(env.db, n2, "olga", who("run"))).toBe("queued");
    expect(await runRollout(env.db, n3, "olga", who("run"))).toBe("queued");
    const v2 = await view(n2);
    expect(v2).toMatchObject({ status: "superseded", supersededBy: n3 });
    expect(await runRollout(env.db, n4, "olga", who("run"))).toBe("queued");
    expect((await view(n3)).status).toBe("superseded");
    expect((await view(n1)).status).toBe("started");
    expect((await view(n4)).queue).toEqual({ position: 1, limit: 1 });
    const supersedes = (await readAudit(env.db, { action: "supersede" }, 10, 0)).rows.map((r) => [r.rolloutId, r.comment]);
    expect(supersedes).toEqual(expect.arrayContaining([[n2, `superseded by rollout #${n3}`], [n3, `superseded by rollout #${n4}`]]));
    await expect(runRollout(env.db, n2, "olga")).rejects.toThrow(/already been run \(status: superseded\)/);
  });
});

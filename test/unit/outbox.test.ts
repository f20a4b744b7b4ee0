// The outbox triggers (an event exists exactly when its change commits) and the
// delivery's claim, backoff and bookkeeping, on a real database file.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { tempDb, waitFor, type TempDb } from "../helpers/db";
import { startReceiver, type Receiver } from "../helpers/receiver";
import { insertWebhook, claimDue, deliveriesOf, pruneOutbox } from "@/lib/kettle/store/webhooks";
import { OutboxDelivery, retryDelay } from "@/lib/kettle/outbound/outbox";
import { sealSecret } from "@/lib/kettle/secrets";
import { SECRET_PURPOSE } from "@/lib/kettle/outbound/webhooks";
import { addressAllowed } from "@/lib/web/metrics";

let t: TempDb;
let receiver: Receiver;
beforeEach(async () => {
  t = await tempDb();
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
  t.close();
});

const audit = { sql: "SELECT 1", args: [] };
async function hook(events: string[], path = "/", secret = "whsec_" + Buffer.alloc(32, 7).toString("base64")) {
  const id = await insertWebhook(t.db, { url: receiver.url + path, events, format: "standard", secretSealed: await sealSecret(SECRET_PURPOSE, secret), description: null, createdBy: null, createdAt: Date.now() }, audit);
  return { id, secret };
}
async function rollout(): Promise<number> {
  const rs = await t.db.$client.execute({ sql: "INSERT INTO rollout (kind, config, created_at) VALUES ('k:K', '{}', ?) RETURNING id", args: [Date.now()] });
  return Number(rs.rows[0].id);
}
const setStatus = (id: number, status: string) => t.db.$client.execute({ sql: "UPDATE rollout SET status = ? WHERE id = ?", args: [status, id] });
const outbox = async () => (await t.db.$client.execute("SELECT event, rollout_id, task_id, payload FROM outbox ORDER BY id")).rows.map((r) => ({ event: String(r.event), task_id: r.task_id === null ? null : Number(r.task_id), payload: JSON.parse(String(r.payload)) }));

describe("outbox triggers", () => {
  it("one row per matching subscription and status change; started only from not_started; none for other columns", async () => {
    await hook(["rollout.started", "rollout.finished"]);
    await hook(["*"]);
    await hook(["task.failed"]);
    const id = await rollout();
    await setStatus(id, "started");
    await t.db.$client.execute({ sql: "UPDATE rollout SET heartbeat_at = 1 WHERE id = ?", args: [id] });
    await setStatus(id, "paused");
    await setStatus(id, "started"); // a resume is not a start
    await setStatus(id, "started"); // no change
    await setStatus(id, "finished");
    const rows = await outbox();
    expect(rows.map((r) => r.event)).toEqual(["rollout.started", "rollout.started", "rollout.paused", "rollout.finished", "rollout.finished"]);
    expect(rows[3].payload).toMatchObject({ type: "rollout.finished", data: { rollout: { id, kind: "k:K", status: "finished" } } });
  });

  it("nothing for a change that does not commit", async () => {
    await hook(["*"]);
    const id = await rollout();
    const tx = await t.db.$client.transaction("write");
    await tx.execute({ sql: "UPDATE rollout SET status = 'started' WHERE id = ?", args: [id] });
    expect((await tx.execute("SELECT count(*) AS n FROM outbox")).rows[0].n).toBe(1);
    await tx.rollback();
    expect(await outbox()).toEqual([]);
  });

  it("task.failed for a failing leaf only; approval.requested when a gate starts waiting", async () => {
    await hook(["task.failed", "approval.requested"]);
    const id = await rollout();
    await t.db.$client.batch([
      { sql: "INSERT INTO task (rollout_id, id, parent_id, type, state) VALUES (?, 0, NULL, 'SequentialExecTask', '{}')", args: [id] },
      { sql: "INSERT INTO task (rollout_id, id, parent_id, type, state) VALUES (?, 1, 0, 'ApprovalTask', '{\"title\":\"Go?\"}')", args: [id] },
      { sql: "INSERT INTO task (rollout_id, id, parent_id, type, state) VALUES (?, 2, 0, 'FailTask', '{}')", args: [id] },
    ]);
    await t.db.$client.execute({ sql: "UPDATE task SET run_started_at = 1, waiting_at = 2 WHERE rollout_id = ? AND id = 1", args: [id] });
    await t.db.$client.execute({ sql: "UPDATE task SET run_started_at = 1, run_failed_at = 3, run_error = 'boom' WHERE rollout_id = ? AND id IN (2, 0)", args: [id] });
    const rows = await outbox();
    expect(rows.map((r) => [r.event, r.task_id])).toEqual([
      ["approval.requested", 1],
      ["task.failed", 2],
    ]);
    expect(rows[0].payload.data.task).toMatchObject({ id: 1, type: "ApprovalTask", title: "Go?" });
    expect(rows[1].payload.data.task).toMatchObject({ id: 2, error: "boom" });
  });
});

describe("delivery", () => {
  it("a claim is held by one instance at a time until its lease runs out", async () => {
    await hook(["*"]);
    await setStatus(await rollout(), "started");
    const now = Date.now() + 1;
    expect(await claimDue(t.db, "a", now, now + 1000)).toHaveLength(1);
    expect(await claimDue(t.db, "b", now, now + 1000)).toHaveLength(0);
    expect(await claimDue(t.db, "b", now + 1001, now + 2000)).toHaveLength(1);
  });

  it("retries with doubling delays, records every attempt, and signs each one", async () => {
    const { id: hookId, secret } = await hook(["rollout.started"], "/flaky");
    receiver.answer = (_r, nth) => (nth <= 2 ? 503 : 204);
    await setStatus(await rollout(), "started");
    const d = new OutboxDelivery(t.db, { owner: "test", pollMs: 20, backoffMs: 100 }).start();
    try {
      const done = await waitFor(async () => (await deliveriesOf(t.db, hookId)).find((x) => x.deliveredAt));
      expect(done.attemptList.map((a) => a.status)).toEqual([503, 503, 204]);
      expect(done.attemptList[0].error).toBe("HTTP 503");
      const gaps = receiver.received.slice(1).map((r, i) => r.at - receiver.received[i].at);
      expect(gaps[0]).toBeGreaterThanOrEqual(90);
      expect(gaps[1]).toBeGreaterThanOrEqual(190);
      for (const r of receiver.received) new Webhook(secret).verify(r.body, r.headers);
    } finally {
      await d.stop();
    }
  });

  it("gives up once the event is older than the limit", async () => {
    const { id: hookId } = await hook(["rollout.started"]);
    receiver.answer = () => 500;
    await setStatus(await rollout(), "started");
    const d = new OutboxDelivery(t.db, { owner: "test", pollMs: 20, backoffMs: 20, maxAgeMs: 150 }).start();
    try {
      const given = await waitFor(async () => (await deliveriesOf(t.db, hookId)).find((x) => x.failedAt));
      expect(given.attemptList.length).toBeGreaterThanOrEqual(2);
      expect(given.deliveredAt).toBeNull();
    } finally {
      await d.stop();
    }
  });

  it("pruning forgets finished events past the limit, never pending ones", async () => {
    await hook(["*"]);
    const id = await rollout();
    await setStatus(id, "started");
    await setStatus(id, "finished");
    await t.db.$client.execute("UPDATE outbox SET delivered_at = 1000 WHERE event = 'rollout.started'");
    await pruneOutbox(t.db, 2000);
    expect((await outbox()).map((r) => r.event)).toEqual(["rollout.finished"]);
  });

  it("backoff doubles up to the cap", () => {
    expect(retryDelay(1, 1000, 60_000)).toBeGreaterThanOrEqual(1000);
    expect(retryDelay(1, 1000, 60_000)).toBeLessThanOrEqual(1100);
    expect(retryDelay(3, 1000, 60_000)).toBeGreaterThanOrEqual(4000);
    expect(retryDelay(20, 1000, 60_000)).toBeLessThanOrEqual(66_000);
  });
});

describe("metrics allow list", () => {
  it("addresses and CIDR ranges; IPv4-mapped IPv6 counts as IPv4", () => {
    const list = ["127.0.0.1", "::1", "10.0.0.0/8"];
    expect(addressAllowed("127.0.0.1", list)).toBe(true);
    expect(addressAllowed("::ffff:127.0.0.1", list)).toBe(true);
    expect(addressAllowed("::1", list)).toBe(true);
    expect(addressAllowed("10.2.3.4", list)).toBe(true);
    expect(addressAllowed("192.168.1.1", list)).toBe(false);
    expect(addressAllowed(null, list)).toBe(false);
    expect(addressAllowed("not an address", list)).toBe(false);
  });
});

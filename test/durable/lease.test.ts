// Lease logic: expiry, renewal, takeover, and claimers racing.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDb, waitFor, type TempDb } from "../helpers/db";
import { claimLease, claimableRollouts, renewLease, releaseLease } from "@/lib/kettle/store/leases";
import { createRollout, getLog, getRollout, runRollout, sendSignal } from "@/lib/kettle/operations";
import { Runner } from "@/lib/kettle/runner/runner";

const kinds = ["fixtures:TreeRollout"];
let t: TempDb;
let runners: Runner[] = [];

beforeEach(async () => {
  t = await tempDb();
});
afterEach(async () => {
  await Promise.all(runners.map((r) => r.stop()));
  runners = [];
  t.close();
});

async function startedRollout(tree: unknown = { delay: 30 }) {
  const id = await createRollout(t.db, { kind: kinds[0], config: { tree } }, kinds);
  await runRollout(t.db, id, null);
  return id;
}

describe("leases", () => {
  it("a started rollout is claimable until someone holds an unexpired lease", async () => {
    const id = await startedRollout();
    const at = 1_000_000;
    expect((await claimableRollouts(t.db, at)).map((c) => c.id)).toEqual([id]);
    expect(await claimLease(t.db, id, "a", null, at, 1000)).toBe(true);
    expect(await claimableRollouts(t.db, at + 999)).toEqual([]);
    expect(await claimableRollouts(t.db, at + 1001)).toEqual([{ id, previousOwner: "a" }]);
  });

  it("expiry: another claimer wins only after the lease ran out", async () => {
    const id = await startedRollout();
    const at = 1_000_000;
    expect(await claimLease(t.db, id, "a", null, at, 1000)).toBe(true);
    expect(await claimLease(t.db, id, "b", "a", at + 500, 1000)).toBe(false);
    expect(await claimLease(t.db, id, "b", "a", at + 1500, 1000)).toBe(true);
  });

  it("renewal extends the lease; a runner that lost it cannot renew", async () => {
    const id = await startedRollout();
    const at = 1_000_000;
    await claimLease(t.db, id, "a", null, at, 1000);
    expect(await renewLease(t.db, id, "a", at + 900, 1000)).toBe(true);
    expect(await claimLease(t.db, id, "b", "a", at + 1500, 1000)).toBe(false); // renewed until at+1900
    expect(await claimLease(t.db, id, "b", "a", at + 2000, 1000)).toBe(true);
    expect(await renewLease(t.db, id, "a", at + 2001, 1000)).toBe(false);
  });

  it("two claimers racing for the same rollout: exactly one wins, every time", async () => {
    for (let i = 0; i < 20; i++) {
      const id = await startedRollout({ noop: true });
      const at = Date.now();
      const results = await Promise.all(["a", "b", "c"].map((owner) => claimLease(t.db, id, owner, null, at, 1000)));
      expect(results.filter(Boolean)).toHaveLength(1);
    }
  });

  it("a released lease is claimable at once", async () => {
    const id = await startedRollout();
    const at = 1_000_000;
    await claimLease(t.db, id, "a", null, at, 60_000);
    await releaseLease(t.db, id, "a");
    expect(await claimLease(t.db, id, "b", null, at + 1, 1000)).toBe(true);
  });

  it("takeover: when a runner goes silent, another takes the rollout over and the silent one stops writing", async () => {
    // A task that cannot simply carry on after a takeover (a delay could: it would resume).
    const id = await startedRollout({ seq: [{ noop: "first" }, { chatty: 300, everyMs: 100 }, { noop: "never" }] });
    const a = new Runner(t.db, { id: "a", pollMs: 20, signalPollMs: 20, leaseMs: 60_000 }).start();
    runners.push(a);
    await waitFor(async () => (await getRollout(t.db, id)).tasks!.children[1].status === "started", { what: "the task to start" });
    expect((await getRollout(t.db, id)).runner.silent).toBe(false);
    // Runner a goes silent: its lease runs out without being renewed.
    await t.db.$client.execute({ sql: "UPDATE rollout SET lease_expires_at = 0 WHERE id = ?", args: [id] });
    expect((await getRollout(t.db, id)).runner.silent).toBe(true);
    const b = new Runner(t.db, { id: "b", pollMs: 20, signalPollMs: 20, leaseMs: 60_000 }).start();
    runners.push(b);
    const done = await waitFor(async () => {
      const r = await getRollout(t.db, id);
      return r.status === "rolled_back" && r;
    });
    const [first, delay, never] = done.tasks!.children;
    expect(first.status).toBe("rolled_back");
    expect(delay.run.error).toMatch(/^Interrupted/);
    expect(delay.status).toBe("rolled_back");
    expect(never.status).toBe("not_started");
    const log = (await getLog(t.db, { rolloutId: String(id), stream: "rollout" })).map((l) => l.line).join("\n");
    expect(log).toMatch(/Taken over by instance b:.* from instance a:/);
    expect(done.runner.owner).toBeNull();
    await waitFor(() => a.running.length === 0, { what: "runner a to let go" });
  });

  it("takeover after skip_rollback keeps what ran instead of rolling it back", async () => {
    const id = await startedRollout({ seq: [{ noop: "kept" }, { chatty: 300, everyMs: 100 }] });
    const a = new Runner(t.db, { id: "a", pollMs: 20, signalPollMs: 20, leaseMs: 60_000 }).start();
    runners.push(a);
    await waitFor(async () => (await getRollout(t.db, id)).tasks!.children[1].status === "started", { what: "the delay to start" });
    await sendSignal(t.db, id, "skip_rollback", "alice");
    await t.db.$client.execute({ sql: "UPDATE rollout SET lease_expires_at = 0 WHERE id = ?", args: [id] });
    const b = new Runner(t.db, { id: "b", pollMs: 20, signalPollMs: 20, leaseMs: 60_000 }).start();
    runners.push(b);
    const done = await waitFor(async () => {
      const r = await getRollout(t.db, id);
      return r.status === "finished" && r;
    }, { what: "the rollout to end without a rollback" });
    const [kept, delay] = done.tasks!.children;
    expect(kept.status).toBe("finished");
    expect(delay.status).toBe("failed");
    expect(delay.run.error).toMatch(/^Interrupted/);
    expect(done.rollbackStartedAt).toBeNull();
    const log = (await getLog(t.db, { rolloutId: String(id), stream: "rollout" })).map((l) => l.line).join("\n");
    expect(log).toMatch(/no rollback: skip_rollback from alice/);
  });

  it("a rollout whose class is gone is retried, and the reason is logged once, not at every retry", async () => {
    const id = await startedRollout({ noop: true });
    await t.db.$client.execute({ sql: "UPDATE rollout SET kind = 'fixtures:GoneRollout' WHERE id = ?", args: [id] });
    const a = new Runner(t.db, { id: "a", pollMs: 20, signalPollMs: 20, leaseMs: 60_000 }).start();
    runners.push(a);
    const leaseOf = async () => Number((await t.db.$client.execute({ sql: "SELECT lease_expires_at AS e FROM rollout WHERE id = ?", args: [id] })).rows[0].e);
    for (let attempt = 0; attempt < 3; attempt++) {
      await waitFor(async () => (await leaseOf()) > 0, { what: `attempt ${attempt + 1} to claim it` });
      await waitFor(() => a.running.length === 0, { what: "the attempt to give up" });
      await t.db.$client.execute({ sql: "UPDATE rollout SET lease_expires_at = 0 WHERE id = ?", args: [id] });
    }
    const lines = (await getLog(t.db, { rolloutId: String(id), stream: "rollout" })).map((l) => l.line);
    expect(lines.filter((l) => /cannot run this rollout: .*no Rollout subclass exported as "GoneRollout"/.test(l))).toHaveLength(1);
    expect((await getRollout(t.db, id)).status).toBe("started");
  });
});

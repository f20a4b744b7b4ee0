// D1: how long from a person's decision (an approval through the HTTP API) to
// the runner acting on it (the gate's task recorded finished), sent to the
// instance that runs the rollout and to another instance sharing its database.
import type { BenchServer, LatencyResult } from "./server";
import { collect, one, startRollout, until } from "./server";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pidOfOwner = (owner: unknown) => Number(String(owner).split(":").at(-2));

/** `servers`: two instances on one database. Each sample approves a waiting gate through the owner, then through the other one. */
export async function decisionLatency(servers: [BenchServer, BenchServer], samples: number): Promise<LatencyResult> {
  const phases: Record<string, number[]> = { sameInstance: [], otherInstance: [] };
  const errors: string[] = [];
  for (let i = 0; i < samples * 2; i++) {
    const phase = i % 2 === 0 ? "sameInstance" : "otherInstance";
    try {
      const id = await startRollout(servers[i % 2 === 0 ? 0 : 1], { approval: `bench ${i}` });
      const [a] = servers;
      const task = await until("the gate to wait", async () => {
        const r = await one(a.db, "SELECT t.waiting_at, r.lease_owner FROM task t JOIN rollout r ON r.id = t.rollout_id WHERE t.rollout_id = ? AND t.parent_id IS NULL", [id]);
        return r?.waiting_at && r.lease_owner ? r : undefined;
      });
      const owner = servers.find((s) => s.pid === pidOfOwner(task.lease_owner));
      if (!owner) throw new Error(`no server owns rollout ${id} (${String(task.lease_owner)})`);
      const via = phase === "sameInstance" ? owner : servers.find((s) => s !== owner)!;
      // Land at a random point of the runner's signal-poll cycle, as a person would.
      await sleep(Math.random() * 60);
      const sentAt = Date.now();
      const r = await via.api("POST", `/api/rollouts/${id}/tasks/0/approve`, { comment: "bench" });
      if (r.status !== 200) throw new Error(`approve: ${r.status} ${JSON.stringify(r.body)}`);
      const done = await until("the runner to act", async () => {
        const row = await one(a.db, "SELECT run_finished_at FROM task WHERE rollout_id = ? AND parent_id IS NULL", [id]);
        return row?.run_finished_at ? row : undefined;
      });
      phases[phase].push(Number(done.run_finished_at) - sentAt);
    } catch (e) {
      errors.push(`sample ${i}: ${(e as Error).message}`);
    }
  }
  return { samples, phases: collect(phases), errors };
}

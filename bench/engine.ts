// One engine workload, in its own process so that its peak RSS is its own:
//   node --import tsx bench/engine.ts '{"workload":"seq","n":1000,"reps":5}'
// Prints one line "RESULT <json>" at the end. The engine runs in-process: a
// temp libSQL file (WAL, synchronous=NORMAL, as in production), createRollout
// + runRollout from operations.ts, and a Runner that picks the run up.
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { tempDb } from "../test/helpers/db";
import { createRollout, runRollout } from "@/lib/kettle/operations";
import { Runner } from "@/lib/kettle/runner/runner";
import { tuneHeap } from "@/lib/kettle/runner/heap";
import type { TreeSpec } from "@/rollouts/fixtures";
import { peakRssMb, summarise } from "./stats";

export type FloorJob = { workload: "floor"; n: number; reps: number };
export type TreeJob = { workload: "seq" | "par" | "seqs" | "fail"; n: number; reps: number };
export type EngineJob = FloorJob | TreeJob;

const KIND = "fixtures:TreeRollout";

function treeFor(job: TreeJob): { tree: TreeSpec; leaves: number; done: string } {
  const noops = (k: number): TreeSpec[] => Array.from({ length: k }, () => ({ noop: true as const }));
  switch (job.workload) {
    case "seq":
      return { tree: { seq: noops(job.n) }, leaves: job.n, done: "finished" };
    case "par":
      return { tree: { par: noops(job.n) }, leaves: job.n, done: "finished" };
    case "seqs":
      return { tree: { par: Array.from({ length: 10 }, () => ({ seq: noops(job.n) })) }, leaves: 10 * job.n, done: "finished" };
    case "fail":
      return { tree: { seq: [...noops(job.n), { fail: "bench: the last task fails" }] }, leaves: job.n + 1, done: "rolled_back" };
    default:
      throw new Error(`not a tree workload: ${job.workload}`);
  }
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The floor: single-row INSERT then UPDATE, each its own commit, through @libsql/client. */
async function floor(job: FloorJob) {
  const t = await tempDb();
  const c = t.db.$client;
  const rs = await c.execute({ sql: "INSERT INTO rollout (kind, config, created_at) VALUES ('floor', '{}', ?) RETURNING id", args: [Date.now()] });
  const rolloutId = Number(rs.rows[0].id);
  const insertUs: number[] = [];
  const updateUs: number[] = [];
  const pairUs: number[] = [];
  let next = 0;
  for (let rep = 0; rep < job.reps; rep++) {
    let ins = 0;
    let upd = 0;
    for (let i = 0; i < job.n; i++) {
      const id = next++;
      const a = performance.now();
      await c.execute({ sql: "INSERT INTO task (rollout_id, id, parent_id, position, type, state) VALUES (?, ?, NULL, 0, 'NoopTask', '{}')", args: [rolloutId, id] });
      const b = performance.now();
      await c.execute({ sql: "UPDATE task SET run_started_at = ? WHERE rollout_id = ? AND id = ?", args: [Date.now(), rolloutId, id] });
      const e = performance.now();
      ins += b - a;
      upd += e - b;
    }
    insertUs.push((ins / job.n) * 1000);
    updateUs.push((upd / job.n) * 1000);
    pairUs.push(((ins + upd) / job.n) * 1000);
  }
  t.close();
  return { insertUs: summarise(insertUs), updateUs: summarise(updateUs), pairUs: summarise(pairUs), peakRssMb: peakRssMb() };
}

async function treeWorkload(job: TreeJob) {
  const t = await tempDb();
  const runner = new Runner(t.db, { pollMs: 10, signalPollMs: 50, leaseMs: 10_000 }).start();
  const { tree, leaves, done } = treeFor(job);
  const wallMs: number[] = [];
  const dbWallMs: number[] = [];
  const finaliseMs: number[] = [];
  const loopLagMaxMs: number[] = [];
  const checks: string[] = [];
  for (let rep = 0; rep < job.reps; rep++) {
    const f0 = performance.now();
    const id = await createRollout(t.db, { kind: KIND, config: { tree } }, [KIND]);
    finaliseMs.push(performance.now() - f0);
    const lag = monitorEventLoopDelay({ resolution: 1 });
    lag.enable();
    const t0 = performance.now();
    await runRollout(t.db, id, "bench");
    runner.wake();
    let status = "";
    for (;;) {
      // The runner's own bookkeeping says when it let go; the database says how it ended.
      if (!runner.running.includes(id)) {
        const rs = await t.db.$client.execute({ sql: "SELECT status FROM rollout WHERE id = ?", args: [id] });
        status = String(rs.rows[0].status);
        if (!["started", "rolling_back", "aborting_rollout", "terminating_rollout"].includes(status)) break;
      }
      await tick(1);
      if (performance.now() - t0 > 300_000) throw new Error(`rollout ${id} did not end in 5 minutes (status ${status})`);
    }
    const elapsed = performance.now() - t0;
    lag.disable();
    wallMs.push(elapsed);
    loopLagMaxMs.push(lag.max / 1e6);
    if (process.env.BENCH_DEBUG) console.error(`rep ${rep}: ${elapsed.toFixed(1)} ms`);
    const row = (await t.db.$client.execute({ sql: "SELECT * FROM rollout WHERE id = ?", args: [id] })).rows[0];
    const end = Number(done === "finished" ? row.rollout_finished_at : row.rollback_finished_at);
    dbWallMs.push(end - Number(row.rollout_started_at));
    if (status !== done) checks.push(`rep ${rep}: ended ${status}, expected ${done}`);
    // Every leaf ran (and, for the failing workload, every leaf was reverted).
    const counts = (
      await t.db.$client.execute({
        sql: `SELECT count(*) AS leaves, sum(run_started_at IS NOT NULL) AS ran, sum(run_finished_at IS NOT NULL) AS finished,
                     sum(revert_finished_at IS NOT NULL) AS reverted
              FROM task WHERE rollout_id = ? AND id NOT IN (SELECT parent_id FROM task WHERE rollout_id = ? AND parent_id IS NOT NULL)`,
        args: [id, id],
      })
    ).rows[0];
    const n = (k: string) => Number(counts[k]);
    if (n("leaves") !== leaves || n("ran") !== leaves) checks.push(`rep ${rep}: ${n("ran")} of ${n("leaves")} leaves ran, expected ${leaves}`);
    if (done === "finished" && n("finished") !== leaves) checks.push(`rep ${rep}: ${n("finished")} of ${leaves} leaves finished`);
    if (job.workload === "fail" && n("reverted") !== leaves) checks.push(`rep ${rep}: ${n("reverted")} of ${leaves} leaves reverted, expected all ${leaves}`);
  }
  await runner.stop();
  t.close();
  return {
    leaves,
    wallMs: summarise(wallMs),
    dbWallMs: summarise(dbWallMs),
    perTaskUs: summarise(wallMs.map((w) => (w / leaves) * 1000)),
    finaliseMs: summarise(finaliseMs),
    loopLagMaxMs: summarise(loopLagMaxMs),
    checks,
    ok: checks.length === 0,
    peakRssMb: peakRssMb(),
  };
}

async function main() {
  tuneHeap(); // as the server runs the engine
  const job = JSON.parse(process.argv[2]) as EngineJob;
  const result = job.workload === "floor" ? await floor(job) : await treeWorkload(job);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

// The server-side workloads (W5 abort latency, W6 term latency, W7 the status
// API under load), run against the production build started as a child
// process on a free loopback port with a temp database, exactly as `npm start`
// runs it. Uses its own build directory (KETTLE_DIST_DIR, default .next-bench)
// so that it never races another build.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createClient, type Client } from "@libsql/client";
import autocannon from "autocannon";
import { startServer as startTestServer, type TestServer } from "../test/helpers/server";
import { percentile, summarise, type Summary } from "./stats";

export const DIST_DIR = process.env.KETTLE_DIST_DIR || ".next-bench";
const KIND = "fixtures:TreeRollout";
const ROOT = process.cwd();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Newest modification time under the folders a build depends on. */
function newestSource(): number {
  let newest = 0;
  const walk = (dir: string) => {
    let entries: fs.Dirent[] = [];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(tsx?|mjs|css|json)$/.test(e.name)) newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  };
  for (const dir of ["app", "lib", "rollouts", "components"]) walk(path.join(ROOT, dir));
  for (const f of ["next.config.mjs", "package-lock.json"]) if (fs.existsSync(path.join(ROOT, f))) newest = Math.max(newest, fs.statSync(path.join(ROOT, f)).mtimeMs);
  return newest;
}

/** Builds the app into DIST_DIR when there is no build there or the sources are newer. */
export function ensureBuild(log: (line: string) => void, force = false): void {
  const buildId = path.join(ROOT, DIST_DIR, "BUILD_ID");
  if (!force && fs.existsSync(buildId) && fs.statSync(buildId).mtimeMs >= newestSource()) return;
  log(`building the production app into ${DIST_DIR} (npm run build)…`);
  const t0 = performance.now();
  const r = spawnSync("npm", ["run", "build"], {
    cwd: ROOT,
    env: { ...process.env, KETTLE_DIST_DIR: DIST_DIR, NEXT_TELEMETRY_DISABLED: "1" },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}\n${r.stderr}`);
  log(`built in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

export type BenchServer = {
  url: string;
  pid: number;
  dbUrl: string;
  db: Client;
  api: TestServer["api"];
  /** Peak resident set size of the server process so far (VmHWM), MB. */
  peakRssMb(): number;
  stop(): Promise<void>;
};

/** The production server on a free port with a temp database; `nodeArgs` lets a profile be taken, e.g. ["--cpu-prof"]. */
export async function startServer(env: Record<string, string> = {}, nodeArgs: string[] = [], dbUrl?: string): Promise<BenchServer> {
  const server = await startTestServer({ env: { KETTLE_DIST_DIR: DIST_DIR, KETTLE_ROLLOUT_CLS: KIND, ...env }, nodeArgs, dbUrl });
  const pid = server.proc.pid!;
  // The bench reads the server's database directly (WAL allows a reader in another process).
  const db = createClient({ url: server.dbUrl, timeout: 10_000 });
  return {
    url: server.url,
    pid,
    dbUrl: server.dbUrl,
    db,
    api: server.api,
    peakRssMb() {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
        return m ? Number(m[1]) / 1024 : NaN;
      } catch {
        return NaN;
      }
    },
    async stop() {
      db.close();
      await Promise.race([server.stop(), sleep(15_000)]);
      await server.kill();
      if (!dbUrl) fs.rmSync(server.dir, { recursive: true, force: true });
    },
  };
}

export async function one(db: Client, sql: string, args: (string | number)[]): Promise<Record<string, unknown> | undefined> {
  const rs = await db.execute({ sql, args });
  return rs.rows[0] as Record<string, unknown> | undefined;
}

export async function until<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 30_000, everyMs = 2): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Creates and runs a fixture rollout through the API; returns its id. */
export async function startRollout(s: BenchServer, tree: unknown): Promise<number> {
  const created = await s.api<{ id: number; error?: string }>("POST", "/api/rollouts", { kind: KIND, config: { tree } });
  if (created.status !== 201) throw new Error(`POST /api/rollouts: ${created.status} ${JSON.stringify(created.body)}`);
  const run = await s.api("POST", `/api/rollouts/${created.body.id}/run`);
  if (run.status !== 202) throw new Error(`run: ${run.status} ${JSON.stringify(run.body)}`);
  return created.body.id;
}

async function sendSignal(s: BenchServer, id: number, signal: string): Promise<void> {
  const r = await s.api("POST", `/api/rollouts/${id}/signals/${signal}`);
  if (r.status !== 200) throw new Error(`${signal}: ${r.status} ${JSON.stringify(r.body)}`);
}

const ended = (status: unknown) => status === "rolled_back" || status === "rollback_failed" || status === "finished";

export type LatencyResult = {
  samples: number;
  /** Named phases, each a summary of ms from just before the signal was sent. */
  phases: Record<string, Summary & { values: number[] }>;
  errors: string[];
};

export function collect(phases: Record<string, number[]>): LatencyResult["phases"] {
  return Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, { ...summarise(v), values: v.map((x) => Math.round(x * 10) / 10) }]));
}

/**
 * W5: a rollout whose root is a 60-s delay; abort_rollout through the HTTP
 * API. The end points are the times the server itself recorded (same clock).
 */
export async function abortLatency(s: BenchServer, samples: number): Promise<LatencyResult> {
  const phases: Record<string, number[]> = { delayStopped: [], rollbackStarted: [], rolledBack: [], apiResponse: [] };
  const errors: string[] = [];
  for (let i = 0; i < samples; i++) {
    try {
      const id = await startRollout(s, { delay: 60 });
      await until("the delay to start", () => one(s.db, "SELECT run_started_at FROM task WHERE rollout_id = ? AND parent_id IS NULL AND run_started_at IS NOT NULL", [id]));
      // Land at a random point of the runner's signal-poll cycle, as an operator would.
      await sleep(Math.random() * 60);
      const sentAt = Date.now();
      const p0 = performance.now();
      await sendSignal(s, id, "abort_rollout");
      phases.apiResponse.push(performance.now() - p0);
      const row = await until("rolled back", async () => {
        const r = await one(s.db, "SELECT status, rollback_started_at, rollback_finished_at FROM rollout WHERE id = ?", [id]);
        return r && ended(r.status) ? r : undefined;
      });
      const task = (await one(s.db, "SELECT run_failed_at, run_error FROM task WHERE rollout_id = ? AND parent_id IS NULL", [id]))!;
      if (row.status !== "rolled_back") errors.push(`sample ${i}: ended ${row.status}`);
      if (task.run_failed_at === null) errors.push(`sample ${i}: the delay was not recorded as stopped`);
      phases.delayStopped.push(Number(task.run_failed_at) - sentAt);
      phases.rollbackStarted.push(Number(row.rollback_started_at) - sentAt);
      phases.rolledBack.push(Number(row.rollback_finished_at) - sentAt);
    } catch (e) {
      errors.push(`sample ${i}: ${(e as Error).message}`);
    }
  }
  return { samples, phases: collect(phases), errors };
}

function processGone(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // A zombie has exited; only its parent has not collected it yet.
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z";
  } catch {
    return true;
  }
}

/**
 * W6: a task running `sleep 60` through the shell helper; term_rollout through
 * the HTTP API; time until the sleep process is gone (polled every ms from here).
 */
export async function termLatency(s: BenchServer, samples: number): Promise<LatencyResult> {
  const phases: Record<string, number[]> = { processGone: [], rolledBack: [], apiResponse: [] };
  const errors: string[] = [];
  for (let i = 0; i < samples; i++) {
    try {
      const id = await startRollout(s, { shell: ["sleep", "60"] });
      const proc = await until("the sleep to be registered", () => one(s.db, "SELECT pgid FROM process WHERE rollout_id = ?", [id]));
      const pid = Number(proc.pgid);
      if (processGone(pid)) throw new Error(`process ${pid} is not running`);
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0];
      if (cmd !== "sleep") throw new Error(`process ${pid} is ${cmd}, not sleep`);
      await sleep(Math.random() * 60);
      const sentAt = Date.now();
      const p0 = performance.now();
      let goneAt = 0;
      const watch = (async () => {
        while (!processGone(pid)) {
          await new Promise((r) => setTimeout(r, 1));
          if (performance.now() - p0 > 30_000) throw new Error(`sleep ${pid} still running 30 s after term_rollout`);
        }
        goneAt = performance.now();
      })();
      await sendSignal(s, id, "term_rollout");
      phases.apiResponse.push(performance.now() - p0);
      await watch;
      phases.processGone.push(goneAt - p0);
      const row = await until("rolled back", async () => {
        const r = await one(s.db, "SELECT status, rollback_finished_at FROM rollout WHERE id = ?", [id]);
        return r && ended(r.status) ? r : undefined;
      });
      if (row.status !== "rolled_back") errors.push(`sample ${i}: ended ${row.status}`);
      phases.rolledBack.push(Number(row.rollback_finished_at) - sentAt);
    } catch (e) {
      errors.push(`sample ${i}: ${(e as Error).message}`);
    }
  }
  return { samples, phases: collect(phases), errors };
}

export type LoadResult = {
  connections: number;
  durationS: number;
  leaves: number;
  responseBytes: number;
  requests: number;
  reqPerSec: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number; mean: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  /** Leaves the runner finished while the load ran: is the engine starved? */
  leavesFinishedDuringLoad: number;
  statusDuringLoad: string;
  /** Responses slower than 1 s: when they ended (s into the load) and how long they took. */
  slowResponses: { atS: number; ms: number }[];
};

/**
 * W7: a 1 000-task rollout that is running (groups of no-ops separated by
 * one-second delays, so it stays live for the whole window), polled with
 * GET /api/rollouts/{id} by `connections` concurrent clients.
 */
export async function statusUnderLoad(s: BenchServer, durationS: number, connections = 50): Promise<LoadResult> {
  const groups = Math.ceil(durationS) + 5;
  const perGroup = Math.floor(1000 / groups);
  const tree = { seq: [] as unknown[] };
  let leaves = 0;
  for (let g = 0; g < groups; g++) {
    const n = g === groups - 1 ? 1000 - leaves - 1 : perGroup - 1;
    tree.seq.push({ seq: Array.from({ length: n }, () => ({ noop: true })) });
    tree.seq.push({ delay: 1 });
    leaves += n + 1;
  }
  const id = await startRollout(s, tree);
  await until("the rollout to start", () => one(s.db, "SELECT 1 AS ok FROM task WHERE rollout_id = ? AND parent_id IS NULL AND run_started_at IS NOT NULL", [id]));
  const probe = await fetch(`${s.url}/api/rollouts/${id}`);
  const responseBytes = (await probe.arrayBuffer()).byteLength;
  const finished = async () => Number((await one(s.db, "SELECT count(*) AS n FROM task WHERE rollout_id = ? AND run_finished_at IS NOT NULL", [id]))!.n);
  const before = await finished();
  const latencies: number[] = [];
  const slow: { atS: number; ms: number }[] = [];
  const loadStart = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url: `${s.url}/api/rollouts/${id}`, connections, duration: durationS, timeout: 10 }, (err, res) => (err ? reject(err) : resolve(res)));
    instance.on("response", (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
      latencies.push(responseTime);
      if (responseTime > 1000) slow.push({ atS: Math.round((performance.now() - loadStart) / 100) / 10, ms: Math.round(responseTime) });
    });
  });
  const after = await finished();
  const status = String((await one(s.db, "SELECT status FROM rollout WHERE id = ?", [id]))!.status);
  await s.api("POST", `/api/rollouts/${id}/signals/term_rollout`).catch(() => undefined);
  const sorted = latencies.sort((a, b) => a - b);
  return {
    connections,
    durationS,
    leaves,
    responseBytes,
    requests: result.requests.total,
    reqPerSec: result.requests.average,
    latencyMs: {
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1] ?? NaN,
      mean: sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1),
    },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    leavesFinishedDuringLoad: after - before,
    slowResponses: slow,
    statusDuringLoad: status,
  };
}

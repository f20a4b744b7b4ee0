// W8: many watchers of a running rollout's event stream; W9: a rollout of
// 100 000 tasks through the server and its page in headless Chromium.
import fs from "node:fs";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { launchBrowser } from "../test/helpers/browser";
import { percentile } from "./stats";
import { one, startRollout, until, type BenchServer } from "./server";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds (user + system) the process has used so far. */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100/s)
}

/** 100 waves of 9 no-ops beside a 0.1-s delay: 1 000 tasks changing over about 10 s. */
const liveTree = () => ({
  seq: Array.from({ length: 100 }, () => ({ par: [...Array.from({ length: 9 }, () => ({ noop: true })), { delay: 0.1 }] })),
});

async function timedRun(s: BenchServer): Promise<{ id: number; ms: number }> {
  const id = await startRollout(s, liveTree());
  const t0 = performance.now();
  await until("the rollout to finish", async () => {
    const r = await one(s.db, "SELECT status FROM rollout WHERE id = ?", [id]);
    return r && r.status === "finished" ? r : undefined;
  }, 120_000, 20);
  return { id, ms: performance.now() - t0 };
}

export type WatchResult = {
  watchers: number;
  deliveries: number;
  latencyMs: { p50: number; p95: number; max: number };
  missed: number;
  runMsAlone: number;
  runMsWatched: number;
  serverCpuPercent: number;
  serverPeakRssMb: number;
};

/** W8: `watchers` streams on one running 1 000-task rollout; each task change's delay from its recorded time to each watcher. */
export async function watchersLatency(s: BenchServer, watchers: number): Promise<WatchResult> {
  const alone = await timedRun(s);
  const { body } = await s.api<{ id: number }>("POST", "/api/rollouts", { kind: "fixtures:TreeRollout", config: { tree: liveTree() } });
  const id = body.id;
  // The watchers in two threads beside the bench's (a browser each, in life).
  const threads = 2;
  let opened = 0;
  const results = Array.from({ length: threads }, (_, i) => {
    const count = Math.floor(watchers / threads) + (i < watchers % threads ? 1 : 0);
    const worker = new Worker(new URL("./watchers-worker.mjs", import.meta.url), { workerData: { url: `${s.url}/api/rollouts/${id}/events`, count } });
    return new Promise<{ latencies: number[]; finished: number[] }>((resolve, reject) => {
      worker.on("message", (m) => (m.type === "open" ? opened++ : (resolve(m), void worker.terminate())));
      worker.on("error", reject);
    });
  });
  await until("every watcher to be connected", async () => (opened === watchers ? true : undefined), 60_000, 20);
  const cpu0 = cpuSeconds(s.pid);
  const t0 = performance.now();
  const run = await s.api("POST", `/api/rollouts/${id}/run`);
  if (run.status !== 202) throw new Error(`run: ${run.status}`);
  await until("the watched rollout to finish", async () => {
    const r = await one(s.db, "SELECT status FROM rollout WHERE id = ?", [id]);
    return r && r.status === "finished" ? r : undefined;
  }, 120_000, 20);
  const runMsWatched = performance.now() - t0;
  const got = await Promise.race([Promise.all(results), sleep(20_000).then(() => null)]);
  if (!got) throw new Error("the watchers did not all see the end of the stream");
  const cpu = cpuSeconds(s.pid) - cpu0;
  const wall = (performance.now() - t0) / 1000;
  // Every watcher must have seen every task finish.
  const total = Number((await one(s.db, "SELECT count(*) AS n FROM task WHERE rollout_id = ?", [id]))!.n);
  const finished = got.flatMap((g) => g.finished);
  let missed = (watchers - finished.length) * total;
  for (const n of finished) missed += Math.max(0, total - n);
  const sorted = got.flatMap((g) => g.latencies).sort((a, b) => a - b);
  return {
    watchers,
    deliveries: sorted.length,
    latencyMs: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1) ?? NaN },
    missed,
    runMsAlone: alone.ms,
    runMsWatched,
    serverCpuPercent: (cpu / wall) * 100,
    serverPeakRssMb: s.peakRssMb(),
  };
}

export type BigResult = { tasks: number; finaliseMs: number; runMs: number; pageMs: number; heapMb: number; domRows: number; serverPeakRssMb: number; status: string };

/** W9: 100 waves of 1 000 parallel no-ops: finalise and run through the API, then the page in Chromium. */
export async function bigRollout(s: BenchServer, waves = 100, width = 1000): Promise<BigResult> {
  const tree = { seq: Array.from({ length: waves }, () => ({ par: Array.from({ length: width }, () => ({ noop: true })) })) };
  const f0 = performance.now();
  const created = await s.api<{ id: number; error?: string }>("POST", "/api/rollouts", { kind: "fixtures:TreeRollout", config: { tree } });
  const finaliseMs = performance.now() - f0;
  if (created.status !== 201) throw new Error(`finalise: ${created.status} ${JSON.stringify(created.body).slice(0, 300)}`);
  const id = created.body.id;
  const r0 = performance.now();
  const run = await s.api("POST", `/api/rollouts/${id}/run`);
  if (run.status !== 202) throw new Error(`run: ${run.status}`);
  const end = await until("the big rollout to end", async () => {
    const r = await one(s.db, "SELECT status FROM rollout WHERE id = ?", [id]);
    return r && ["finished", "rolled_back", "rollback_failed"].includes(String(r.status)) ? r : undefined;
  }, 600_000, 50);
  const runMs = performance.now() - r0;
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const p0 = performance.now();
    await page.goto(`${s.url}/rollouts/${id}`);
    await page.getByTestId("progress-text").waitFor({ timeout: 60_000 });
    await page.locator("li[data-task-id]").nth(3).waitFor({ timeout: 60_000 });
    const pageMs = performance.now() - p0;
    const heap = await page.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0);
    const domRows = await page.locator("li[data-task-id]").count();
    return { tasks: waves * width, finaliseMs, runMs, pageMs, heapMb: heap / 1e6, domRows, serverPeakRssMb: s.peakRssMb(), status: String(end.status) };
  } finally {
    await browser.close();
  }
}

// P1: the production server as `npm start` runs it (the compiled server, node
// alone): how long from the process's start until /readyz answers 200, and its
// resident memory once idle.
import fs from "node:fs";
import { performance } from "node:perf_hooks";
import { startServer } from "./server";
import { summarise, type Summary } from "./stats";

export type StartResult = { readyMs: Summary; idleRssMb: Summary };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN) / 1024;

export async function productionStart(reps: number, idleMs = 3000): Promise<StartResult> {
  const ready: number[] = [];
  const idle: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const server = await startServer();
    try {
      while ((await fetch(`${server.url}/readyz`).then((r) => r.status, () => 0)) !== 200) await sleep(5);
      ready.push(performance.now() - t0);
      await sleep(idleMs);
      idle.push(rssMb(server.pid));
    } finally {
      await server.stop();
    }
  }
  return { readyMs: summarise(ready), idleRssMb: summarise(idle) };
}

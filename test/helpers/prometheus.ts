// A real Prometheus (Debian's /usr/bin/prometheus) on a loopback port, scraping
// every second a small target the test controls: set a gauge, remove it, stop the
// server. For the analysis tests' prometheus provider.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { freePort } from "./server";
import { waitFor } from "./db";

export const PROMETHEUS_BIN = process.env.KETTLE_PROMETHEUS_BIN ?? "/usr/bin/prometheus";

export type Target = { url: string; set(name: string, value: number): void; remove(name: string): void; close(): Promise<void> };

/** An HTTP server answering /metrics with the gauges set. */
export async function startTarget(): Promise<Target> {
  const gauges = new Map<string, number>();
  const server = http.createServer((req, res) => {
    if (req.url !== "/metrics") return res.writeHead(404).end();
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
    res.end([...gauges].map(([n, v]) => `# TYPE ${n} gauge\n${n} ${v}\n`).join(""));
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  return {
    url: `127.0.0.1:${port}`,
    set: (n, v) => void gauges.set(n, v),
    remove: (n) => void gauges.delete(n),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

export type Prometheus = { url: string; proc: ChildProcess; stop(): Promise<void>; query(q: string): Promise<unknown>; until(q: string, check: (v: number | null) => boolean): Promise<void> };

/** Starts Prometheus scraping `target` every second; resolves once it answers queries. */
export async function startPrometheus(target: string): Promise<Prometheus> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kettle-prom-"));
  const config = path.join(dir, "prometheus.yml");
  fs.writeFileSync(config, `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: target\n    static_configs:\n      - targets: ["${target}"]\n`);
  const port = await freePort();
  const proc = spawn(PROMETHEUS_BIN, [`--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  proc.stdout!.on("data", (d) => (output += d));
  proc.stderr!.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  const gone = new Promise<void>((r) => proc.once("exit", () => ((exited = true), r())));
  await waitFor(async () => {
    if (exited) throw new Error(`prometheus exited: ${output.slice(-2000)}`);
    return fetch(`${url}/-/ready`).then((r) => r.ok).catch(() => false);
  }, { what: "prometheus ready", timeoutMs: 30_000, everyMs: 100 });
  const query = async (q: string) => {
    const r = (await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as { data: { result: { value: [number, string] }[] } };
    return r.data.result;
  };
  return {
    url,
    proc,
    query,
    /** Waits until the query's first sample (null when none) passes `check`. */
    async until(q, check) {
      await waitFor(async () => {
        const r = (await query(q)) as { value: [number, string] }[];
        return check(r.length ? Number(r[0].value[1]) : null);
      }, { what: `prometheus: ${q}`, timeoutMs: 30_000, everyMs: 200 });
    },
    async stop() {
      if (!exited) proc.kill("SIGTERM");
      await gone;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// A simulated error rate the demo serves itself on a loopback port, so that its
// health analysis (the web provider) works on a fresh machine with no outside
// service: GET http://127.0.0.1:PORT/error-rate?base=1.5 answers
// { "data": { "errorRate": 1.5 ± a little } } (a percentage). Served by every
// process that loads the demo (KETTLE_DEMO_METRIC_PORT, default 39123): when
// another process has the port, this one asks for it again every half second,
// so that the metric stays served when that process ends.
import http from "node:http";

const KEY = Symbol.for("kettle.demoMetric");
const port = () => Number(process.env.KETTLE_DEMO_METRIC_PORT ?? 39123);

export function demoMetricUrl(base: number): string {
  return `http://127.0.0.1:${port()}/error-rate?base=${base}`;
}

/** Serves the simulated metric on the port the environment names now (once per port and process). */
export function serveDemoMetric(): void {
  const g = globalThis as Record<symbol, Set<number> | undefined>;
  const serving = (g[KEY] ??= new Set());
  const p = port();
  if (serving.has(p) || process.env.KETTLE_DEMO_METRIC === "off") return;
  serving.add(p);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== "/error-rate") return res.writeHead(404).end();
    const base = Math.max(0, Number(url.searchParams.get("base") ?? 1) || 0);
    const errorRate = Math.round(Math.max(0, base * (0.9 + Math.random() * 0.2)) * 1000) / 1000;
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: { errorRate } }));
  });
  server.on("error", () => setTimeout(() => server.listen(p, "127.0.0.1"), 500).unref()); // taken: try again
  server.listen(p, "127.0.0.1");
  server.unref(); // never keeps a process alive
}

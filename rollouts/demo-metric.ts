// A simulated error rate the demo serves itself on a loopback port, so that its
// health analysis (the web provider) works on a fresh machine with no outside
// service: GET http://127.0.0.1:PORT/error-rate?base=1.5 answers
// { "data": { "errorRate": 1.5 ± a little } } (a percentage). Started once per
// process when the demo module loads; another process (or instance) already
// serving the port is as good.
import http from "node:http";

export const DEMO_METRIC_PORT = Number(process.env.KETTLE_DEMO_METRIC_PORT ?? 39123);
const KEY = Symbol.for("kettle.demoMetric");

export function demoMetricUrl(base: number): string {
  return `http://127.0.0.1:${DEMO_METRIC_PORT}/error-rate?base=${base}`;
}

export function serveDemoMetric(): void {
  const g = globalThis as Record<symbol, unknown>;
  if (g[KEY] || process.env.KETTLE_DEMO_METRIC === "off") return;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== "/error-rate") return res.writeHead(404).end();
    const base = Math.max(0, Number(url.searchParams.get("base") ?? 1) || 0);
    const errorRate = Math.round(Math.max(0, base * (0.9 + Math.random() * 0.2)) * 1000) / 1000;
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: { errorRate } }));
  });
  server.on("error", () => {}); // the port is taken: someone serves it already
  server.listen(DEMO_METRIC_PORT, "127.0.0.1");
  server.unref(); // never keeps a process alive
  g[KEY] = server;
}

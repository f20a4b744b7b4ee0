// An analysis step survives kill -9: a 6-measurement analysis killed after 3
// takes the 3 left after the restart, not 6 (each measurement is a row).
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { startServer, tempDir, type TestServer } from "../helpers/server";
import { startPrometheus, startTarget, type Prometheus, type Target } from "../helpers/prometheus";
import { waitFor } from "../helpers/db";

type Json = Record<string, any>;
let target: Target;
let prom: Prometheus;
let servers: TestServer[] = [];

beforeAll(async () => {
  target = await startTarget();
  target.set("kt_healthy", 0.01);
  prom = await startPrometheus(target.url);
  await prom.until("kt_healthy", (v) => v === 0.01);
}, 60_000);
afterAll(async () => {
  await prom?.stop();
  await target?.close();
});
afterEach(async () => {
  await Promise.all(servers.map((s) => s.kill()));
  servers = [];
});

const start = async (dir: string) => {
  const s = await startServer({ dir, env: { KETTLE_ROLLOUT_CLS: "analysis-fixtures:AnalysedRollout", KETTLE_LEASE_MS: "3000" } });
  servers.push(s);
  return s;
};
const measured = async (s: TestServer, id: number): Promise<Json[]> => (await s.api<Json>("GET", `/api/rollouts/${id}/analysis`)).body.runs.flatMap((r: Json) => r.metrics[0].measurements);

it("kill -9 after 3 of 6 measurements: the restarted server takes the 3 left", async () => {
  const dir = tempDir();
  const first = await start(dir);
  const step = { metrics: [{ name: "error-rate", provider: { prometheus: { address: prom.url, query: "kt_healthy" } }, interval: "1s", count: 6, successCondition: "result < 0.05" }] };
  const created = await first.api<Json>("POST", "/api/rollouts", { config: { step } });
  const id = created.body.id;
  expect((await first.api("POST", `/api/rollouts/${id}/run`)).status).toBe(202);
  await waitFor(async () => (await measured(first, id)).length >= 3, { what: "three measurements", everyMs: 20 });
  await first.kill();
  const before = (await measured(await start(dir), id)).length; // read before the runner takes over (lease of 3 s)
  const second = servers[1];
  const done = await waitFor(async () => {
    const v = (await second.api<Json>("GET", `/api/rollouts/${id}`)).body;
    return ["finished", "rolled_back"].includes(v.status) ? v : null;
  }, { what: "the rollout to end", timeoutMs: 40_000 });
  expect(done.status).toBe("finished");
  const runs = (await second.api<Json>("GET", `/api/rollouts/${id}/analysis`)).body.runs;
  expect(runs).toHaveLength(1);
  expect(runs[0].verdict).toBe("successful");
  expect(runs[0].metrics[0].measurements).toHaveLength(6); // 3 (or so) before the kill + the rest after, not 6 more
  expect(before).toBeGreaterThanOrEqual(3);
  const log = await (await fetch(`${second.url}/api/rollouts/${id}/logs/rollout`)).text();
  expect(log).toMatch(/Taken over by instance/);
  const runLog = await (await fetch(`${second.url}/api/rollouts/${id}/tasks/1/logs/run`)).text();
  expect(runLog).toMatch(new RegExp(`Carrying on with the ${before} measurement\\(s\\) already taken`));
});

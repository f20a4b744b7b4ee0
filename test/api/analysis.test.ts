// Health analysis against a real Prometheus (Debian's, scraping every second a
// target this test controls) and a loopback JSON server, through the real server:
// healthy, unhealthy, in-between (pause, then Skip), no data, Prometheus gone,
// dry run, background analysis, finalise refusals, the API answer, webhooks, /metrics.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, freePort, type TestServer } from "../helpers/server";
import { startPrometheus, startTarget, type Prometheus, type Target } from "../helpers/prometheus";
import { startReceiver, type Receiver } from "../helpers/receiver";
import { answerChecker } from "../helpers/openapi-answers";
import { waitFor } from "../helpers/db";

type Json = Record<string, any>;
let server: TestServer;
let target: Target;
let prom: Prometheus;
let receiver: Receiver;
let web: http.Server;
let webValue: unknown = { data: { errorRate: 0.01 } };
let webUrl = "";

beforeAll(async () => {
  target = await startTarget();
  for (const [n, v] of Object.entries({ kt_ok: 0.01, kt_bad: 0.5, kt_between: 0.1, kt_errors_ratio: 0.9 })) target.set(n, v);
  prom = await startPrometheus(target.url);
  receiver = await startReceiver();
  const port = await freePort();
  web = http.createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(webValue)));
  await new Promise<void>((r) => web.listen(port, "127.0.0.1", r));
  webUrl = `http://127.0.0.1:${port}/metric`;
  server = await startServer({
    env: { KETTLE_ROLLOUT_CLS: "analysis-fixtures:AnalysedRollout", KETTLE_TEST_PROMETHEUS: prom.url, KETTLE_WEBHOOK_POLL_MS: "50", KETTLE_WEBHOOK_BACKOFF_MS: "200" },
  });
  await prom.until("kt_between", (v) => v === 0.1); // scraped at least once
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await prom?.stop();
  await target?.close();
  await receiver?.close();
  await new Promise((r) => web?.close(r));
});

const metric = (query: string, more: Json = {}) => ({
  name: "error-rate",
  provider: { prometheus: { address: prom.url, query } },
  successCondition: "result < 0.05",
  failureCondition: "result >= 0.2",
  ...more,
});
async function started(config: Json): Promise<number> {
  const created = await server.api<Json>("POST", "/api/rollouts", { config });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect((await server.api("POST", `/api/rollouts/${created.body.id}/run`)).status).toBe(202);
  return created.body.id;
}
const view = async (id: number) => (await server.api<Json>("GET", `/api/rollouts/${id}`)).body;
const analysis = async (id: number) => (await server.api<Json>("GET", `/api/rollouts/${id}/analysis`)).body;
const until = (id: number, pred: (v: Json) => unknown, what: string) =>
  waitFor(async () => {
    const v = await view(id);
    return pred(v) ? v : null;
  }, { what, timeoutMs: 30_000 });
const ended = (id: number) => until(id, (v) => ["finished", "rolled_back", "rollback_failed"].includes(v.status), "the rollout to end");
const rolloutLog = async (id: number) => (await fetch(`${server.url}/api/rollouts/${id}/logs/rollout`)).text();

describe("an analysis step against a real Prometheus", () => {
  it("healthy: three measurements a second apart, all successful → finished; the answer fits its schema", async () => {
    const id = await started({ step: { title: "after wave 1", metrics: [metric("kt_ok", { interval: "1s", count: 3 })] } });
    expect((await ended(id)).status).toBe("finished");
    const a = await analysis(id);
    expect(a.runs).toHaveLength(1);
    expect(a.runs[0]).toMatchObject({ name: "after wave 1", verdict: "successful", taskId: 1 });
    const ms = a.runs[0].metrics[0].measurements;
    expect(ms.map((m: Json) => [m.value, m.outcome])).toEqual(Array(3).fill([0.01, "successful"]));
    expect(ms[2].at - ms[0].at).toBeGreaterThanOrEqual(1900);
    const doc = (await server.api<Json>("GET", "/api/openapi.json")).body;
    expect(answerChecker(doc)("GET", `/api/rollouts/${id}/analysis`, 200, a)).toEqual([]);
    expect(await rolloutLog(id)).toMatch(/Analysis "after wave 1" \(task 1\): Successful/);
  });

  it("unhealthy: rolled back, the value and the condition in the reason; analysis.failed is delivered", async () => {
    const hook = await server.api<Json>("POST", "/api/webhooks", { url: receiver.url + "/analysis", events: ["analysis.failed", "analysis.inconclusive"] });
    expect(hook.status).toBe(201);
    const id = await started({ step: { metrics: [metric("kt_bad")] } });
    const v = await ended(id);
    expect(v.status).toBe("rolled_back");
    expect(v.tasks.children[0].run.error).toMatch(/Analysis failed: error-rate: 1st measurement 0.5 meets the failure condition result >= 0.2: failed \(1 failed, failureLimit 0\)/);
    const got = await waitFor(() => receiver.received.find((r) => r.path === "/analysis" && JSON.parse(r.body).data.rollout.id === id), { what: "the webhook" });
    const event = JSON.parse(got.body);
    expect(event.type).toBe("analysis.failed");
    expect(event.data.analysis.metrics[0]).toMatchObject({ name: "error-rate", verdict: "failed", why: expect.stringMatching(/0.5 meets the failure condition result >= 0.2/) });
    expect(await rolloutLog(id)).toMatch(/Analysis "analysis" \(task 1\): Failed: error-rate: 1st measurement 0.5/);
  });

  it("in between: paused on the step for a person; Skip → finished", async () => {
    const id = await started({ step: { metrics: [metric("kt_between")] } });
    const paused = await until(id, (v) => v.status === "paused", "the pause");
    expect(paused.pausedReason).toMatchObject({ kind: "task", taskId: 1, message: expect.stringMatching(/Analysis inconclusive: error-rate: 1st measurement 0.1 meets neither result < 0.05 nor the failure condition result >= 0.2/) });
    expect(paused.tasks.children[0].decisions).toEqual(["retry", "skip"]);
    expect((await server.api("POST", `/api/rollouts/${id}/tasks/1/skip`, {})).status).toBe(200);
    expect((await ended(id)).status).toBe("finished");
  });

  it("the query's series is missing: inconclusive by default (paused), failed with noData fail", async () => {
    const id = await started({ step: { metrics: [metric("kt_missing_series")] } });
    const paused = await until(id, (v) => v.status === "paused", "the pause");
    expect(paused.pausedReason.message).toMatch(/no data: inconclusive \(noData "inconclusive"\)/);
    expect((await server.api("POST", `/api/rollouts/${id}/signals/abort_rollout`, {})).status).toBeLessThan(300);
    expect((await ended(id)).status).toBe("rolled_back");
    const failing = await started({ step: { metrics: [metric("kt_missing_series", { noData: "fail" })] } });
    expect((await ended(failing)).status).toBe("rolled_back");
  });

  it("a dry-run metric that fails is recorded and changes nothing", async () => {
    const id = await started({ step: { metrics: [metric("kt_bad", { name: "shadow", dryRun: true }), metric("kt_ok")] } });
    expect((await ended(id)).status).toBe("finished");
    const [shadow, real] = (await analysis(id)).runs[0].metrics;
    expect([shadow.dryRun, shadow.verdict, real.verdict]).toEqual([true, "failed", "successful"]);
  });

  it("the web provider: a number picked by a JSON path from a loopback server", async () => {
    webValue = { data: { errorRate: 0.01 } };
    const ok = await started({ step: { metrics: [{ name: "web", provider: { web: { url: webUrl, jsonPath: "$.data.errorRate" } }, successCondition: "result < 0.05" }] } });
    expect((await ended(ok)).status).toBe("finished");
    webValue = { data: { errorRate: 0.3 } };
    const bad = await started({ step: { metrics: [{ name: "web", provider: { web: { url: webUrl, jsonPath: "$.data.errorRate" } }, successCondition: "result < 0.05" }] } });
    expect((await ended(bad)).status).toBe("rolled_back");
    expect((await analysis(bad)).runs[0].metrics[0].measurements[0]).toMatchObject({ value: 0.3, outcome: "failed" });
  });

  it("a background analysis (config.analysis) watches the run and aborts it when it fails", async () => {
    target.set("kettle_test_errors_ratio", 0.9);
    await prom.until("kettle_test_errors_ratio", (v) => v === 0.9);
    const id = await started({ analysis: ["error-rate"], step: { metrics: [{ name: "slow", provider: { custom: "constant" }, interval: "1s", count: 20, successCondition: "result < 1" }] } });
    const v = await ended(id);
    expect(v.status).toBe("rolled_back");
    const a = await analysis(id);
    expect(a.runs.find((r: Json) => r.taskId === null)).toMatchObject({ name: "error-rate", verdict: "failed" });
    expect(await rolloutLog(id)).toMatch(/Monitor analysis:error-rate aborts the rollout: analysis "error-rate" failed: error-rate: 1st measurement 0.9/);
  });

  it("finalise refuses a bad analysis with 422 naming the field", async () => {
    const bad = async (config: Json) => (await server.api<Json>("POST", "/api/rollouts", { config })).body.error as string;
    const r1 = await server.api<Json>("POST", "/api/rollouts", { config: { step: { metrics: [metric("x", { successCondition: "result <<" })] } } });
    expect(r1.status).toBe(422);
    expect(r1.body.error).toMatch(/metrics\[0\]\.successCondition: does not parse/);
    expect(await bad({ step: { metrics: [metric("x", { successCondition: undefined, failureCondition: undefined })] } })).toMatch(/metrics\[0\]\.successCondition: a metric needs/);
    expect(await bad({ step: { metrics: [{ name: "c", provider: { custom: "nope" }, successCondition: "result < 1" }] } })).toMatch(/provider\.custom: the rollout class has no static measures\.nope/);
    expect(await bad({ analysis: ["nope"] })).toMatch(/config\.analysis: the class has no static analysis "nope"/);
    expect((await server.api<Json>("GET", "/api/rollouts/999999/analysis")).status).toBe(404);
  });

  it("/metrics counts measurements by outcome and keeps the last value per metric", async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/kettle_analysis_measurements_total\{analysis="analysis",metric="error-rate",outcome="failed"\} [1-9]/);
    expect(text).toMatch(/kettle_analysis_last_value\{analysis="after wave 1",metric="error-rate"\} 0.01/);
  });
});

describe("Prometheus stopped mid-analysis", () => {
  it("errors past consecutiveErrorLimit fail the analysis", async () => {
    const own = await startPrometheus(target.url);
    try {
      await own.until("kt_ok", (v) => v === 0.01);
      const id = await started({ step: { metrics: [{ ...metric("kt_ok", { interval: "1s", count: 30, consecutiveErrorLimit: 1 }), provider: { prometheus: { address: own.url, query: "kt_ok", timeoutSeconds: 2 } } }] } });
      await waitFor(async () => ((await analysis(id)).runs[0]?.metrics[0].measurements.length ?? 0) >= 2, { what: "two measurements" });
      await own.stop();
      const v = await ended(id);
      expect(v.status).toBe("rolled_back");
      expect(v.tasks.children[0].run.error).toMatch(/error \(2 errors in a row, consecutiveErrorLimit 1\)/);
      const ms = (await analysis(id)).runs[0].metrics[0].measurements;
      expect(ms.at(-1)).toMatchObject({ outcome: "error", message: expect.stringMatching(/request failed/) });
    } finally {
      await own.stop();
    }
  });
});

// Webhooks against a real server and a receiver on a loopback port: signed per
// Standard Webhooks (verified with the library), retried with backoff, every
// attempt recorded, a Slack format, and nothing lost when an instance is killed
// between the change and the delivery. Also /metrics from loopback.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { startServer, tempDir, type TestServer } from "../helpers/server";
import { startReceiver, type Receiver } from "../helpers/receiver";
import { waitFor } from "../helpers/db";

type Json = Record<string, any>;
let server: TestServer;
let receiver: Receiver;
const fast = { KETTLE_ROLLOUT_CLS: "fixtures:TreeRollout", KETTLE_WEBHOOK_BACKOFF_MS: "200", KETTLE_WEBHOOK_POLL_MS: "50", KETTLE_LEASE_MS: "3000" };

beforeAll(async () => {
  receiver = await startReceiver();
  server = await startServer({ env: fast });
});
afterAll(async () => {
  await server?.stop();
  await receiver?.close();
});

async function subscribe(s: TestServer, path: string, events: string[], format?: string): Promise<{ id: number; secret: string }> {
  const res = await s.api<Json>("POST", "/api/webhooks", { url: receiver.url + path, events, ...(format ? { format } : {}) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: number; secret: string };
}
async function runTree(s: TestServer, tree: unknown): Promise<number> {
  const { body } = await s.api<Json>("POST", "/api/rollouts", { kind: "fixtures:TreeRollout", config: { tree } });
  expect((await s.api("POST", `/api/rollouts/${body.id}/run`)).status).toBe(202);
  return body.id;
}
const at = (path: string) => receiver.received.filter((r) => r.path === path);
const eventsAt = (path: string) => at(path).map((r) => JSON.parse(r.body));

async function scrape(s: TestServer): Promise<Map<string, Json> & { text: string }> {
  const res = await fetch(`${s.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  return Object.assign(new Map(parsePrometheusTextFormat(text).map((f: Json) => [f.name, f])), { text });
}
const valueOf = (m: Map<string, Json>, name: string, labels: Record<string, string> = {}) =>
  Number(m.get(name)?.metrics.find((x: Json) => Object.entries(labels).every(([k, v]) => x.labels?.[k] === v))?.value ?? 0);

describe("webhooks", () => {
  it("signed events for a run, verified with the standardwebhooks library; the secret is shown once", async () => {
    const hook = await subscribe(server, "/signed", ["rollout.started", "rollout.finished", "task.failed"]);
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const list = await server.api<Json>("GET", "/api/webhooks");
    expect(list.body.webhooks).toContainEqual(expect.objectContaining({ id: hook.id, url: `${receiver.url}/signed`, enabled: true }));
    expect(JSON.stringify(list.body)).not.toContain(hook.secret.slice(6));

    const id = await runTree(server, { noop: "x" });
    const mine = () => at("/signed").filter((r) => JSON.parse(r.body).data.rollout.id === id);
    await waitFor(() => mine().length >= 2, { what: "two events" });
    const verifier = new Webhook(hook.secret);
    const events = mine().map((r) => verifier.verify(r.body, r.headers) as Json);
    expect(events.map((e) => e.type)).toEqual(["rollout.started", "rollout.finished"]);
    expect(events[1].data.rollout).toMatchObject({ id, kind: "fixtures:TreeRollout", status: "finished" });
    expect(events[1].data.url).toBe(`http://127.0.0.1:${server.port}/rollouts/${id}`);
    expect(new Date(events[1].timestamp).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const first = mine()[0];
    expect(first.headers["webhook-id"]).toMatch(/^msg_/);
    expect(() => verifier.verify(first.body.replace("started", "finished"), first.headers)).toThrow();
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString("base64")}`).verify(first.body, first.headers)).toThrow();
  });

  it("a receiver that answers 500 twice then 200 gets the event three times; then it is marked delivered, every attempt recorded", async () => {
    receiver.answer = (req, nth) => (req.path === "/flaky" && nth <= 2 ? 500 : 200);
    const hook = await subscribe(server, "/flaky", ["rollout.finished"]);
    const id = await runTree(server, { noop: "y" });
    const delivered = await waitFor(async () => {
      const w = (await server.api<Json>("GET", `/api/webhooks/${hook.id}`)).body;
      return w.deliveries.find((d: Json) => d.rolloutId === id && d.status === "delivered") as Json | undefined;
    }, { what: "the delivery" });
    expect(delivered.attempts.map((a: Json) => a.status)).toEqual([500, 500, 200]);
    expect(delivered.attempts[0].error).toBe("HTTP 500");
    const got = at("/flaky");
    expect(got).toHaveLength(3);
    expect(new Set(got.map((r) => r.headers["webhook-id"])).size).toBe(1); // the same event each time
    expect(got[2].at - got[0].at).toBeGreaterThanOrEqual(200 + 400 - 50); // backoff 200 ms, then 400 ms
    for (const r of got) new Webhook(hook.secret).verify(r.body, r.headers);
  });

  it("task.failed, rollout.rolled_back and approval.requested; the Slack format", async () => {
    const hook = await subscribe(server, "/events", ["task.failed", "rollout.rolled_back", "approval.requested", "rollout.rolling_back"]);
    await subscribe(server, "/slack", ["*"], "slack");
    const failed = await runTree(server, { seq: [{ noop: "a" }, { fail: "boom" }] });
    await waitFor(() => eventsAt("/events").some((e) => e.type === "rollout.rolled_back"), { what: "rolled_back" });
    const mine = eventsAt("/events").filter((e) => e.data.rollout.id === failed);
    // one task.failed for the failing task (not for its parent sequence)
    expect(mine.map((e) => e.type)).toEqual(["task.failed", "rollout.rolling_back", "rollout.rolled_back"]);
    expect(mine[0].data.task).toMatchObject({ id: 2, type: expect.stringContaining("FailTask"), error: "boom" });
    const gate = await runTree(server, { approval: "Ship it?" });
    await waitFor(() => eventsAt("/events").some((e) => e.type === "approval.requested" && e.data.rollout.id === gate), { what: "approval.requested" });
    const asked = eventsAt("/events").find((e) => e.type === "approval.requested")!;
    expect(asked.data.task).toMatchObject({ id: 0, title: "Ship it?" });
    await waitFor(() => eventsAt("/slack").some((e) => /waits for an approval: Ship it\?/.test(e.text)), { what: "the Slack message" });
    const slack = eventsAt("/slack").map((e) => e.text as string);
    expect(slack).toContainEqual(expect.stringMatching(new RegExp(`^:x: <http://127\\.0\\.0\\.1:${server.port}/rollouts/${failed}\\|Rollout ${failed}> \\(fixtures:TreeRollout\\): task 2 \\(.*FailTask\\) failed: boom$`)));
    expect(slack).toContainEqual(expect.stringContaining(`Rollout ${failed}> (fixtures:TreeRollout) rolled back`));
    for (const e of eventsAt("/slack")) expect(Object.keys(e)).toEqual(["text"]);
    expect((await server.api("POST", `/api/rollouts/${gate}/signals/abort_rollout`)).status).toBe(200);
    // a Slack URL is a secret: the list shows only its start
    const list = (await server.api<Json>("GET", "/api/webhooks")).body.webhooks as Json[];
    expect(list.find((w) => w.format === "slack")!.url).toBe(`${receiver.url}/slack/…`);
    expect((await server.api("DELETE", `/api/webhooks/${hook.id}`)).status).toBe(200);
    expect((await server.api("GET", `/api/webhooks/${hook.id}`)).status).toBe(404);
  });

  it("bad input is refused with the field errors", async () => {
    const bad = await server.api<Json>("POST", "/api/webhooks", { url: "ftp://x", events: ["rollout.exploded"] });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.fields).sort()).toEqual(["events.0", "url"]);
    expect((await server.api<Json>("POST", "/api/webhooks", { url: "http://x.example", events: [] })).status).toBe(400);
  });

  // Two server starts on a busy CI machine: more than the default minute.
  it("an instance killed between the change and the delivery loses nothing: the next one delivers it", { timeout: 120_000 }, async () => {
    const dir = tempDir();
    // Long enough that the first instance still waits on the receiver when it is killed, however slow
    // this test is to notice the request (with 1 s, a busy machine saw the first instance give up and retry).
    const env = { ...fast, KETTLE_WEBHOOK_TIMEOUT_MS: "5000" };
    const first = await startServer({ env, dir });
    receiver.answer = (req, nth) => (req.path === "/crash" && nth === 1 ? "hang" : 200);
    const hook = await subscribe(first, "/crash", ["rollout.finished"]);
    const id = await runTree(first, { noop: "z" });
    await waitFor(() => at("/crash").length >= 1, { what: "the first attempt to be under way" });
    await first.kill(); // SIGKILL while the receiver holds the request: no attempt recorded
    const second = await startServer({ env, dir, dbUrl: first.dbUrl });
    try {
      const delivered = await waitFor(async () => {
        const w = (await second.api<Json>("GET", `/api/webhooks/${hook.id}`)).body;
        return w.deliveries.find((d: Json) => d.rolloutId === id && d.status === "delivered") as Json | undefined;
      }, { what: "the delivery by the next instance", timeoutMs: 30_000 });
      expect(delivered.attempts.map((a: Json) => a.status)).toEqual([200]);
      const got = at("/crash");
      expect(got).toHaveLength(2);
      expect(got[1].headers["webhook-id"]).toBe(got[0].headers["webhook-id"]);
      expect(JSON.parse(got[1].body)).toMatchObject({ type: "rollout.finished", data: { rollout: { id } } });
    } finally {
      await second.stop();
    }
  });
});

describe("/metrics", () => {
  it("parses as Prometheus text; counters move after a run", async () => {
    const before = await scrape(server);
    for (const name of ["kettle_rollouts", "kettle_task_run_duration_seconds", "kettle_task_revert_duration_seconds", "kettle_signals_total", "kettle_decisions_total",
      "kettle_lease_claims_total", "kettle_lease_renewals_total", "kettle_lease_takeovers_total", "kettle_webhook_deliveries_total", "nodejs_eventloop_lag_seconds", "process_cpu_user_seconds_total"]) {
      expect(before.has(name), name).toBe(true);
    }
    expect(before.get("kettle_task_run_duration_seconds")!.type).toBe("HISTOGRAM");
    const id = await runTree(server, { seq: [{ noop: "m" }, { delay: 2 }] });
    await waitFor(async () => (await server.api<Json>("GET", `/api/rollouts/${id}`)).body.status === "finished", { what: "the run" });
    const after = await scrape(server);
    expect(valueOf(after, "kettle_lease_claims_total")).toBe(valueOf(before, "kettle_lease_claims_total") + 1);
    expect(valueOf(after, "kettle_rollouts", { status: "finished" })).toBe(valueOf(before, "kettle_rollouts", { status: "finished" }) + 1);
    // (the parser flattens labelled histograms: their _count lines are read from the text)
    const runs = (m: { text: string }) => Number(/^kettle_task_run_duration_seconds_count\{type="[^"]*NoopTask",outcome="finished"\} (\d+)$/m.exec(m.text)?.[1] ?? 0);
    expect(runs(after)).toBe(runs(before) + 1);
    expect(valueOf(after, "kettle_lease_renewals_total")).toBeGreaterThan(valueOf(before, "kettle_lease_renewals_total"));
    expect(valueOf(after, "kettle_webhook_deliveries_total", { outcome: "delivered" })).toBeGreaterThan(0);
    expect(valueOf(after, "kettle_webhook_deliveries_total", { outcome: "failed" })).toBeGreaterThanOrEqual(2);
    expect(valueOf(after, "kettle_signals_total", { name: "abort_rollout" })).toBeGreaterThanOrEqual(1);
  });
});

// GET /healthz and /readyz: answered without sign-in, revealing nothing but
// what is wrong; /readyz follows the database's schema and shutdown.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "@libsql/client";
import { startServer, type TestServer } from "../helpers/server";

type Ready = { status: string; problems?: string[] };

describe("health and readiness", () => {
  let server: TestServer;
  beforeAll(async () => {
    // Proxy sign-in with no user header sent: the probes must not need one.
    server = await startServer({ env: { KETTLE_AUTH: "proxy", KETTLE_USER_HEADER: "X-Forwarded-User", KETTLE_ROLLOUT_CLS: "fixtures:TreeRollout" } });
  });
  afterAll(() => server?.stop());

  it("/healthz answers 200 without sign-in; the API itself still wants one", async () => {
    const health = await server.api<Ready>("GET", "/healthz");
    expect(health).toEqual({ status: 200, body: { status: "ok" } });
    expect((await server.api("GET", "/api/rollouts")).status).toBe(401);
  });

  it("/readyz answers 200 once the runner's loop goes round, with nothing but the status", async () => {
    await expect.poll(async () => (await server.api<Ready>("GET", "/readyz")).status, { timeout: 10_000 }).toBe(200);
    const res = await fetch(`${server.url}/readyz`);
    expect(await res.json()).toEqual({ status: "ready" });
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("/readyz answers 503 saying what is wrong when the database's schema is not the code's, and 200 again when it is", async () => {
    const db = createClient({ url: server.dbUrl });
    const last = (await db.execute("SELECT hash, created_at FROM __drizzle_migrations ORDER BY created_at DESC LIMIT 1")).rows[0];
    await db.execute({ sql: "DELETE FROM __drizzle_migrations WHERE created_at = ?", args: [last.created_at] });
    const res = await server.api<Ready>("GET", "/readyz");
    expect(res).toEqual({ status: 503, body: { status: "not ready", problems: ["database: 1 migration(s) not applied"] } });
    await db.execute({ sql: "INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)", args: [last.hash, last.created_at] });
    expect((await server.api("GET", "/readyz")).status).toBe(200);
    db.close();
  });

  it("a probe takes GET only", async () => {
    const res = await server.api<{ error: string }>("POST", "/readyz");
    expect(res.status).toBe(405);
    expect(res.body.error).toMatch(/GET only/);
  });
});

describe("shutdown", () => {
  it("SIGTERM: /readyz never answers 200 again, the running rollout is handed over, and the process exits in its grace period", async () => {
    const server = await startServer({ env: { KETTLE_ROLLOUT_CLS: "fixtures:TreeRollout" } });
    const created = await server.api<{ id: number }>("POST", "/api/rollouts", { config: { tree: { delay: 30 } } });
    await server.api("POST", `/api/rollouts/${created.body.id}/run`);
    await expect.poll(async () => (await server.api<{ status: string }>("GET", `/api/rollouts/${created.body.id}`)).body.status).toBe("started");
    expect((await server.api("GET", "/readyz")).status).toBe(200);
    const t0 = Date.now();
    server.proc.kill("SIGTERM");
    // From when the process has taken the signal (a probe sent before that may still be answered 200).
    await expect.poll(() => server.output().includes("SIGTERM: stopping") || server.proc.exitCode !== null, { interval: 5 }).toBe(true);
    const seen: number[] = [];
    while (server.proc.exitCode === null) {
      try {
        seen.push((await fetch(`${server.url}/readyz`)).status);
      } catch {
        break; // closed: the process is on its way out
      }
    }
    await server.stop();
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(seen.filter((s) => s !== 503)).toEqual([]);
    expect(server.proc.exitCode).toBe(0);
    expect(server.output()).toContain("handing over running rollouts");
    const db = createClient({ url: server.dbUrl });
    const row = (await db.execute({ sql: "SELECT lease_owner FROM rollout WHERE id = ?", args: [created.body.id] })).rows[0];
    expect(row.lease_owner).toBeNull();
    db.close();
  });
});

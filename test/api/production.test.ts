// The production server as `npm start` runs it: the compiled server, node alone.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../helpers/server";

const forbid = path.resolve(import.meta.dirname, "../helpers/forbid-dev-modules.mjs");

describe("the compiled production server", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ nodeArgs: ["--import", forbid], env: { KETTLE_ROLLOUT_CLS: "fixtures:TreeRollout" } });
  });
  afterAll(() => server?.stop());

  it("runs and serves with no development-only package loaded (tsx, TypeScript, esbuild)", async () => {
    const created = await server.api<{ id: number }>("POST", "/api/rollouts", { config: { tree: { seq: [{ noop: "a" }, { noop: "b" }] } } });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect((await server.api("POST", `/api/rollouts/${id}/run`)).status).toBe(202);
    await expect.poll(async () => (await server.api<{ status: string }>("GET", `/api/rollouts/${id}`)).body.status, { timeout: 20_000 }).toBe("finished");
    const page = await fetch(`${server.url}/rollouts/${id}`);
    expect(page.status).toBe(200);
    expect(server.output()).not.toContain("FORBIDDEN");
  });

  it("the guard works: a forbidden import is refused", async () => {
    const { spawnSync } = await import("node:child_process");
    const r = spawnSync(process.execPath, ["--import", forbid, "-e", "require('typescript')"], { encoding: "utf8" });
    expect(r.status).toBe(99);
    expect(r.stderr).toContain("FORBIDDEN development-only module loaded in production: typescript");
  });
});

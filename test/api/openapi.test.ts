// The OpenAPI document (every route under app/api is in it, and it is valid
// OpenAPI 3.1), the /api page, who may manage webhooks, and who may read /metrics,
// against a real server in proxy mode.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Validator } from "@seriousme/openapi-schema-validator";
import { startServer, type TestServer } from "../helpers/server";

type Json = Record<string, any>;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const METRICS_TOKEN = "metrics-token-0123456789";
let server: TestServer;
const as = (user: string) => ({ "X-User": user });

beforeAll(async () => {
  server = await startServer({
    env: {
      KETTLE_ROLLOUT_CLS: "rollout:MyRollout,fixtures:TreeRollout",
      KETTLE_AUTH: "proxy",
      KETTLE_USER_HEADER: "X-User",
      KETTLE_ADMINS: "ada",
      KETTLE_OPERATORS: "olga",
      KETTLE_DEFAULT_ROLE: "none",
      KETTLE_METRICS_ALLOW: "10.0.0.0/8",
      KETTLE_METRICS_TOKEN: METRICS_TOKEN,
    },
  });
});
afterAll(async () => {
  await server?.stop();
});

/** Every route file under app/api: its URL path (OpenAPI style) and the methods it exports. */
function apiRoutes(): { path: string; methods: string[] }[] {
  const found: { path: string; methods: string[] }[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === "route.ts") {
        const rel = path.relative(path.join(root, "app"), path.dirname(full)).split(path.sep);
        const url = "/" + rel.map((seg) => seg.replace(/^\[(\w+)\]$/, "{$1}")).join("/");
        const source = fs.readFileSync(full, "utf8");
        const methods = [...source.matchAll(/export (?:const|async function) (GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1].toLowerCase());
        found.push({ path: url, methods });
      }
    }
  };
  walk(path.join(root, "app/api"));
  return found;
}

describe("OpenAPI", () => {
  it("describes every route under app/api (and no other), with each offered kind's config", async () => {
    const res = await server.api<Json>("GET", "/api/openapi.json", undefined, as("olga"));
    expect(res.status).toBe(200);
    const doc = res.body;
    const routes = apiRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(18);
    for (const r of routes) {
      expect(r.methods.length, r.path).toBeGreaterThan(0);
      for (const m of r.methods) expect(doc.paths[r.path]?.[m], `${m.toUpperCase()} ${r.path}`).toBeDefined();
    }
    const documented = Object.entries(doc.paths as Json).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`));
    expect(documented.sort()).toEqual(routes.flatMap((r) => r.methods.map((m) => `${m} ${r.path}`)).sort());
    // kinds: the config schema of each, from its class
    expect(doc.components.schemas["Config.fixtures.TreeRollout"]).toMatchObject({ type: "object", required: expect.arrayContaining(["tree"]) });
    expect(doc.components.schemas["Config.rollout.MyRollout"]).toMatchObject({ type: "object" });
    // request bodies come from the schemas the handlers use
    expect(doc.paths["/api/webhooks"].post.requestBody.content["application/json"].schema.properties.events.items.enum).toContain("approval.requested");
    expect(doc.paths["/api/rollouts/{id}/run"].post["x-kettle-role"]).toBe("operator");
    expect(doc.servers[0].url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it("is valid OpenAPI 3.1", async () => {
    const doc = (await server.api<Json>("GET", "/api/openapi.json", undefined, as("olga"))).body;
    expect(doc.openapi).toBe("3.1.0");
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("the /api page shows it to people, and pages link to it from the footer", async () => {
    const page = await fetch(`${server.url}/api`, { headers: as("olga") });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("/api/rollouts/{id}/signals/{signal}");
    expect(html).toContain('data-route="POST /api/webhooks"');
    const home = await (await fetch(`${server.url}/`, { headers: as("olga") })).text();
    expect(home).toMatch(/<footer[^>]*>.*href="\/api".*<\/footer>/s);
  });

  it("a body that does not fit its schema: 400 with the field errors", async () => {
    const bad = await server.api<Json>("POST", "/api/rollouts", { kind: 7, config: [] }, as("olga"));
    expect(bad.status).toBe(400);
    expect(bad.body.fields).toEqual({ kind: [expect.stringMatching(/kind must be a string/)], config: ["config must be a JSON object"] });
  });
});

describe("who may manage webhooks and read /metrics", () => {
  it("webhooks are for admins only, through the API and on the page", async () => {
    const listed = await server.api<Json>("GET", "/api/webhooks", undefined, as("olga"));
    expect(listed).toMatchObject({ status: 403, body: { needs: "admin" } });
    expect((await server.api<Json>("POST", "/api/webhooks", { url: "http://127.0.0.1:9/x", events: ["*"] }, as("olga"))).status).toBe(403);
    const made = await server.api<Json>("POST", "/api/webhooks", { url: "http://127.0.0.1:9/x", events: ["*"] }, as("ada"));
    expect(made.status).toBe(201);
    expect((await server.api<Json>("PUT", `/api/webhooks/${made.body.id}`, { enabled: false }, as("olga"))).status).toBe(403);
    expect((await server.api<Json>("PUT", `/api/webhooks/${made.body.id}`, { enabled: false }, as("ada"))).body.enabled).toBe(false);
    expect((await server.api<Json>("DELETE", `/api/webhooks/${made.body.id}`, undefined, as("olga"))).status).toBe(403);
    const refusedPage = await (await fetch(`${server.url}/webhooks`, { headers: as("olga") })).text();
    expect(refusedPage).toContain("webhook_read needs the admin role (you are an operator)");
    const page = await (await fetch(`${server.url}/webhooks`, { headers: as("ada") })).text();
    expect(page).toContain("New webhook");
    expect(page).toContain("http://127.0.0.1:9/x");
    // the audit trail has the changes
    const audit = await server.api<Json>("GET", "/api/audit?user=ada", undefined, as("ada"));
    expect(JSON.stringify(audit.body)).toMatch(/webhook_create/);
  });

  it("/metrics: refused from an address not in KETTLE_METRICS_ALLOW; allowed with the metrics token, an API token or a signed-in user", async () => {
    const anon = await fetch(`${server.url}/metrics`);
    expect(anon.status).toBe(403);
    expect(await anon.text()).toMatch(/KETTLE_METRICS_ALLOW/);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: "Bearer wrong-token-0123456789" } })).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: "Bearer kettle_bogus" } })).status).toBe(401);
    const withToken = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(withToken.status).toBe(200);
    expect(await withToken.text()).toMatch(/^kettle_rollouts\{status="finished"\} \d+$/m);
    const made = await server.api<Json>("POST", "/api/tokens", { name: "prometheus", role: "viewer" }, as("olga"));
    expect(made.status).toBe(201);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${made.body.token}` } })).status).toBe(200);
    expect((await fetch(`${server.url}/metrics`, { headers: as("olga") })).status).toBe(200);
    // a client's own forwarded-for is no way in: the proxy's is the last entry
    expect((await fetch(`${server.url}/metrics`, { headers: { "x-forwarded-for": "10.1.2.3, 192.168.0.9" } })).status).toBe(403);
    expect((await fetch(`${server.url}/metrics`, { headers: { "x-forwarded-for": "192.168.0.9, 10.1.2.3" } })).status).toBe(200);
  });
});

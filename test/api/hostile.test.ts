// Hostile input (issue 18), against a real server in proxy mode: paths that do
// not percent-decode, unknown API paths and methods, deeply nested bodies,
// text that would not be read back whole, query strings and page parameters the
// fuzzer found, plans over the limits: each a clear 4xx that changes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../helpers/server";
import { answerChecker } from "../helpers/openapi-answers";
import { admin, operator, proxyEnv, TREE, viewer } from "../helpers/proxy-roles";

type Json = Record<string, any>;
let server: TestServer;
let check: ReturnType<typeof answerChecker>;

beforeAll(async () => {
  server = await startServer({
    env: { ...proxyEnv, KETTLE_MAX_PLAN_TASKS: "5000", KETTLE_MAX_PLAN_STATE_BYTES: "65536" },
  });
  check = answerChecker((await server.api<Json>("GET", "/api/openapi.json", undefined, admin)).body);
});
afterAll(async () => {
  await server?.stop();
});

/** A request sent as given (fetch keeps a bad percent-encoding as it is), with the answer's type and Allow header. */
async function raw(method: string, pathname: string, headers: Record<string, string> = {}, body?: string) {
  const res = await fetch(server.url + pathname, { method, headers: { "content-type": "application/json", ...headers }, body });
  const text = await res.text();
  let json: Json | null = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, type: res.headers.get("content-type") ?? "", allow: res.headers.get("allow"), text, json };
}

const newRollout = async (tree: unknown = { approval: "go?" }) => {
  const made = await server.api<Json>("POST", "/api/rollouts", { kind: TREE, config: { tree } }, operator);
  expect(made.status).toBe(201);
  return made.body.id as number;
};

describe("paths that do not percent-decode", () => {
  it("answer a JSON 400 under /api (before sign-in too), whatever the route", async () => {
    const id = await newRollout();
    for (const [method, path] of [
      ["GET", "/api/rollouts/%zz/plans"],
      ["GET", "/api/rollouts/%E0%A4%A"],
      ["POST", "/api/rollouts/%/hide"],
      ["DELETE", "/api/tokens/%ED%A0%80"],
      ["GET", `/api/rollouts/${id}/tasks/%zz/logs/run`],
      ["GET", "/api/kinds/%zz/lock"],
      ["GET", "/api/nothing/%zz"],
    ]) {
      for (const who of [operator, {}]) {
        const res = await raw(method, path, who);
        expect(res.status, `${method} ${path}`).toBe(400);
        expect(res.type).toMatch(/application\/json/);
        expect(res.json?.error).toMatch(/percent-encoded/);
      }
    }
    // nothing changed
    expect((await server.api<Json>("GET", `/api/rollouts/${id}`, undefined, operator)).body.hidden).toBe(false);
  });

  it("a page answers a friendly 400 page", async () => {
    for (const who of [operator, {}]) {
      const res = await raw("GET", "/rollouts/%zz", who);
      expect(res.status).toBe(400);
      expect(res.type).toMatch(/text\/html/);
      expect(res.text).toContain("Bad address");
      expect(res.text).not.toMatch(/at .*\.(ts|js):\d+/); // no stack trace
    }
  });
});

describe("unknown API paths and methods", () => {
  it("an unknown /api path answers a JSON 404", async () => {
    for (const [method, path] of [
      ["GET", "/api/nope"],
      ["POST", "/api/rollouts/1/nope"],
      ["GET", "/api/rollouts/1/signals"],
      ["DELETE", "/api/a/b/c/d/e/f/g"],
    ]) {
      const res = await raw(method, path, operator);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.json?.error, `${method} ${path}`).toMatch(/No API route/);
    }
    // the /api page is still a page
    expect((await raw("GET", "/api", operator)).type).toMatch(/text\/html/);
  });

  it("a method a documented path does not take answers a JSON 405 with Allow", async () => {
    const id = await newRollout();
    const cases: [string, string, string[]][] = [
      ["PATCH", `/api/rollouts/${id}`, ["GET", "PUT"]],
      ["PATCH", "/api/tokens", ["GET", "POST"]],
      ["DELETE", "/api/rollouts", ["GET", "POST"]],
      ["PUT", "/api/rollouts/in-flight", ["GET"]],
      ["GET", `/api/rollouts/${id}/run`, ["POST"]],
    ];
    for (const [method, path, methods] of cases) {
      const res = await raw(method, path, admin);
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.json?.error).toMatch(new RegExp(`${method} is not allowed`));
      for (const m of methods) expect(res.allow?.split(", ")).toContain(m);
    }
    expect((await server.api<Json>("GET", `/api/rollouts/${id}`, undefined, operator)).body.status).toBe("not_started");
  });
});

describe("deeply nested bodies", () => {
  const nested = (levels: number) => `{"kind":"${TREE}","config":{"tree":${'{"a":'.repeat(levels)}1${"}".repeat(levels)}}}`;

  it("10 000 levels: 400 saying so, on create, preview and finalise; nothing stored", async () => {
    const id = await newRollout({ noop: "before" });
    const before = (await server.api<Json>("GET", "/api/rollouts?perPage=100", undefined, operator)).body.total;
    for (const [method, path] of [
      ["POST", "/api/rollouts"],
      ["POST", "/api/rollouts/preview"],
      ["PUT", `/api/rollouts/${id}`],
    ]) {
      const res = await raw(method, path, operator, nested(10_000));
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(res.json?.error).toMatch(/more than 64 levels/);
    }
    expect((await server.api<Json>("GET", "/api/rollouts?perPage=100", undefined, operator)).body.total).toBe(before);
    expect((await server.api<Json>("GET", `/api/rollouts/${id}`, undefined, operator)).body.config.tree).toEqual({ noop: "before" });
  });

  it("brackets inside strings do not count, and 60 levels are let through to the kind's own checks", async () => {
    const res = await raw("POST", "/api/rollouts/preview", operator, JSON.stringify({ kind: TREE, config: { tree: { noop: "[[[[{{{{".repeat(100) } } }));
    expect(res.status).toBe(200);
    const deep = await raw("POST", "/api/rollouts/preview", operator, nested(60));
    expect(deep.json?.error ?? "").not.toMatch(/levels/);
  });
});

describe("control characters in text fields are refused, never cut short", () => {
  const NUL = "ci\u0000 pipeline";

  it("token name", async () => {
    for (const name of [NUL, "bell\u0007", "esc\u001b[31m", "del\u007f"]) {
      const res = await server.api<Json>("POST", "/api/tokens", { name }, viewer);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/name: control characters \(such as NUL\) are not allowed/);
    }
    // a lone surrogate (JSON can carry "\ud800") would be stored as U+FFFD: refused too
    for (const name of ["a\ud800b", "\udc00"]) {
      const res = await server.api<Json>("POST", "/api/tokens", { name }, viewer);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/name: not valid Unicode text/);
    }
    expect((await server.api<Json>("GET", "/api/tokens", undefined, viewer)).body.tokens).toEqual([]);
    // tabs and line breaks are fine, and come back whole
    const ok = await server.api<Json>("POST", "/api/tokens", { name: "ci\tpipeline" }, viewer);
    expect(ok).toMatchObject({ status: 201, body: { name: "ci\tpipeline" } });
  });

  it("lock reason", async () => {
    const path = `/api/kinds/${encodeURIComponent(TREE)}/lock`;
    const res = await server.api<Json>("POST", path, { reason: "db migration\u0000 running" }, operator);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/reason: control characters/);
    const surrogate = await server.api<Json>("POST", path, { reason: "db migration \ud83d running" }, operator);
    expect(surrogate.status).toBe(400);
    expect(surrogate.body.error).toMatch(/reason: not valid Unicode text/);
    expect((await server.api<Json>("GET", path, undefined, operator)).body.locked).toBe(false);
  });

  it("signal comment, task decision comment, rollback retry comment", async () => {
    const id = await newRollout({ approval: "go?" });
    const paths = [`/api/rollouts/${id}/signals/abort_rollout`, `/api/rollouts/${id}/tasks/0/approve`, `/api/rollouts/${id}/rollback/retry`];
    for (const path of paths) {
      const res = await server.api<Json>("POST", path, { comment: "because\u0000 hidden" }, admin);
      expect(res.status, path).toBe(400);
      expect(res.body.error, path).toMatch(/comment: control characters/);
      const surrogate = await server.api<Json>("POST", path, { comment: "because \udead" }, admin);
      expect(surrogate.status, path).toBe(400);
      expect(surrogate.body.error, path).toMatch(/comment: not valid Unicode text/);
    }
    const after = (await server.api<Json>("GET", `/api/rollouts/${id}`, undefined, operator)).body;
    expect(after).toMatchObject({ status: "not_started", decisions: [], signals: { sent: [] } });
  });

  it("webhook URL and description, made and changed", async () => {
    for (const body of [
      { url: "http://127.0.0.1:9/\u0000x", events: ["*"] },
      { url: "http://127.0.0.1:9/x", events: ["*"], description: "ops\u0000 channel" },
      { url: "http://127.0.0.1:9/x", events: ["*"], description: "ops \ud800 channel" },
    ]) {
      const res = await server.api<Json>("POST", "/api/webhooks", body, admin);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/(url|description): (control characters|not valid Unicode text)/);
    }
    expect((await server.api<Json>("GET", "/api/webhooks", undefined, admin)).body.webhooks).toEqual([]);
    const made = await server.api<Json>("POST", "/api/webhooks", { url: "http://127.0.0.1:9/x", events: ["*"], description: "ops" }, admin);
    expect(made.status).toBe(201);
    const changed = await server.api<Json>("PUT", `/api/webhooks/${made.body.id}`, { description: "ops\u0000 channel" }, admin);
    expect(changed.status).toBe(400);
    expect((await server.api<Json>("GET", `/api/webhooks/${made.body.id}`, undefined, admin)).body.description).toBe("ops");
    await server.api("DELETE", `/api/webhooks/${made.body.id}`, undefined, admin);
  });
});

describe("query strings the fuzzer found", () => {
  it("a page number in exponent form (1e99) is a 400, not a failed query", async () => {
    for (const query of ["page=1e99", "perPage=1e99", "page=-1", "page=1.5", "page=0x10"]) {
      const res = await server.api<Json>("GET", `/api/rollouts?${query}`, undefined, operator);
      expect(res.status, query).toBe(400);
      expect(res.body.error).toMatch(/page and perPage must be whole numbers/);
    }
    expect((await server.api<Json>("GET", "/api/rollouts?page=2&perPage=5", undefined, operator)).status).toBe(200);
  });
});

describe("pages with bad parameters", () => {
  it("answer a page (a 404 for what does not exist), never a 500", async () => {
    const id = await newRollout({ noop: "x" });
    const paths = [
      "/rollouts?page=1e99", "/rollouts?page=abc", "/rollouts?status=zzz", "/rollouts?from=zzz", "/rollouts?q=%zz", "/rollouts?q=%00",
      "/rollouts/abc", "/rollouts/1e99", "/rollouts/99999999999999999999", `/rollouts/${id}?tasks=zzz`, "/rollouts/abc/edit", "/rollouts/new?kind=%00",
      "/audit?page=1e99", "/audit?from=zzz", "/webhooks/abc", `/rollouts/${id}/tasks/abc`, `/rollouts/${id}/logs/zzz`, "/?%zz",
    ];
    for (const path of paths) {
      const res = await raw("GET", path, admin);
      expect(res.status, path).toBeLessThan(500);
      expect(res.type, path).toMatch(/text\/html/);
    }
  });
});

describe("bounded work per finalise: the plan limits", () => {
  const noops = (n: number) => ({ par: Array.from({ length: n }, () => ({ noop: true })) });

  it("too many tasks: 422 naming KETTLE_MAX_PLAN_TASKS and by how much, on create, preview and finalise; nothing stored", async () => {
    const id = await newRollout({ noop: "kept" });
    const total = (await server.api<Json>("GET", "/api/rollouts", undefined, operator)).body.total;
    for (const [method, path, body] of [
      ["POST", "/api/rollouts", { kind: TREE, config: { tree: noops(5000) } }],
      ["POST", "/api/rollouts/preview", { kind: TREE, config: { tree: noops(5000) } }],
      ["PUT", `/api/rollouts/${id}`, { config: { tree: noops(5000) } }],
    ] as const) {
      const res = await server.api<Json>(method, path, body, operator);
      expect(res.status, `${method} ${path}`).toBe(422);
      expect(res.body.error).toBe("The plan has 5,001 tasks: 1 over the limit of 5,000 (KETTLE_MAX_PLAN_TASKS)");
      expect(check(method, path, res.status, res.body)).toEqual([]);
    }
    expect((await server.api<Json>("GET", "/api/rollouts", undefined, operator)).body.total).toBe(total);
    expect((await server.api<Json>("GET", `/api/rollouts/${id}`, undefined, operator)).body.config.tree).toEqual({ noop: "kept" });
    // at the limit: made
    expect((await server.api<Json>("POST", "/api/rollouts/preview", { kind: TREE, config: { tree: noops(4999) } }, operator)).status).toBe(200);
  });

  it("too much task state: 422 naming KETTLE_MAX_PLAN_STATE_BYTES and by how much", async () => {
    const label = "x".repeat(40_000);
    const res = await server.api<Json>("POST", "/api/rollouts", { kind: TREE, config: { tree: { seq: [{ noop: label }, { noop: label }] } } }, operator);
    expect(res.status).toBe(422);
    expect(res.body.error).toMatch(/^The plan's task state is 80,0\d\d bytes: 14,4\d\d over the limit of 65,536 \(KETTLE_MAX_PLAN_STATE_BYTES\)$/);
  });

  it("a big plan's preview is answered in the summary form", async () => {
    const res = await server.api<Json>("POST", "/api/rollouts/preview", { kind: TREE, config: { tree: noops(3000) } }, operator);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ count: 3001, tasksShown: "summary", tasks: { childCount: 3000 } });
    expect(res.body.tasks.children).toHaveLength(20);
    const small = await server.api<Json>("POST", "/api/rollouts/preview", { kind: TREE, config: { tree: noops(30) } }, operator);
    expect(small.body).toMatchObject({ count: 31, tasksShown: "all" });
    expect(small.body.tasks.children).toHaveLength(30);
  });
});

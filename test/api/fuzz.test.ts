// A property-based fuzzer over Kettle's own OpenAPI document (issue 18): for
// every operation, in each role (and with nobody signed in), generated bad path
// parameters, query strings and bodies. Every answer must be a JSON 4xx with an
// `error` (no 5xx, no stack trace), and nothing may change. A request whose only
// fault is its query string may also be answered 2xx (lists read leniently), but
// never 5xx. `npm test` runs a short pass with a fixed seed; `npm run fuzz` a long
// one (KETTLE_FUZZ_RUNS per operation and role; KETTLE_FUZZ_SEED to replay one).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { createClient, type Client } from "@libsql/client";
import { startServer, type TestServer } from "../helpers/server";

type Json = Record<string, any>;
const SEED = Number(process.env.KETTLE_FUZZ_SEED ?? 18);
const RUNS = Number(process.env.KETTLE_FUZZ_RUNS ?? 5); // per operation and role
const TREE = "fixtures:TreeRollout";
const ROLES: Record<string, Record<string, string>> = { admin: { "X-User": "ada" }, operator: { "X-User": "olga" }, viewer: { "X-User": "vic" }, nobody: {} };

let server: TestServer;
let db: Client;
let doc: Json;
/** The values that name something real, per path template and parameter. */
let valid: (template: string, param: string) => string[];

beforeAll(async () => {
  server = await startServer({
    env: { KETTLE_AUTH: "proxy", KETTLE_USER_HEADER: "X-User", KETTLE_ADMINS: "ada", KETTLE_OPERATORS: "olga", KETTLE_DEFAULT_ROLE: "viewer", KETTLE_ROLLOUT_CLS: TREE },
  });
  db = createClient({ url: server.dbUrl });
  const admin = ROLES.admin;
  doc = (await server.api<Json>("GET", "/api/openapi.json", undefined, admin)).body;
  // Something real for each kind of id: a rollout not started (with tasks), a token, a webhook.
  const rollout = (await server.api<Json>("POST", "/api/rollouts", { kind: TREE, config: { tree: { seq: [{ noop: "one" }, { approval: "go?" }] } } }, admin)).body;
  const token = (await server.api<Json>("POST", "/api/tokens", { name: "fuzz" }, ROLES.viewer)).body;
  const webhook = (await server.api<Json>("POST", "/api/webhooks", { url: "http://127.0.0.1:9/hook", events: ["*"] }, admin)).body;
  expect([rollout.id, token.id, webhook.id].every((id) => typeof id === "number")).toBe(true);
  valid = (template, param) => {
    if (param === "id") return template.startsWith("/api/tokens") ? [String(token.id)] : template.startsWith("/api/webhooks") ? [String(webhook.id)] : [String(rollout.id), "latest"];
    if (param === "taskId") return ["0", "1", "2"];
    if (param === "kind") return [TREE];
    const op = Object.values(doc.paths[template] as Json)[0] as Json;
    return op.parameters?.find((p: Json) => p.name === param)?.schema?.enum ?? [];
  };
});
afterAll(async () => {
  db?.close();
  await server?.stop();
});

/** What a request may change, read straight from the database (refusals' audit rows aside). */
async function snapshot(): Promise<string> {
  const queries = [
    "SELECT * FROM rollout ORDER BY id",
    "SELECT * FROM task ORDER BY rollout_id, id",
    "SELECT * FROM signal ORDER BY rowid",
    "SELECT * FROM decision ORDER BY rowid",
    "SELECT * FROM plan ORDER BY id",
    "SELECT id, name, role, user, created_at, expires_at, revoked_at, revoked_by FROM api_token ORDER BY id",
    "SELECT * FROM kind_lock ORDER BY rowid",
    "SELECT * FROM webhook ORDER BY id",
    "SELECT * FROM outbox ORDER BY rowid",
    // (A backup reads the database and records that it did: its own audit row is not a change.)
    "SELECT * FROM audit WHERE outcome = 'ok' AND action != 'backup' ORDER BY id",
    "SELECT * FROM plan_decision ORDER BY id",
  ];
  const parts = [];
  for (const sql of queries) parts.push(JSON.stringify((await db.execute(sql)).rows));
  return parts.join("\n");
}

// ---- generators ----
const STATIC_SEGMENTS = () => new Set(Object.keys(doc.paths).flatMap((p) => p.split("/").filter((s) => s && !s.startsWith("{"))));
const decoded = (raw: string) => {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
};
const encodable = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return null;
  }
};

/** A path segment that names nothing real for this parameter (nor another route's segment). */
function badSegment(template: string, param: string) {
  const real = new Set(valid(template, param));
  const statics = STATIC_SEGMENTS();
  return fc
    .oneof(
      fc.constantFrom("%zz", "%", "%E0%A4%A", "%ED%A0%80", "%C0%AF", "%00", "%FF", "-1", "999999", "99999999999999999999", "1.5", "1e3", "0x10", "abc", "%20", "null", "%2e%2e", "%2F", "NaN", "%0A", "x".repeat(300)),
      fc.string({ minLength: 1, maxLength: 40 }).map(encodeURIComponent),
      fc.string({ unit: "binary", minLength: 1, maxLength: 12 }).map(encodable).filter((s): s is string => s !== null),
    )
    .filter((raw) => {
      const text = decoded(raw);
      if (text === null) return true; // does not decode: bad
      const t = text.trim();
      if (real.has(t) || statics.has(t) || /latest/i.test(t) || t === "." || t === "..") return false;
      return !(/^\+?\d+(\.0*)?$/.test(t) && Number(t) < 1000); // could be a real id
    });
}

/** A value of a JSON type the property schema does not allow (or a control character in a text field, a string outside an enum). */
function wrongValue(schema: Json) {
  const variants: Json[] = schema.anyOf ?? schema.oneOf ?? [schema];
  const allowed = new Set<string>(variants.flatMap((v) => (v.type ? [v.type].flat() : v.enum ? ["string"] : ["object"])));
  if (allowed.has("integer")) allowed.add("number");
  const byType: Record<string, fc.Arbitrary<unknown>> = {
    string: fc.string({ maxLength: 10 }),
    number: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
    boolean: fc.boolean(),
    array: fc.array(fc.integer(), { maxLength: 3 }),
    object: fc.constant({ a: 1 }),
    null: fc.constant(null),
  };
  const options = Object.entries(byType).filter(([t]) => !allowed.has(t)).map(([, a]) => a);
  const enums = variants.flatMap((v) => v.enum ?? []);
  if (enums.length && !variants.some((v) => v.type === "string" && !v.enum)) options.push(fc.string().filter((s) => !enums.includes(s)));
  if (variants.some((v) => typeof v.pattern === "string" && v.pattern.includes("\\u0000"))) {
    options.push(fc.tuple(fc.string({ maxLength: 10 }), fc.constantFrom("\u0000", "\u0007", "\u001b", "\u007f", "\ud800", "\udfff")).map(([s, c]) => `${s}${c}x`));
  }
  return fc.oneof(...options);
}

/** A body that the operation must refuse: not JSON, not an object, too deep, or a field of the wrong type. */
function badBody(bodySchema: Json) {
  const schema = bodySchema.$ref ? doc.components.schemas[String(bodySchema.$ref).split("/").pop()!] : bodySchema;
  const props = Object.entries((schema.properties ?? {}) as Json);
  const options = [
    fc.constantFrom("{", "[1,", "nul", '{"a":}', "\u0000", "{}}", "'single'", "{\"a\":1,}"),
    fc.oneof(fc.integer(), fc.string(), fc.array(fc.jsonValue(), { maxLength: 3 }), fc.constant(null), fc.boolean()).map((v) => JSON.stringify(v)),
    fc.integer({ min: 65, max: 3000 }).chain((n) => fc.constantFrom("[".repeat(n) + "]".repeat(n), '{"config":'.repeat(n) + "1" + "}".repeat(n))),
  ];
  if (props.length) options.push(fc.constantFrom(...props).chain(([name, s]) => wrongValue(s as Json).map((v) => JSON.stringify({ [name]: v }))));
  return fc.oneof(...options);
}

/** A query string with values of the wrong type or junk in it. */
function badQuery(params: Json[]) {
  const query = params.filter((p) => p.in === "query");
  const options = [
    fc.constantFrom("", "?%zz=%", "?page=-1&perPage=1e99", "?tasks=everything", "?a=%ED%A0%80", "?" + "x=1&".repeat(200), "?%00=%00"),
    fc.string({ maxLength: 30 }).map((s) => `?${encodeURIComponent(s)}=${encodeURIComponent(s)}`),
  ];
  if (query.length) options.push(fc.tuple(fc.constantFrom(...query), fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom("-1", "0", "1e99", "abc", "%zz", ""))).map(([p, v]) => `?${p.name}=${v.startsWith("%") ? v : encodeURIComponent(v)}`));
  return fc.oneof(...options);
}

type Request = { method: string; path: string; query: string; body?: string; strict: boolean };

/** Bad requests for one operation: a bad path parameter, or a bad body, or (with neither to spoil) only a bad query. */
function requests(template: string, method: string, op: Json) {
  const pathParams = ((op.parameters ?? []) as Json[]).filter((p) => p.in === "path").map((p) => p.name as string);
  const hasBody = !!op.requestBody;
  const slot = (name: string, bad: boolean) => (bad ? badSegment(template, name) : fc.constantFrom(...valid(template, name).map(encodeURIComponent)));
  const path = pathParams.length
    ? fc
        .tuple(fc.nat(pathParams.length - 1), fc.array(fc.boolean(), { minLength: pathParams.length, maxLength: pathParams.length }), fc.boolean())
        .chain(([badOne, others, allValid]) =>
          fc.tuple(...pathParams.map((name, i) => slot(name, hasBody && allValid ? false : i === badOne || others[i]))).map((values) => ({
            path: pathParams.reduce((p, name, i) => p.replace(`{${name}}`, values[i]), template),
            pathIsBad: !(hasBody && allValid),
          })),
        )
    : fc.constant({ path: template, pathIsBad: false });
  const body = hasBody ? badBody(op.requestBody.content["application/json"].schema).map((b): string | undefined => b) : fc.constant(undefined);
  return fc.tuple(path, body, badQuery(op.parameters ?? [])).map(([p, b, query]): Request => ({ method: method.toUpperCase(), path: p.path, query, body: b, strict: p.pathIsBad || b !== undefined }));
}

async function send(req: Request, headers: Record<string, string>) {
  const res = await fetch(server.url + req.path + req.query, { method: req.method, headers: { "content-type": "application/json", ...headers }, body: req.body });
  const text = await res.text();
  let json: Json | null = null;
  try {
    json = JSON.parse(text);
  } catch {
    // checked below
  }
  return { status: res.status, type: res.headers.get("content-type") ?? "", text, json };
}

describe("fuzzing every operation of the OpenAPI document", () => {
  it(
    `every bad request, in every role, answers a JSON 4xx and changes nothing (seed ${SEED}, ${RUNS} runs per operation and role)`,
    async () => {
      const before = await snapshot();
      const operations = Object.entries(doc.paths as Json).flatMap(([template, ops]) => Object.entries(ops as Json).map(([method, op]) => ({ template, method, op: op as Json })));
      expect(operations.length).toBeGreaterThanOrEqual(30);
      let sent = 0;
      for (const [i, { template, method, op }] of operations.entries()) {
        for (const [role, headers] of Object.entries(ROLES)) {
          const seed = SEED + i * 16 + Object.keys(ROLES).indexOf(role);
          await fc.assert(
            fc.asyncProperty(requests(template, method, op), async (req) => {
              sent++;
              const res = await send(req, headers);
              const what = `${req.method} ${req.path}${req.query} as ${role} (body ${String(req.body).slice(0, 80)}): ${res.status} ${res.text.slice(0, 200)}`;
              expect(res.status, what).toBeLessThan(500);
              // Every refusal is JSON, and so is every answer of an operation whose answer is JSON (not a file).
              const answersJson = Object.entries(op.responses as Json).some(([status, r]) => status.startsWith("2") && (r as Json).content?.["application/json"]);
              if (res.status >= 400 || answersJson) expect(res.type, what).toMatch(/application\/json/);
              expect(res.text, what).not.toMatch(/\n\s+at |node_modules|\/work\//);
              if (req.strict || res.status >= 400) {
                expect(res.status, what).toBeGreaterThanOrEqual(400);
                expect(typeof res.json?.error === "string" && res.json.error.length > 0, what).toBe(true);
              }
            }),
            { seed, numRuns: RUNS, endOnFailure: true },
          ).catch((e: Error) => {
            throw new Error(`${method.toUpperCase()} ${template} as ${role}, seed ${seed} (replay: KETTLE_FUZZ_SEED=${SEED}):\n${e.message}`);
          });
        }
        // Checked after each operation, so that a change is pinned on the one that made it.
        expect(await snapshot(), `${method.toUpperCase()} ${template} changed something (replay: KETTLE_FUZZ_SEED=${SEED})`).toBe(before);
      }
      expect(sent).toBe(operations.length * Object.keys(ROLES).length * RUNS);
    },
    Math.max(60_000, RUNS * 8_000),
  );
});

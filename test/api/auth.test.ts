// Who may do what, against a real server in proxy mode: roles per action, 401
// without credentials, API tokens, the same-origin rule, the body limit, deploy
// locks and concurrency, and an audit row for each (counted).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { createClient } from "@libsql/client";
import { startServer, type TestServer } from "../helpers/server";
import { waitFor } from "../helpers/db";

type Json = Record<string, any>;
let server: TestServer;

const TREE = "fixtures:TreeRollout";
const SOLO = "fixtures:SoloTreeRollout";
const MAX = 65_536;

beforeAll(async () => {
  server = await startServer({
    env: {
      KETTLE_AUTH: "proxy",
      KETTLE_USER_HEADER: "X-User",
      KETTLE_GROUPS_HEADER: "X-Groups",
      KETTLE_ADMINS: "group:kettle-admins",
      KETTLE_OPERATORS: "olga,group:deployers",
      KETTLE_VIEWERS: "",
      KETTLE_ROLLOUT_CLS: `${TREE},${SOLO}`,
      KETTLE_MAX_BODY_BYTES: String(MAX),
    },
  });
});
afterAll(async () => {
  await server?.stop();
});

let seq = 0;
/** A fresh user name, so each test counts only its own audit rows. */
const fresh = (base: string) => `${base}-${++seq}-${Math.random().toString(36).slice(2, 7)}`;
const as = (user: string, groups?: string) => ({ "X-User": user, ...(groups ? { "X-Groups": groups } : {}) });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const admin = as("ada", "staff, kettle-admins");

const tree = (spec: unknown, kind = TREE) => ({ kind, config: { tree: spec } });
async function create(headers: Record<string, string>, spec: unknown = { noop: true }, kind = TREE): Promise<number> {
  const res = await server.api<Json>("POST", "/api/rollouts", tree(spec, kind), headers);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}
async function audit(query: Record<string, string>): Promise<Json> {
  const res = await server.api<Json>("GET", `/api/audit?${new URLSearchParams({ perPage: "500", ...query })}`, undefined, admin);
  expect(res.status).toBe(200);
  return res.body;
}
const statusOf = async (id: number) => (await server.api<Json>("GET", `/api/rollouts/${id}`, undefined, admin)).body.status as string;

describe("identity", () => {
  it("401 JSON without the proxy's user header, on reads and on mutations; refused mutations are audited", async () => {
    const before = (await audit({ outcome: "refused", action: "create" })).total;
    for (const [method, path] of [
      ["GET", "/api/rollouts"],
      ["GET", "/api/me"],
      ["GET", "/api/tokens"],
    ]) {
      const res = await server.api<Json>(method, path);
      expect(res.status, path).toBe(401);
      expect(res.body.error).toMatch(/X-User/i);
    }
    const post = await server.api<Json>("POST", "/api/rollouts", tree({ noop: true }));
    expect(post.status).toBe(401);
    expect(post.body.error).toMatch(/Not signed in/);
    const after = await audit({ outcome: "refused", action: "create" });
    expect(after.total).toBe(before + 1);
    expect(after.entries[0]).toMatchObject({ user: null, via: "unidentified", action: "create", outcome: "refused" });
    expect(after.entries[0].comment).toMatch(/^401/);
  });

  it("a status poll answered from the view cache (before Next.js) still asks who you are", async () => {
    const id = await create(admin);
    const get = (headers: Record<string, string>) => fetch(`${server.url}/api/rollouts/${id}`, { headers });
    const reference = await (await get(admin)).json();
    // Three polls at once, right after one that filled the cache: the first must come from the cache,
    // for this test to show that the others were refused there (a slow machine may need a few tries).
    let tries = 0;
    for (;;) {
      await get(admin);
      const [cached, anonymous, badToken] = await Promise.all([get(admin), get({}), get(bearer("kettle_not-a-token"))]);
      if (cached.headers.get("x-kettle-view") !== "cached" && ++tries < 10) continue;
      expect(cached.headers.get("x-kettle-view")).toBe("cached");
      expect(await cached.json()).toEqual(reference);
      expect(anonymous.status).toBe(401);
      expect((await anonymous.json()).error).toMatch(/X-User/i);
      expect(anonymous.headers.get("x-kettle-view")).toBeNull();
      expect(badToken.status).toBe(401);
      expect((await badToken.json()).error).toBe("Unknown API token");
      break;
    }
  });

  it("GET /api/me: user, groups, role, and why each action would be refused", async () => {
    const viewer = await server.api<Json>("GET", "/api/me", undefined, as("vic"));
    expect(viewer.body).toMatchObject({ mode: "proxy", user: "vic", role: "viewer", via: "proxy" });
    expect(viewer.body.refused.run).toBe("run needs the operator role (you are a viewer)");
    expect(viewer.body.refused.read).toBeNull();
    const op = await server.api<Json>("GET", "/api/me", undefined, as("dan", "deployers"));
    expect(op.body).toMatchObject({ user: "dan", groups: ["deployers"], role: "operator" });
    expect(op.body.refused.run).toBeNull();
    expect(op.body.refused.term_rollout).toBe("term_rollout needs the admin role (you are an operator)");
    const ad = await server.api<Json>("GET", "/api/me", undefined, admin);
    expect(ad.body).toMatchObject({ role: "admin", groups: ["staff", "kettle-admins"] });
    expect(Object.values(ad.body.refused).every((r) => r === null)).toBe(true);
  });
});

describe("roles", () => {
  it("a viewer reads everything but gets 403 naming the role on every mutation, each one audited", async () => {
    const vera = fresh("vera");
    const id = await create(as("olga"), { delay: 30 });
    expect((await server.api("GET", `/api/rollouts/${id}`, undefined, as(vera))).status).toBe(200);
    expect((await server.api("GET", "/api/rollouts", undefined, as(vera))).status).toBe(200);
    expect((await server.api("GET", `/api/rollouts/${id}/logs/rollout`, undefined, as(vera))).status).toBe(200);
    expect((await server.api("GET", `/api/rollouts/${id}/audit`, undefined, as(vera))).status).toBe(200);
    const attempts: [string, string, unknown, string, string][] = [
      ["POST", "/api/rollouts", tree({ noop: true }), "create", "operator"],
      ["PUT", `/api/rollouts/${id}`, { config: { tree: { noop: true } } }, "finalise", "operator"],
      ["POST", `/api/rollouts/${id}/run`, undefined, "run", "operator"],
      ["POST", `/api/rollouts/${id}/hide`, undefined, "hide", "operator"],
      ["POST", `/api/rollouts/${id}/signals/abort_rollout`, undefined, "abort_rollout", "operator"],
      ["POST", `/api/rollouts/${id}/signals/abort_rollback`, undefined, "abort_rollback", "operator"],
      ["POST", `/api/rollouts/${id}/signals/term_rollout`, undefined, "term_rollout", "admin"],
      ["POST", `/api/rollouts/${id}/signals/term_rollback`, undefined, "term_rollback", "admin"],
      ["POST", `/api/rollouts/${id}/signals/skip_rollback`, undefined, "skip_rollback", "admin"],
      ["POST", `/api/kinds/${TREE}/lock`, { reason: "no" }, "lock", "operator"],
      ["DELETE", `/api/kinds/${TREE}/lock`, undefined, "unlock", "operator"],
    ];
    for (const [method, path, body, action, needs] of attempts) {
      const res = await server.api<Json>(method, path, body, as(vera));
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body).toMatchObject({ needs, error: `${action} needs the ${needs} role (you are a viewer)` });
    }
    expect(await statusOf(id)).toBe("not_started");
    const rows = await audit({ user: vera });
    expect(rows.total).toBe(attempts.length);
    expect(rows.entries.map((e: Json) => e.action).reverse()).toEqual(attempts.map((a) => a[3]));
    expect(rows.entries.every((e: Json) => e.outcome === "refused" && e.role === "viewer" && e.via === "proxy" && e.address)).toBe(true);
    // The audit page's API itself is for admins.
    expect((await server.api<Json>("GET", "/api/audit", undefined, as(vera))).body).toMatchObject({ needs: "admin" });
  });

  it("an operator creates, finalises, runs, aborts and hides; term and skip_rollback are admin-only; each change is one audit row", async () => {
    const op = fresh("op");
    const headers = as(op, "deployers");
    const id = await create(headers, { delay: 30 });
    expect((await server.api("PUT", `/api/rollouts/${id}`, { config: { tree: { delay: 30 } } }, headers)).status).toBe(200);
    expect((await server.api("POST", `/api/rollouts/${id}/run`, undefined, headers)).status).toBe(202);
    const term = await server.api<Json>("POST", `/api/rollouts/${id}/signals/term_rollout`, undefined, headers);
    expect(term.status).toBe(403);
    expect(term.body.needs).toBe("admin");
    const skip = await server.api<Json>("POST", `/api/rollouts/${id}/signals/skip_rollback`, undefined, headers);
    expect(skip.status).toBe(403);
    expect((await server.api("POST", `/api/rollouts/${id}/signals/abort_rollout`, undefined, headers)).status).toBe(200);
    await waitFor(async () => ["rolled_back", "rollback_failed"].includes(await statusOf(id)), { what: "the rollback" });
    expect((await server.api("POST", `/api/rollouts/${id}/hide`, undefined, headers)).status).toBe(200);
    const view = (await server.api<Json>("GET", `/api/rollouts/${id}`, undefined, headers)).body;
    expect(view).toMatchObject({ createdBy: op, runBy: op });
    expect(view.signals.sent).toEqual([expect.objectContaining({ name: "abort_rollout", sentBy: op })]);

    const rows = (await audit({ user: op })).entries.reverse();
    expect(rows.map((e: Json) => `${e.action}:${e.outcome}`)).toEqual([
      "create:ok",
      "finalise:ok",
      "run:ok",
      "term_rollout:refused",
      "skip_rollback:refused",
      "abort_rollout:ok",
      "hide:ok",
    ]);
    expect(rows.filter((e: Json) => e.outcome === "ok").every((e: Json) => e.rolloutId === id && e.role === "operator")).toBe(true);
    expect(rows[0].kind).toBe(TREE);
    // The rollout's own trail has the same rows (no address for a non-admin).
    const trail = (await server.api<Json>("GET", `/api/rollouts/${id}/audit`, undefined, headers)).body;
    expect(trail.entries.filter((e: Json) => e.user === op)).toHaveLength(7);
    expect(trail.entries.every((e: Json) => e.address === null)).toBe(true);
  });

  it("an admin may term a rollout; a conflict (409) writes no audit row", async () => {
    const ad = fresh("adm");
    const headers = as(ad, "kettle-admins");
    const id = await create(headers, { delay: 30 });
    expect((await server.api("POST", `/api/rollouts/${id}/run`, undefined, headers)).status).toBe(202);
    expect((await server.api("POST", `/api/rollouts/${id}/signals/term_rollout`, undefined, headers)).status).toBe(200);
    expect((await server.api("POST", `/api/rollouts/${id}/signals/term_rollout`, undefined, headers)).status).toBe(409);
    expect((await server.api("POST", `/api/rollouts/${id}/run`, undefined, headers)).status).toBe(409);
    const rows = (await audit({ user: ad })).entries.reverse();
    expect(rows.map((e: Json) => e.action)).toEqual(["create", "run", "term_rollout"]);
  });

  it("the user header is ignored when a Kettle token is sent, and only then", async () => {
    const res = await server.api<Json>("GET", "/api/me", undefined, { ...as("ada", "kettle-admins"), ...bearer("kettle_nonsense") });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe("Unknown API token");
    // an Authorization header that is not a Kettle token (the proxy's own) is not one
    const proxied = await server.api<Json>("GET", "/api/me", undefined, { ...as("olga"), authorization: "Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig" });
    expect(proxied.body).toMatchObject({ user: "olga", via: "proxy" });
  });
});

describe("API tokens", () => {
  it("made once, only its hash kept; it works without the user header, records its last use, and never outranks its maker", async () => {
    const op = fresh("tok");
    const headers = as(op, "deployers");
    const tooHigh = await server.api<Json>("POST", "/api/tokens", { name: "ci", role: "admin" }, headers);
    expect(tooHigh.status).toBe(400);
    expect(tooHigh.body.error).toMatch(/more than your own role \(operator\)/);
    expect((await server.api<Json>("POST", "/api/tokens", { name: "ci", expiresInDays: 400 }, headers)).status).toBe(400);
    expect((await server.api<Json>("POST", "/api/tokens", { name: "" }, headers)).status).toBe(400);

    const made = await server.api<Json>("POST", "/api/tokens", { name: "ci" }, headers);
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: "ci", role: "operator", user: op, status: "active", lastUsedAt: null });
    expect(made.body.token).toMatch(/^kettle_[A-Za-z0-9_-]{43}$/);
    const days = (made.body.expiresAt - made.body.createdAt) / 86_400_000;
    expect(days).toBe(30);

    const db = createClient({ url: server.dbUrl });
    const stored = await db.execute({ sql: "SELECT * FROM api_token WHERE id = ?", args: [made.body.id] });
    db.close();
    expect(stored.rows[0].hash).toBe(createHash("sha256").update(made.body.token).digest("hex"));
    expect(JSON.stringify(stored.rows[0])).not.toContain(made.body.token.slice(7));

    // A pipeline: no user header, and no Origin check (a browser cannot send it ambiently).
    const id = (await server.api<Json>("POST", "/api/rollouts", tree({ noop: true }), { ...bearer(made.body.token), origin: "https://elsewhere.example" })).body.id;
    const run = await server.api<Json>("POST", `/api/rollouts/${id}/run`, undefined, bearer(made.body.token));
    expect(run.status).toBe(202);
    expect(run.body.runBy).toBe(op);
    expect((await server.api<Json>("POST", `/api/rollouts/${id}/signals/term_rollout`, undefined, bearer(made.body.token))).status).toBe(403);
    const me = await server.api<Json>("GET", "/api/me", undefined, bearer(made.body.token));
    expect(me.body).toMatchObject({ user: op, role: "operator", via: "token", tokenName: "ci" });

    const listed = (await server.api<Json>("GET", "/api/tokens", undefined, headers)).body.tokens;
    expect(listed).toHaveLength(1);
    expect(listed[0].lastUsedAt).toBeGreaterThan(0);
    expect(listed[0]).not.toHaveProperty("token");
    expect(listed[0]).not.toHaveProperty("hash");
    // A token cannot make tokens.
    expect((await server.api<Json>("POST", "/api/tokens", { name: "x" }, bearer(made.body.token))).status).toBe(400);

    const rows = (await audit({ user: op })).entries.reverse();
    expect(rows.map((e: Json) => `${e.action}:${e.via}:${e.tokenName ?? ""}`)).toEqual(["token_create:proxy:", "create:token:ci", "run:token:ci", "term_rollout:token:ci"]);
  });

  it("a viewer's token reads but cannot change; a revoked or expired token gets 401", async () => {
    const v = fresh("viewer");
    const viewerToken = (await server.api<Json>("POST", "/api/tokens", { name: "dash", expiresInDays: 1 }, as(v))).body;
    expect(viewerToken.role).toBe("viewer");
    expect((await server.api("GET", "/api/rollouts", undefined, bearer(viewerToken.token))).status).toBe(200);
    expect((await server.api<Json>("POST", "/api/rollouts", tree({ noop: true }), bearer(viewerToken.token))).status).toBe(403);

    // Someone else cannot revoke it (403 naming the role it needs, as the README's roles table says); its maker can, once.
    const refusedRevoke = await server.api<Json>("DELETE", `/api/tokens/${viewerToken.id}`, undefined, as("olga"));
    expect(refusedRevoke).toMatchObject({ status: 403, body: { needs: "admin", error: expect.stringMatching(/token_revoke_any needs the admin role/) } });
    expect((await server.api<Json>("GET", "/api/tokens", undefined, as(v))).body.tokens[0].status).toBe("active");
    const revoked = await server.api<Json>("DELETE", `/api/tokens/${viewerToken.id}`, undefined, as(v));
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ status: "revoked", revokedBy: v });
    expect((await server.api("DELETE", `/api/tokens/${viewerToken.id}`, undefined, as(v))).status).toBe(409);
    const after = await server.api<Json>("GET", "/api/rollouts", undefined, bearer(viewerToken.token));
    expect(after.status).toBe(401);
    expect(after.body.error).toMatch(/revoked/);

    const op = fresh("exp");
    const t = (await server.api<Json>("POST", "/api/tokens", { name: "short" }, as(op, "deployers"))).body;
    expect((await server.api("GET", "/api/me", undefined, bearer(t.token))).status).toBe(200);
    const db = createClient({ url: server.dbUrl });
    await db.execute({ sql: "UPDATE api_token SET expires_at = ? WHERE id = ?", args: [Date.now() - 1000, t.id] });
    db.close();
    const expired = await server.api<Json>("POST", "/api/rollouts", tree({ noop: true }), bearer(t.token));
    expect(expired.status).toBe(401);
    expect(expired.body.error).toMatch(/expired/);

    // An admin sees everyone's tokens and may revoke any.
    const all = (await server.api<Json>("GET", "/api/tokens?all=1", undefined, admin)).body.tokens;
    expect(all.map((x: Json) => x.id)).toEqual(expect.arrayContaining([viewerToken.id, t.id]));
    expect((await server.api<Json>("DELETE", `/api/tokens/${t.id}`, undefined, admin)).body.revokedBy).toBe("ada");

    expect((await audit({ user: v })).entries.map((e: Json) => `${e.action}:${e.outcome}`).reverse()).toEqual(["token_create:ok", "create:refused", "token_revoke:ok"]);
    // the expired token's attempt is refused with 401, recorded without a user
    const refused = await audit({ action: "create", outcome: "refused" });
    expect(refused.entries.some((e: Json) => /^401: The API token "short" has expired/.test(e.comment))).toBe(true);
    expect((await audit({ user: "ada", action: "token_revoke" })).entries[0].comment).toBe(`token "short" of ${op}`);
  });
});

describe("same origin", () => {
  it("refuses a cross-site mutation carried by the proxy's session (audited), but not one carrying a token", async () => {
    const u = fresh("xs");
    const res = await server.api<Json>("POST", "/api/rollouts", tree({ noop: true }), { ...as(u, "deployers"), origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatch(/Cross-site/);
    const site = await server.api<Json>("POST", "/api/rollouts", tree({ noop: true }), { ...as(u, "deployers"), "sec-fetch-site": "cross-site" });
    expect(site.status).toBe(403);
    expect((await server.api<Json>("POST", "/api/rollouts", tree({ noop: true }), { ...as(u, "deployers"), origin: server.url.replace(/\/$/, "") })).status).toBe(201);
    const rows = (await audit({ user: u })).entries.reverse();
    expect(rows.map((e: Json) => `${e.action}:${e.outcome}`)).toEqual(["create:refused", "create:refused", "create:ok"]);
  });
});

describe("body size", () => {
  it("413 past KETTLE_MAX_BODY_BYTES, with a length or chunked, and nothing is stored", async () => {
    const u = as("olga");
    const before = (await server.api<Json>("GET", "/api/rollouts?perPage=1", undefined, u)).body.total;
    const big = JSON.stringify(tree({ noop: "x".repeat(MAX) }));
    const res = await server.api<Json>("POST", "/api/rollouts", big, u);
    expect(res.status).toBe(413);
    expect(res.body.error).toMatch(/larger than 65536 bytes/);
    const chunks = [big.slice(0, 1000), big.slice(1000)];
    const stream = new ReadableStream({
      pull(c) {
        const next = chunks.shift();
        if (next === undefined) c.close();
        else c.enqueue(new TextEncoder().encode(next));
      },
    });
    const chunked = await fetch(server.url + "/api/rollouts", { method: "POST", headers: { "content-type": "application/json", ...u }, body: stream, duplex: "half" } as RequestInit);
    expect(chunked.status).toBe(413);
    expect((await server.api<Json>("GET", "/api/rollouts?perPage=1", undefined, u)).body.total).toBe(before);
    // just under the limit is fine
    expect((await server.api<Json>("POST", "/api/rollouts", JSON.stringify(tree({ noop: "x".repeat(MAX - 200) })), u)).status).toBe(201);
  });
});

describe("deploy locks and concurrency", () => {
  it("a locked kind refuses Run with 409 naming who, when and why; unlock lets it run; both are audited", async () => {
    const op = fresh("locker");
    const headers = as(op, "deployers");
    const id = await create(headers, { noop: true });
    const lock = await server.api<Json>("POST", `/api/kinds/${TREE}/lock`, { reason: "code freeze" }, headers);
    expect(lock.status).toBe(201);
    expect(lock.body).toMatchObject({ locked: true, kind: TREE, reason: "code freeze", lockedBy: op });
    expect((await server.api<Json>("POST", `/api/kinds/${TREE}/lock`, { reason: "again" }, as("olga"))).status).toBe(409);
    expect((await server.api<Json>("POST", `/api/kinds/${SOLO}/lock`, {}, headers)).status).toBe(400);
    expect((await server.api<Json>("POST", `/api/kinds/nope:Nope/lock`, { reason: "x" }, headers)).status).toBe(404);
    expect((await server.api<Json>("GET", `/api/kinds/${TREE}/lock`, undefined, as("vic"))).body).toMatchObject({ locked: true, lockedBy: op });

    const refused = await server.api<Json>("POST", `/api/rollouts/${id}/run`, undefined, as("olga"));
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatch(new RegExp(`^Run refused: ${TREE} is locked by ${op} since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC: code freeze$`));
    expect((await server.api<Json>("GET", `/api/rollouts/${id}`, undefined, as("vic"))).body.canRun).toMatchObject({ ok: false, reason: refused.body.error });
    // the New page says so
    const page = await (await fetch(`${server.url}/rollouts/new?kind=${encodeURIComponent(TREE)}`, { headers: as("vic") })).text();
    expect(page).toContain("Deploys of this kind are locked");
    expect(page).toContain("code freeze");
    // other kinds are not locked
    const solo = await create(headers, { noop: true }, SOLO);
    expect((await server.api("POST", `/api/rollouts/${solo}/run`, undefined, headers)).status).toBe(202);

    expect((await server.api<Json>("DELETE", `/api/kinds/${TREE}/lock`, undefined, headers)).status).toBe(200);
    expect((await server.api<Json>("DELETE", `/api/kinds/${TREE}/lock`, undefined, headers)).status).toBe(409);
    expect((await server.api("POST", `/api/rollouts/${id}/run`, undefined, as("olga"))).status).toBe(202);
    const rows = (await audit({ user: op })).entries.reverse();
    expect(rows.map((e: Json) => e.action)).toEqual(["create", "lock", "create", "run", "unlock"]);
    expect(rows[1]).toMatchObject({ kind: TREE, comment: "code freeze" });
  });

  it("concurrency = 1 refuses Run (409 naming it) while another rollout of the kind is running", async () => {
    const headers = as("olga");
    const first = await create(headers, { delay: 30 }, SOLO);
    const second = await create(headers, { noop: true }, SOLO);
    const other = await create(headers, { delay: 30 }, TREE);
    expect((await server.api("POST", `/api/rollouts/${first}/run`, undefined, headers)).status).toBe(202);
    const refused = await server.api<Json>("POST", `/api/rollouts/${second}/run`, undefined, headers);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe(`Run refused: rollout #${first} of ${SOLO} is started, and this kind runs one at a time (concurrency = 1)`);
    // a kind without the limit runs side by side
    expect((await server.api("POST", `/api/rollouts/${other}/run`, undefined, headers)).status).toBe(202);
    expect((await server.api("POST", `/api/rollouts/${first}/signals/abort_rollout`, undefined, headers)).status).toBe(200);
    await server.api("POST", `/api/rollouts/${other}/signals/abort_rollout`, undefined, headers);
    await waitFor(async () => ["rolled_back", "rollback_failed"].includes(await statusOf(first)), { what: "the first to end" });
    expect((await server.api("POST", `/api/rollouts/${second}/run`, undefined, headers)).status).toBe(202);
  });
});

describe("security headers", () => {
  it("every page and API answer carries the CSP, nosniff and referrer policy", async () => {
    for (const path of ["/", "/rollouts", "/api/me"]) {
      const res = await fetch(server.url + path, { headers: as("vic") });
      expect(res.headers.get("content-security-policy"), path).toMatch(/frame-ancestors 'self'/);
      expect(res.headers.get("content-security-policy")).toMatch(/frame-src 'none'/);
      expect(res.headers.get("content-security-policy")).not.toMatch(/unsafe-eval/);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("same-origin");
    }
  });

  it("pages without the user header get 401 and none of the page's content", async () => {
    for (const headers of [{}, { rsc: "1" }] as Record<string, string>[]) {
      const res = await fetch(server.url + "/rollouts", { headers });
      expect(res.status).toBe(401);
      const text = await res.text();
      expect(text).toContain("Not signed in");
      expect(text).not.toContain("All rollouts");
      expect(text).not.toContain("olga");
    }
    expect((await fetch(server.url + "/rollouts", { headers: as("vic") })).status).toBe(200);
  });
});

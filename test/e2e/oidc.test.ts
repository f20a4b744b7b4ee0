// Sign-in with OpenID Connect against a real provider (the oidc-provider
// package on a loopback port, its development login and consent pages): the
// redirect flow with PKCE, roles from the groups claim, a viewer refused a
// term, tokens made on the Tokens page, the Audit page, and sign-out.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Server } from "node:http";
import Provider from "oidc-provider";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { freePort, startServer, type TestServer } from "../helpers/server";
import { launchBrowser, screenshotPath } from "../helpers/browser";
import { waitFor } from "../helpers/db";

type Json = Record<string, any>;
let server: TestServer;
let browser: Browser;
let idp: Server;
let issuer: string;

const users: Record<string, { preferred_username: string; name: string; groups: string[] }> = {
  alice: { preferred_username: "alice", name: "Alice Admin", groups: ["staff", "kettle-admins"] },
  bob: { preferred_username: "bob", name: "Bob Nobody", groups: [] },
};

beforeAll(async () => {
  const [idpPort, kettlePort] = await Promise.all([freePort(), freePort()]);
  issuer = `http://127.0.0.1:${idpPort}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: "kettle",
        client_secret: "kettle-test-secret",
        redirect_uris: [`http://127.0.0.1:${kettlePort}/auth/callback`],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    pkce: { required: () => true },
    claims: { openid: ["sub"], profile: ["preferred_username", "name", "groups"] },
    findAccount: async (_ctx: unknown, id: string) =>
      users[id] ? { accountId: id, claims: async () => ({ sub: id, ...users[id] }) } : undefined,
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ["oidc-test-cookie-key-0123456789"] },
  });
  idp = provider.listen(idpPort, "127.0.0.1");
  [server, browser] = await Promise.all([
    startServer({
      port: kettlePort,
      env: {
        KETTLE_AUTH: "oidc",
        KETTLE_OIDC_ISSUER: issuer,
        KETTLE_OIDC_CLIENT_ID: "kettle",
        KETTLE_OIDC_CLIENT_SECRET: "kettle-test-secret",
        KETTLE_ADMINS: "group:kettle-admins",
        KETTLE_ROLLOUT_CLS: "fixtures:TreeRollout",
      },
    }),
    launchBrowser(),
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((r) => (idp ? idp.close(r) : r(undefined)));
});

/** Opens a Kettle page in a fresh browser and signs in at the provider as `login`. */
async function signIn(login: string, path = "/"): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(server.url + path);
  // Sent to the provider's login page by the redirect flow.
  expect(page.url().startsWith(issuer)).toBe(true);
  await page.locator("input[name=login]").fill(login);
  await page.locator("input[name=password]").fill("any");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
  await page.waitForURL((u) => u.href.startsWith(server.url + path));
  return { context, page, errors };
}

const fetchIn = (page: Page, method: string, path: string) =>
  page.evaluate(
    async ([m, p]) => {
      const res = await fetch(p, { method: m, headers: { "content-type": "application/json" } });
      return { status: res.status, body: await res.json() };
    },
    [method, path],
  ) as Promise<{ status: number; body: Json }>;

describe("OpenID Connect sign-in", () => {
  test("without a session: pages go to the provider, the API answers 401 JSON", async () => {
    const res = await fetch(server.url + "/rollouts", { redirect: "manual" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/auth/sign-in?next=%2Frollouts");
    const start = await fetch(server.url + "/auth/sign-in?next=/rollouts", { redirect: "manual" });
    const to = new URL(start.headers.get("location")!);
    expect(to.origin).toBe(issuer);
    expect(to.searchParams.get("code_challenge_method")).toBe("S256");
    expect(to.searchParams.get("state")).toBeTruthy();
    expect(start.headers.get("set-cookie")).toMatch(/kettle_sign_in=.*HttpOnly.*SameSite=lax/i);
    const api = await server.api<Json>("POST", "/api/rollouts", { config: { tree: { noop: true } } });
    expect(api.status).toBe(401);
    expect(api.body.error).toMatch(/Not signed in/);
    // a forged session cookie is no session
    expect((await server.api("GET", "/api/me", undefined, { cookie: "kettle_session=eyJhbGciOiJkaXIifQ..x.y.z" })).status).toBe(401);
    // a callback without the state cookie fails and is recorded
    expect((await fetch(server.url + "/auth/callback?code=x&state=y")).status).toBe(401);
  });

  test("an admin and a viewer sign in; the viewer is refused a term; tokens, audit, sign-out", { timeout: 120_000 }, async () => {
    // Alice, in the admin group, lands where she was going, with the admin role.
    const a = await signIn("alice", "/tokens");
    expect(await a.page.getByTestId("current-user").textContent()).toContain("alice");
    expect(await a.page.getByTestId("current-role").textContent()).toContain("admin");
    const cookie = (await a.context.cookies()).find((c) => c.name === "kettle_session")!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", secure: false });
    expect(cookie.value).not.toContain("alice"); // sealed, not just signed

    // She makes a token on the Tokens page; it is shown once.
    await a.page.getByLabel("Name").fill("deploy pipeline");
    await a.page.getByLabel("Role").selectOption("admin");
    await a.page.getByRole("button", { name: "Make token" }).click();
    const secret = (await a.page.getByTestId("new-token-secret").textContent())!.trim();
    expect(secret).toMatch(/^kettle_/);
    await a.page.getByRole("row", { name: /deploy pipeline/ }).waitFor();
    await a.page.getByLabel("Name").fill("read-only dashboard");
    await a.page.getByLabel("Role").selectOption("viewer");
    await a.page.getByLabel("Expires in (days)").fill("7");
    await a.page.getByRole("button", { name: "Make token" }).click();
    await a.page.getByRole("row", { name: /read-only dashboard/ }).waitFor();
    await a.page.screenshot({ path: screenshotPath("ui-tokens"), fullPage: true });

    // A pipeline uses the token: create and run a long rollout.
    const auth = { authorization: `Bearer ${secret}` };
    const created = await server.api<Json>("POST", "/api/rollouts", { config: { tree: { delay: 60 } } }, auth);
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect((await server.api("POST", `/api/rollouts/${id}/run`, undefined, auth)).status).toBe(202);

    // Bob, in no group, is a viewer: the term button is there, disabled, with the reason.
    const b = await signIn("bob", `/rollouts/${id}`);
    expect(await b.page.getByTestId("current-role").textContent()).toContain("viewer");
    const term = b.page.locator("button[data-signal=term_rollout]");
    await term.waitFor();
    expect(await term.isDisabled()).toBe(true);
    expect(await b.page.locator("button[data-signal=abort_rollout]").isDisabled()).toBe(true);
    const why = (signal: string) => b.page.locator(`div:has(> button[data-signal=${signal}]) [data-testid=signal-refused]`).textContent();
    expect(await why("term_rollout")).toBe("Needs the admin role (you are a viewer).");
    expect(await why("abort_rollout")).toBe("Needs the operator role (you are a viewer).");
    // Asking anyway (with his session cookie) is refused with 403 naming the role.
    await b.page.screenshot({ path: screenshotPath("ui-rollout-viewer"), fullPage: true });
    const refused = await fetchIn(b.page, "POST", `/api/rollouts/${id}/signals/term_rollout`);
    expect(refused).toEqual({ status: 403, body: { error: "term_rollout needs the admin role (you are a viewer)", needs: "admin" } });
    expect((await server.api<Json>("GET", `/api/rollouts/${id}`, undefined, auth)).body.status).toBe("started");
    // Nav: no Audit link for him, and the audit page says why.
    expect(await b.page.getByRole("link", { name: "Audit" }).count()).toBe(0);
    await b.page.goto(server.url + "/audit");
    await b.page.getByText("The audit page needs the admin role (you are a viewer).").waitFor();

    // Alice terms it from the page.
    await a.page.goto(server.url + `/rollouts/${id}`);
    await a.page.locator("button[data-signal=term_rollout]").click();
    await a.page.getByRole("dialog").getByRole("button", { name: "Terminate rollout" }).click();
    await waitFor(async () => ["rolled_back", "rollback_failed"].includes((await server.api<Json>("GET", `/api/rollouts/${id}`, undefined, auth)).body.status), { what: "the rollback" });
    await a.page.getByTestId("rollout-audit").locator("[data-action=term_rollout]").first().waitFor();

    // Bob signs out: his session ends.
    await b.page.goto(server.url + "/");
    const bobsCookie = (await b.context.cookies()).find((c) => c.name === "kettle_session")!.value;
    await b.page.getByRole("button", { name: "Sign out" }).click();
    await b.page.waitForURL(server.url + "/auth/signed-out");
    await b.page.getByRole("heading", { name: "Signed out" }).waitFor();
    expect((await b.context.cookies()).find((c) => c.name === "kettle_session")).toBeUndefined();
    expect((await fetchIn(b.page, "GET", "/api/me")).status).toBe(401);
    // A copy of the cookie kept from before is worth nothing now.
    const replay = await server.api<Json>("GET", "/api/me", undefined, { cookie: `kettle_session=${bobsCookie}` });
    expect(replay).toEqual({ status: 401, body: { error: "Your session has ended: sign in again" } });
    // A page now goes through the provider again (which still knows him, so he is back at once: Kettle's sign-out is not the provider's).
    const visited: string[] = [];
    b.page.on("request", (r) => visited.push(r.url()));
    await b.page.goto(server.url + "/rollouts");
    expect(visited.some((u) => u.startsWith(`${issuer}/auth`))).toBe(true);
    await b.page.waitForURL(server.url + "/rollouts");

    // The Audit page, for admins: sign-ins, the token, the pipeline's changes, the refusal, the term, the sign-out.
    await a.page.goto(server.url + "/audit");
    await a.page.getByRole("heading", { name: "Audit" }).waitFor();
    await a.page.screenshot({ path: screenshotPath("ui-audit"), fullPage: true });
    const rows = (await fetchIn(a.page, "GET", "/api/audit?perPage=100")).body.entries.reverse() as Json[];
    const line = (e: Json) => `${e.user ?? "-"} ${e.via} ${e.action} ${e.outcome}${e.tokenName ? ` ${e.tokenName}` : ""}`;
    expect(rows.map(line)).toEqual([
      "- unidentified create refused",
      "- session sign_in refused",
      "alice session sign_in ok",
      "alice session token_create ok",
      "alice session token_create ok",
      "alice token create ok deploy pipeline",
      "alice token run ok deploy pipeline",
      "bob session sign_in ok",
      "bob session term_rollout refused",
      "alice session term_rollout ok",
      "bob session sign_out ok",
      "bob session sign_in ok",
    ]);
    expect(rows[2]).toMatchObject({ role: "admin", comment: "groups: staff, kettle-admins", address: "127.0.0.1" });
    expect(rows[7].role).toBe("viewer");
    // Filters: by user, by action, by rollout.
    expect((await fetchIn(a.page, "GET", "/api/audit?user=bob")).body.total).toBe(4);
    expect((await fetchIn(a.page, "GET", "/api/audit?action=term_rollout&outcome=refused")).body.total).toBe(1);
    expect((await fetchIn(a.page, "GET", `/api/audit?rollout=${id}`)).body.total).toBe(4);
    await a.page.goto(server.url + "/audit?user=bob");
    expect(await a.page.locator("[data-audit-id]").count()).toBe(4);

    // Alice locks the kind on the New page: the page says who, when and why; Run is refused until she unlocks it.
    await a.page.goto(server.url + "/rollouts/new");
    await a.page.getByText("Deploy lock: not locked").click();
    await a.page.getByLabel("Why lock it?").fill("Black Friday freeze");
    await a.page.getByRole("button", { name: "Lock" }).click();
    const banner = a.page.getByTestId("kind-locked");
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(/locked by alice since .*Black Friday freeze/);
    await a.page.screenshot({ path: screenshotPath("ui-new-locked"), fullPage: true });
    const blocked = await server.api<Json>("POST", "/api/rollouts", { config: { tree: { noop: true } } }, auth);
    expect((await server.api<Json>("POST", `/api/rollouts/${blocked.body.id}/run`, undefined, auth)).body.error).toMatch(/^Run refused: fixtures:TreeRollout is locked by alice since .* UTC: Black Friday freeze$/);
    await a.page.getByRole("button", { name: "Unlock" }).click();
    await a.page.getByText("Deploy lock: not locked").waitFor();
    expect((await server.api("POST", `/api/rollouts/${blocked.body.id}/run`, undefined, auth)).status).toBe(202);

    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
    await a.context.close();
    await b.context.close();
  });
});

// Behind a reverse proxy: the app under KETTLE_BASE_PATH (a build-time setting
// in Next.js, so this file makes its own build), and the user's name from the
// header named by KETTLE_USER_HEADER, recorded on what they create and run.
import { afterAll, beforeAll, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import path from "node:path";
import type { Browser } from "playwright-core";
import { startServer, type TestServer } from "../helpers/server";
import { launchBrowser, screenshotPath } from "../helpers/browser";

const BASE = "/kettle";
const distDir = `${process.env.KETTLE_DIST_DIR ?? ".next"}-basepath`;
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  const build = spawnSync("npm", ["run", "build"], {
    cwd: path.resolve(__dirname, "../.."),
    env: { ...process.env, KETTLE_BASE_PATH: BASE, KETTLE_DIST_DIR: distDir, NEXT_TELEMETRY_DISABLED: "1" },
    encoding: "utf8",
  });
  if (build.status !== 0) throw new Error(`npm run build with a base path failed:\n${build.stdout}\n${build.stderr}`);
  [server, browser] = await Promise.all([
    startServer({
      env: {
        KETTLE_DIST_DIR: distDir,
        KETTLE_BASE_PATH: BASE,
        KETTLE_AUTH: "proxy",
        KETTLE_USER_HEADER: "X-Forwarded-User",
        KETTLE_OPERATORS: "bob",
        KETTLE_ROLLOUT_CLS: "fixtures:TreeRollout",
        KETTLE_ROLLOUT_REFRESH_TIMEOUT: "300",
      },
      headers: { "x-forwarded-user": "bob" },
    }),
    launchBrowser(),
  ]);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

test("under a base path, with the user from the proxy's header", { timeout: 60_000 }, async () => {
  expect(server.url.endsWith(BASE)).toBe(true);
  const page = await browser.newPage({ viewport: { width: 1200, height: 850 }, extraHTTPHeaders: { "x-forwarded-user": "bob" } });
  const origin = new URL(server.url).origin;
  const outside: string[] = [];
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (u.origin === origin && u.pathname !== BASE && !u.pathname.startsWith(BASE + "/")) outside.push(u.pathname);
  });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));

  await page.goto(server.url);
  expect(await page.getByTestId("current-user").textContent()).toContain("bob");
  // One kind offered: New goes straight to its form.
  await page.getByRole("link", { name: "New", exact: true }).click();
  await page.waitForURL(`${server.url}/rollouts/new`);
  await page.getByRole("textbox", { name: "Tree", exact: true }).fill('{"seq": [{"chatty": 5, "everyMs": 50}, {"delay": 1}]}');
  await page.getByRole("button", { name: "Finalise" }).click();
  await page.waitForURL(new RegExp(`${BASE}/rollouts/\\d+$`));
  const id = Number(page.url().split("/").pop());
  await page.getByRole("button", { name: "Run" }).click();
  await page.locator("[data-testid=rollout-status] [data-status=finished]").waitFor({ timeout: 20_000 });
  const row = page.locator("li[data-task-id]:not(:has(li))", { hasText: "Log 5 lines" });
  await row.getByRole("button", { name: /^Logs/ }).click();
  await row.getByRole("log").getByText("line 5 of 5").waitFor();
  expect(await page.getByText("by bob").count()).toBeGreaterThan(0);
  await page.screenshot({ path: screenshotPath("ui-basepath-rollout"), fullPage: true });

  // Recorded on the rollout: who created it and who ran it.
  const view = await server.api<{ createdBy: string; runBy: string }>("GET", `/api/rollouts/${id}`);
  expect(view.body).toMatchObject({ createdBy: "bob", runBy: "bob" });

  // The list and Hide work under the prefix too.
  await page.getByRole("link", { name: "All", exact: true }).click();
  await page.waitForURL(`${server.url}/rollouts`);
  await page.getByRole("button", { name: `Hide rollout ${id}` }).click();
  await page.locator(`li[data-rollout-id="${id}"]`).waitFor({ state: "detached" });
  expect((await server.api<{ hidden: boolean }>("GET", `/api/rollouts/${id}`)).body.hidden).toBe(true);

  // Nothing is served outside the prefix, and the page asked for nothing outside it.
  const res = await fetch(`${origin}/rollouts/${id}`);
  expect(res.status).toBe(404);
  expect(outside).toEqual([]);
  expect(errors).toEqual([]);
  await page.close();
});

test("under a base path, the path guard answers before Next's router, inside the base path and outside it", async () => {
  const headers = { "x-forwarded-user": "bob" };
  const origin = new URL(server.url).origin;
  const undecodable = await fetch(`${server.url}/api/rollouts/%zz/plans`, { headers });
  expect(undecodable.status).toBe(400);
  expect((await undecodable.json()).error).toMatch(/percent-encoded/);
  for (const url of [`${server.url}/rollouts/%zz`, `${origin}/%zz`]) {
    const page = await fetch(url, { headers });
    expect(page.status, url).toBe(400);
    expect(await page.text()).toContain("Bad address");
  }
  const unknown = await fetch(`${server.url}/api/nope`, { headers });
  expect(unknown.status).toBe(404);
  expect((await unknown.json()).error).toMatch(/No API route at \/api\/nope/);
  const patch = await fetch(`${server.url}/api/rollouts`, { method: "PATCH", headers });
  expect(patch.status).toBe(405);
  expect(patch.headers.get("allow")).toContain("POST");
  // outside the base path, /api is not Kettle's: Next's 404
  expect((await fetch(`${origin}/api/nope`, { headers })).status).toBe(404);
});

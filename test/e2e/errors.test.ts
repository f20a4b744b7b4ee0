// A server error shows a friendly page, without internals, in production.
import { afterAll, beforeAll, expect, test } from "vitest";
import { createClient } from "@libsql/client";
import type { Browser } from "playwright-core";
import { startServer, type TestServer } from "../helpers/server";
import { launchBrowser, screenshotPath } from "../helpers/browser";

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

test("a corrupt record: the error page says something went wrong, offers a way on, and shows no stack", async () => {
  const created = await server.api<{ id: number }>("POST", "/api/rollouts", {});
  const db = createClient({ url: server.dbUrl });
  await db.execute({ sql: "UPDATE rollout SET config = '{corrupt' WHERE id = ?", args: [created.body.id] });
  db.close();
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  await page.goto(`${server.url}/rollouts/${created.body.id}`);
  const alert = page.getByRole("alert").filter({ hasText: "Something went wrong" });
  await alert.waitFor();
  expect(await alert.textContent()).not.toMatch(/SyntaxError|JSON|\bat \S+ \(/);
  expect(await page.getByRole("link", { name: "Home" }).count()).toBeGreaterThan(0);
  await page.screenshot({ path: screenshotPath("ui-error-page") });
  await page.close();
});

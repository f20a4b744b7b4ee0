// The getting-started walkthrough (issue 2), exactly as a user would do it in
// the browser, with the example rollout's real 15-second delay.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
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

/** Counts the page's requests for the rollout's JSON (polls) or its event stream. */
function countRefreshes(page: Page, id: number): () => number {
  let n = 0;
  page.on("request", (r) => {
    const p = new URL(r.url()).pathname;
    if (p === `/api/rollouts/${id}` || p === `/api/rollouts/${id}/events`) n++;
  });
  return () => n;
}

test("New → Finalise → Run: the delay counts down, finishes, and the page stops refreshing", { timeout: 90_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 850 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));

  // Home: New, Latest (none yet), All.
  await page.goto(server.url + "/");
  await page.getByRole("link", { name: "New", exact: true }).waitFor();
  await page.getByRole("heading", { name: "Latest" }).waitFor();
  await page.getByText("No rollouts yet.").waitFor();
  await page.getByRole("link", { name: /^All/ }).first().waitFor();
  await page.screenshot({ path: screenshotPath("walkthrough-1-home") });

  // New: the example has no settings, so the form is empty: just Finalise.
  await page.getByRole("link", { name: "New", exact: true }).click();
  await page.waitForURL(/\/rollouts\/new$/);
  const finalise = page.getByRole("button", { name: "Finalise" });
  await finalise.waitFor();
  expect(await page.locator("form input:not([type=hidden]), form textarea, form select").count()).toBe(0); // hidden: the form's kind, and the action React posts to
  await page.screenshot({ path: screenshotPath("walkthrough-2-new") });
  await finalise.click();

  // The rollout's page: one task, "Delay for 15 secs", and Run.
  await page.waitForURL(/\/rollouts\/\d+$/);
  const id = Number(new URL(page.url()).pathname.split("/").pop());
  const refreshes = countRefreshes(page, id);
  const tasks = page.locator("[data-testid=task-description]");
  await tasks.first().waitFor();
  expect(await tasks.allTextContents()).toEqual(["Delay for 15 secs"]);
  const run = page.getByRole("button", { name: "Run" });
  expect(await run.isEnabled()).toBe(true);
  await page.screenshot({ path: screenshotPath("walkthrough-3-finalised") });

  // Run: live, and the countdown goes down each second.
  await run.click();
  await page.locator("[data-testid=live-indicator]").waitFor();
  // Live through the event stream: changes are pushed, not polled.
  await expect.poll(() => page.getByTestId("live-mode").textContent()).toBe("· streaming changes");
  const countdown = page.locator("[data-testid=countdown]");
  await countdown.waitFor();
  const secsLeft = async () => Number(/\((\d+) secs left\)/.exec((await countdown.textContent()) ?? "")?.[1] ?? NaN);
  const first = await secsLeft();
  expect(first).toBeGreaterThanOrEqual(1);
  expect(first).toBeLessThanOrEqual(15);
  await page.screenshot({ path: screenshotPath("walkthrough-4-running") });
  await expect.poll(secsLeft, { timeout: 5000, interval: 100 }).toBeLessThan(first);
  const second = await secsLeft();
  await expect.poll(secsLeft, { timeout: 5000, interval: 100 }).toBeLessThan(second);

  // Reload mid-run: the countdown comes from the recorded start, so it carries on
  // where it was, and the page is live again.
  const beforeReload = await secsLeft();
  await page.reload();
  await page.locator("[data-testid=live-indicator]").waitFor();
  await countdown.waitFor();
  const afterReload = await secsLeft();
  expect(afterReload).toBeLessThanOrEqual(beforeReload);
  expect(afterReload).toBeGreaterThanOrEqual(beforeReload - 2);
  await expect.poll(secsLeft, { timeout: 5000, interval: 100 }).toBeLessThan(afterReload);

  // Finished, task and rollout; the live indicator goes and the refreshing stops.
  await page.locator("[data-testid=rollout-status] [data-status=finished]").waitFor({ timeout: 30_000 });
  await page.locator("[data-task-status=finished]").waitFor();
  expect(await page.locator("[data-testid=rollout-status]").textContent()).toContain("Finished");
  expect(await page.locator("li[data-task-status] [data-status]").first().textContent()).toContain("Finished");
  await page.locator("[data-testid=not-live]").waitFor();
  expect(await page.locator("[data-testid=live-indicator]").count()).toBe(0);
  expect(await countdown.count()).toBe(0);
  const seen = refreshes();
  expect(seen).toBeGreaterThan(0); // it followed the run (a stream, and again after the reload)
  await page.waitForTimeout(3500); // three refresh periods: nothing more may come
  expect(refreshes()).toBe(seen);
  await page.screenshot({ path: screenshotPath("walkthrough-5-finished"), fullPage: true });

  // Home now shows it as Latest, with its status.
  await page.goto(server.url + "/");
  const latest = page.locator("[data-testid=latest]");
  await latest.waitFor();
  expect(await latest.textContent()).toContain(`#${id}`);
  expect(await latest.locator("[data-status]").textContent()).toBe("Finished");

  // Restart the server: the finished rollout is still there, unchanged.
  const dbUrl = server.dbUrl;
  const dir = server.dir;
  await server.stop();
  server = await startServer({ dir, dbUrl });
  const t0 = Date.now();
  await page.goto(`${server.url}/rollouts/${id}`);
  await page.locator("[data-testid=rollout-status] [data-status=finished]").waitFor();
  const loadMs = await page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
    return nav.loadEventEnd - nav.startTime;
  });
  console.log(`rollout page after restart: load event ${Math.round(loadMs)} ms, visible in ${Date.now() - t0} ms`);
  expect(await tasks.allTextContents()).toEqual(["Delay for 15 secs"]);
  expect(errors).toEqual([]);
  await page.close();
});

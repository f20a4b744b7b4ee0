// The rollout page follows a run through the event stream (no polling while it
// is up), falls back to polling when the stream is cut, and stays usable with
// a rollout of 20 000 tasks.
import { beforeAll, describe, expect, test } from "vitest";
import type { Page, Request } from "playwright-core";
import { serverAndBrowser, screenshotPath } from "../helpers/browser";

const ctx = serverAndBrowser({ env: { KETTLE_ROLLOUT_CLS: "fixtures:TreeRollout", KETTLE_ROLLOUT_REFRESH_TIMEOUT: "300" } });
let page: Page;
const errors: string[] = [];
const consoleErrors: string[] = []; // e.g. a 404 for the icon
beforeAll(async () => {
  page = await ctx.browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
});

type Json = Record<string, any>;
async function created(tree: unknown): Promise<number> {
  const r = await ctx.server.api<Json>("POST", "/api/rollouts", { config: { tree } });
  expect(r.status).toBe(201);
  return r.body.id;
}
const status = (s: string) => page.locator(`[data-testid=rollout-status] [data-status=${s}]`);

describe("live updates on the rollout page", () => {
  test("a run is followed through the stream: no polling requests while it is up", async () => {
    const id = await created({ seq: [{ noop: "prepare" }, { delay: 5 }, { noop: "finish" }] });
    const polls: string[] = [];
    const watch = (r: Request) => {
      const u = new URL(r.url());
      if (u.pathname === `/api/rollouts/${id}` || u.pathname.startsWith(`/api/rollouts/${id}/logs`)) polls.push(u.pathname + u.search);
    };
    await page.goto(`${ctx.server.url}/rollouts/${id}`);
    page.on("request", watch);
    await page.getByRole("button", { name: "Run" }).click();
    await expect.poll(() => page.getByTestId("live-mode").textContent()).toBe("· streaming changes");
    const afterRun = polls.length; // the Run response itself, and the logs' first read
    await page.locator("[data-task-id='2'][data-task-status=started]").waitFor();
    await page.screenshot({ path: screenshotPath("stream-live"), fullPage: true });
    await status("finished").waitFor({ timeout: 20_000 });
    page.off("request", watch);
    expect(polls.slice(afterRun).filter((p) => !p.includes("/logs/"))).toEqual([]);
    expect(polls.slice(afterRun).filter((p) => p.includes("/logs/")).length).toBeLessThanOrEqual(2);
    expect(await page.getByTestId("log-Rollout log").textContent()).toContain("Rollout finished");
    expect(errors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  test("when the stream is cut, the page polls instead and says so", async () => {
    const id = await created({ seq: [{ noop: "prepare" }, { delay: 2 }, { noop: "finish" }] });
    await page.route("**/events*", (route) => route.abort());
    try {
      const polls: string[] = [];
      page.on("request", (r) => new URL(r.url()).pathname === `/api/rollouts/${id}` && polls.push(r.url()));
      await page.goto(`${ctx.server.url}/rollouts/${id}`);
      await page.getByRole("button", { name: "Run" }).click();
      await expect.poll(() => page.getByTestId("live-mode").textContent(), { timeout: 15_000 }).toMatch(/^· polling every 300 ms$/);
      await status("finished").waitFor({ timeout: 20_000 });
      expect(polls.length).toBeGreaterThan(2);
    } finally {
      await page.unroute("**/events*");
    }
  });

  test("a rollout of 20 000 tasks: the page shows progress at once and a group opens and scrolls", { timeout: 120_000 }, async () => {
    const waves = Array.from({ length: 20 }, () => ({ par: Array.from({ length: 1000 }, () => ({ noop: true })) }));
    const id = await created({ seq: waves });
    const t0 = Date.now();
    await page.goto(`${ctx.server.url}/rollouts/${id}`);
    await page.getByTestId("progress-text").waitFor();
    const loadMs = Date.now() - t0;
    expect(await page.getByTestId("progress-text").textContent()).toContain("0 of 20000 tasks finished");
    // The root's 20 waves, then open the third (it loads its 1 000 children as you scroll).
    const wave = page.locator("[data-task-id='2003']"); // the third wave: 1 + 2 × 1 001
    await wave.getByRole("button", { name: "Expand 1000 tasks" }).first().click();
    const list = page.getByTestId("task-list-2003");
    await list.waitFor();
    await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.locator("[data-task-id='3003']").waitFor({ timeout: 10_000 }); // its last child
    // Where you are: at the very end once the rows loaded and took their heights.
    await expect
      .poll(async () => {
        await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
        return page.getByTestId("task-list-range-2003").textContent();
      })
      .toMatch(/^ · showing [\d,]+–1,000$/);
    const rows = await page.locator("li[data-task-id]").count();
    expect(rows).toBeLessThan(200); // bounded, whatever the size
    await page.screenshot({ path: screenshotPath("stream-20000"), fullPage: false });
    const heap = await page.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0);
    console.log(`20 000 tasks: progress shown ${loadMs} ms after navigation; ${rows} task rows in the DOM; JS heap ${(heap / 1e6).toFixed(0)} MB`);
    // Someone runs it elsewhere: the page (watching since it opened) follows, without loading the tree again.
    await ctx.server.api("POST", `/api/rollouts/${id}/run`);
    await expect.poll(() => page.getByTestId("progress-text").textContent(), { timeout: 60_000 }).toContain("20000 of 20000 tasks finished");
    expect(errors).toEqual([]);
  });
});

// Steering a rollout by hand in the browser: approve a wave of a gradual deploy,
// retry a failed task the run paused on, pause and resume, retry a failed rollback.
import { beforeAll, describe, expect, test } from "vitest";
import type { Page } from "playwright-core";
import { randomBytes } from "node:crypto";
import { serverAndBrowser, screenshotPath } from "../helpers/browser";

const ctx = serverAndBrowser({
  headers: { "X-Kettle-User": "bot" },
  env: {
    KETTLE_ROLLOUT_CLS: "demo:CarefulDemoRollout,fixtures:PausingTreeRollout,fixtures:TreeRollout",
    KETTLE_AUTH: "proxy",
    KETTLE_USER_HEADER: "X-Kettle-User",
    KETTLE_DEFAULT_ROLE: "operator",
    KETTLE_ROLLOUT_REFRESH_TIMEOUT: "300",
  },
});
let page: Page;
const errors: string[] = [];
beforeAll(async () => {
  const context = await ctx.browser.newContext({ viewport: { width: 1280, height: 1000 }, extraHTTPHeaders: { "x-kettle-user": "alice" } });
  page = await context.newPage();
  page.on("pageerror", (e) => errors.push(e.message));
});

type Json = Record<string, any>;
async function started(kind: string, config: unknown): Promise<number> {
  const created = await ctx.server.api<Json>("POST", "/api/rollouts", { kind, config });
  expect(created.status).toBe(201);
  expect((await ctx.server.api("POST", `/api/rollouts/${created.body.id}/run`)).status).toBe(202);
  return created.body.id;
}
const status = (s: string) => page.locator(`[data-testid=rollout-status] [data-status=${s}]`);

describe("steering on the rollout page", () => {
  test("an approval gate before the second wave of a gradual deploy: approve it on the page, and the rollout finishes", async () => {
    const id = await started("demo:CarefulDemoRollout", { hosts: ["web-01", "web-02", "web-03", "web-04"], healthCheck: false, monitors: [] });
    await page.goto(`${ctx.server.url}/rollouts/${id}`);
    const gate = page.getByTestId("approval");
    await gate.waitFor({ timeout: 20_000 });
    expect(await gate.textContent()).toContain("Go on with wave 2 of 3 (1 item)?");
    await expect.poll(() => page.locator("[data-task-status=waiting]").count()).toBe(1);
    await page.screenshot({ path: screenshotPath("steering-approval"), fullPage: true });
    await gate.getByLabel("Comment (optional, kept on record)").fill("web-01 looks healthy");
    await gate.getByRole("button", { name: "Approve" }).click();
    // The third wave has its own gate.
    await expect.poll(async () => (await page.getByTestId("approval").textContent()) ?? "", { timeout: 20_000 }).toContain("wave 3 of 3");
    await page.getByTestId("approval").getByRole("button", { name: "Approve" }).click();
    await status("finished").waitFor({ timeout: 20_000 });
    const decisions = await page.getByTestId("decisions").textContent();
    expect(decisions).toContain("alice approved task 2: “web-01 looks healthy”");
    expect(decisions).toContain("alice approved task 4");
    expect(errors).toEqual([]);
  });

  test("a task that fails once pauses the rollout; Retry on the page, and it finishes", async () => {
    const k = `e2e${randomBytes(3).toString("hex")}`;
    const id = await started("fixtures:PausingTreeRollout", { tree: { seq: [{ noop: "prepare" }, { flaky: k, failTimes: 1 }, { noop: "finish" }] } });
    await page.goto(`${ctx.server.url}/rollouts/${id}`);
    await status("paused").waitFor({ timeout: 20_000 });
    const banner = page.getByTestId("paused-banner");
    expect(await banner.textContent()).toContain(`Task 2 (Flaky ${k}) failed`);
    const card = page.getByTestId("failure-decision");
    expect(await card.textContent()).toContain(`${k}: failure 1 of 1`);
    await page.screenshot({ path: screenshotPath("steering-pause-on-failure"), fullPage: true });
    await card.getByRole("button", { name: "Retry" }).click();
    await status("finished").waitFor({ timeout: 20_000 });
    expect(await page.locator("[data-task-id='2'] [data-testid=attempt]").first().textContent()).toBe("attempt 2");
    expect(await page.getByTestId("steering").count()).toBe(0);
    expect(errors).toEqual([]);
  });

  test("Pause and Resume: the countdown shows it is paused, and the rollout carries on", async () => {
    const id = await started("fixtures:TreeRollout", { tree: { seq: [{ delay: 2 }, { noop: "after" }] } });
    await page.goto(`${ctx.server.url}/rollouts/${id}`);
    await page.locator("[data-task-status=started]").first().waitFor();
    await page.locator("[data-signal=pause_rollout]").click();
    await status("paused").waitFor();
    await expect.poll(() => page.locator("[data-task-id='1']").textContent()).toMatch(/paused, \d secs left/);
    expect(await page.getByTestId("paused-banner").textContent()).toContain("Paused by alice");
    await page.screenshot({ path: screenshotPath("steering-paused"), fullPage: true });
    await page.locator("[data-signal=resume_rollout]").click();
    await status("finished").waitFor({ timeout: 20_000 });
    const decisions = await page.getByTestId("decisions").textContent();
    expect(decisions).toContain("alice paused");
    expect(decisions).toContain("alice resumed");
  });

  test("Retry rollback after a revert that failed once", async () => {
    const id = await started("fixtures:TreeRollout", {
      tree: { seq: [{ flaky: `rb${randomBytes(3).toString("hex")}`, failTimes: 0, failRevertOnce: true }, { fail: "boom" }] },
    });
    await page.goto(`${ctx.server.url}/rollouts/${id}`);
    await status("rollback_failed").waitFor({ timeout: 20_000 });
    await page.getByTestId("retry-rollback").click();
    await status("rolled_back").waitFor({ timeout: 20_000 });
    expect(await page.getByTestId("decisions").textContent()).toContain("alice retried the rollback");
  });
});

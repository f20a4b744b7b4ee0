// The rollout page's health analysis in the browser: a failed analysis shows its
// chart (a point per measurement, the thresholds drawn), its verdict and why.
import http from "node:http";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Page } from "playwright-core";
import { serverAndBrowser, screenshotPath } from "../helpers/browser";
import { freePort } from "../helpers/server";

const ctx = serverAndBrowser({ env: { KETTLE_ROLLOUT_CLS: "analysis-fixtures:AnalysedRollout" } });
let page: Page;
let web: http.Server;
let url = "";
const values = [0.012, 0.018, 0.09, 0.015, 0.071];
const errors: string[] = [];

beforeAll(async () => {
  let n = 0;
  web = http.createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: { errorRate: values[n++ % values.length] } })));
  const port = await freePort();
  await new Promise<void>((r) => web.listen(port, "127.0.0.1", r));
  url = `http://127.0.0.1:${port}/`;
  const context = await ctx.browser.newContext({ viewport: { width: 1280, height: 1100 } });
  page = await context.newPage();
  page.on("pageerror", (e) => errors.push(e.message));
});
afterAll(async () => {
  await new Promise((r) => web?.close(r));
});

test("a failed analysis: a chart per metric with its thresholds, the verdict and why", async () => {
  type Json = Record<string, any>;
  const step = {
    title: "Error rate after wave 1",
    metrics: [{ name: "error-rate", provider: { web: { url, jsonPath: "$.data.errorRate" } }, interval: "200ms", count: 6, successCondition: "result < 0.05", failureCondition: "result >= 0.05", failureLimit: 1 }],
  };
  const created = await ctx.server.api<Json>("POST", "/api/rollouts", { config: { step } });
  expect(created.status).toBe(201);
  const id = created.body.id;
  expect((await ctx.server.api("POST", `/api/rollouts/${id}/run`)).status).toBe(202);
  await page.goto(`${ctx.server.url}/rollouts/${id}`);
  const run = page.locator("[data-testid=analysis-run]");
  await run.and(page.locator("[data-verdict=failed]")).waitFor({ timeout: 30_000 });
  await page.locator("[data-testid=rollout-status] [data-status=rolled_back]").waitFor({ timeout: 30_000 });
  const metric = page.locator("[data-testid=analysis-metric][data-metric=error-rate]");
  await expect.poll(() => metric.locator("circle").count()).toBe(5);
  expect(await metric.locator("circle[data-outcome=failed]").count()).toBe(2);
  expect(await metric.locator("[data-testid=threshold-fail]").textContent()).toBe("fail 0.05");
  expect(await page.locator("[data-testid=analysis-why]").textContent()).toMatch(/error-rate: 5th measurement 0.071 meets the failure condition result >= 0.05: failed \(2 failed, failureLimit 1\)/);
  await metric.scrollIntoViewIfNeeded();
  await page.locator("[data-testid=analysis-panel]").screenshot({ path: screenshotPath("analysis-failed") });
  // The timeline marks each measurement on the step's row.
  await page.getByRole("tab", { name: /timeline/i }).click();
  const row = page.locator("[data-testid=timeline-row][data-timeline-task-id='1']");
  await expect.poll(() => row.locator("[data-measurement]").count()).toBe(5);
  expect(await row.locator("[data-measurement=failed]").count()).toBe(2);
  await page.locator("[data-testid=timeline]").screenshot({ path: screenshotPath("analysis-timeline") });
  expect(errors).toEqual([]);
});

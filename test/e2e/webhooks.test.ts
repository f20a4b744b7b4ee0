// The Webhooks page in a browser: an admin subscribes a receiver, sees the
// secret once, and reads each delivery with its attempts' response codes;
// the API page renders the OpenAPI document.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Page } from "playwright-core";
import { Webhook } from "standardwebhooks";
import { serverAndBrowser, screenshotPath } from "../helpers/browser";
import { startReceiver, type Receiver } from "../helpers/receiver";
import { waitFor } from "../helpers/db";

const ctx = serverAndBrowser({ env: { KETTLE_ROLLOUT_CLS: "fixtures:TreeRollout", KETTLE_WEBHOOK_BACKOFF_MS: "100", KETTLE_WEBHOOK_POLL_MS: "50" } });
let receiver: Receiver;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  receiver = await startReceiver();
  page = await ctx.browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("pageerror", (e) => errors.push(e.message));
});
afterAll(async () => {
  await receiver?.close();
});

describe("Webhooks page", () => {
  test("subscribe, the secret shown once, deliveries with their response codes", async () => {
    receiver.answer = (_r, nth) => (nth === 1 ? 503 : 200);
    await page.goto(`${ctx.server.url}/webhooks`);
    await page.getByLabel("URL").fill(`${receiver.url}/ui`);
    // only rollout.finished
    for (const box of await page.getByRole("checkbox").all()) {
      const label = await box.evaluate((el) => el.parentElement?.textContent ?? "");
      if (label !== "rollout.finished") await box.uncheck();
    }
    await page.getByRole("button", { name: "Add webhook" }).click();
    const secret = (await page.getByTestId("new-webhook-secret").textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    await expect.poll(() => page.locator("[data-webhook-id]").count()).toBe(1);
    expect(await page.locator("[data-webhook-id]").textContent()).toContain("rollout.finished");

    const { body } = await ctx.server.api<{ id: number }>("POST", "/api/rollouts", { kind: "fixtures:TreeRollout", config: { tree: { noop: "x" } } });
    await ctx.server.api("POST", `/api/rollouts/${body.id}/run`);
    await waitFor(() => receiver.received.filter((r) => r.path === "/ui").length === 2, { what: "two attempts" });
    new Webhook(secret).verify(receiver.received.at(-1)!.body, receiver.received.at(-1)!.headers);

    await page.getByRole("button", { name: "Deliveries" }).click();
    const row = page.locator("[data-delivery-id]").first();
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toMatch(/rollout\.finished.*delivered.*503\s*200/);
    await page.screenshot({ path: screenshotPath("webhooks-page"), fullPage: true });
    // the secret is not shown again
    await page.reload();
    expect(await page.getByTestId("new-webhook-secret").count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
    expect(errors).toEqual([]);
  });

  test("the API page lists every route, linked from the footer", async () => {
    await page.goto(`${ctx.server.url}/`);
    await page.getByRole("contentinfo").getByRole("link", { name: "API", exact: true }).click();
    await page.waitForURL(/\/api$/);
    await expect.poll(() => page.locator("[data-route]").count()).toBeGreaterThanOrEqual(20);
    await page.locator('[data-route="POST /api/webhooks"] summary').click();
    expect(await page.locator('[data-route="POST /api/webhooks"]').textContent()).toContain("approval.requested");
    expect(errors).toEqual([]);
  });
});

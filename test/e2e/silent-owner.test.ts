// The rollout page warns when the runner that owns a running rollout has gone
// silent (its lease expired). The server here polls for work only once a
// minute, so nothing takes the rollout over while the page is looked at.
import { expect, test } from "vitest";
import { createClient } from "@libsql/client";
import { screenshotPath, serverAndBrowser } from "../helpers/browser";

const env = serverAndBrowser({ env: { KETTLE_POLL_MS: "60000" } });

test("an owner gone silent is shown as a warning", async () => {
  const created = await env.server.api<{ id: number }>("POST", "/api/rollouts", {});
  expect(created.status).toBe(201);
  const id = created.body.id;
  const now = Date.now();
  const db = createClient({ url: env.server.dbUrl });
  await db.execute({
    sql: `UPDATE rollout SET status = 'started', rollout_started_at = ?, lease_owner = 'ghost-host:4242', heartbeat_at = ?, lease_expires_at = ? WHERE id = ?`,
    args: [now - 40_000, now - 30_000, now - 20_000, id],
  });
  db.close();
  const page = await env.browser.newPage({ viewport: { width: 1200, height: 800 } });
  await page.goto(`${env.server.url}/rollouts/${id}`);
  const warning = page.getByTestId("owner-silent");
  await warning.waitFor();
  const text = await warning.textContent();
  expect(text).toContain("Owner silent");
  expect(text).toContain("ghost-host:4242");
  expect(await page.getByText("ghost-host:4242").count()).toBe(2); // the warning and the Runner fact
  expect(await warning.getAttribute("role")).toBe("alert");
  await page.screenshot({ path: screenshotPath("ui-rollout-owner-silent") });
  await page.close();
});

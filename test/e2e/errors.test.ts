// A server error shows a friendly page, without internals, in production.
import { expect, test } from "vitest";
import { createClient } from "@libsql/client";
import { screenshotPath, serverAndBrowser } from "../helpers/browser";

const env = serverAndBrowser();

test("a corrupt record: the error page says something went wrong, offers a way on, and shows no stack", async () => {
  const created = await env.server.api<{ id: number }>("POST", "/api/rollouts", {});
  const db = createClient({ url: env.server.dbUrl });
  await db.execute({ sql: "UPDATE rollout SET config = '{corrupt' WHERE id = ?", args: [created.body.id] });
  db.close();
  const page = await env.browser.newPage({ viewport: { width: 1200, height: 800 } });
  await page.goto(`${env.server.url}/rollouts/${created.body.id}`);
  const alert = page.getByRole("alert").filter({ hasText: "Something went wrong" });
  await alert.waitFor();
  expect(await alert.textContent()).not.toMatch(/SyntaxError|JSON|\bat \S+ \(/);
  expect(await page.getByRole("link", { name: "Home" }).count()).toBeGreaterThan(0);
  await page.screenshot({ path: screenshotPath("ui-error-page") });
  await page.close();
});

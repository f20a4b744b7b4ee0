// The operator UI (issue 6) in the browser: the generated form, edit, run and
// watch, signals, failures, lists, hiding, paging, the kind chooser, the user
// header, the checklist panel and big trees.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { createClient } from "@libsql/client";
import fs from "node:fs";
import path from "node:path";
import { startServer, type TestServer } from "../helpers/server";
import { launchBrowser, screenshotPath } from "../helpers/browser";

let server: TestServer;
let browser: Browser;
let page: Page;
const errors: string[] = [];
const USER = "alice";
const CHECKLIST = "data:text/html,checklist-for-rollout-";

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startServer({
      env: {
        KETTLE_ROLLOUT_CLS: "demo:DemoRollout,fixtures:TreeRollout,rollout:MyRollout",
        KETTLE_AUTH: "proxy",
        KETTLE_USER_HEADER: "X-Kettle-User",
        KETTLE_ADMINS: USER,
        KETTLE_CHECKLIST_URL: CHECKLIST,
        KETTLE_CHECKLIST_HEIGHT: "420",
        KETTLE_ROLLOUT_REFRESH_TIMEOUT: "500",
      },
      headers: { "x-kettle-user": USER },
    }),
    launchBrowser(),
  ]);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, extraHTTPHeaders: { "x-kettle-user": USER } });
  page = await context.newPage();
  page.on("pageerror", (e) => errors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

type View = { id: number; status: string; tasks: { id: number; children: unknown[] } };
async function create(config: unknown, kind = "fixtures:TreeRollout"): Promise<View> {
  const res = await server.api<View>("POST", "/api/rollouts", { kind, config }, { "x-kettle-user": USER });
  expect(res.status).toBe(201);
  return res.body;
}
const status = (s: string) => page.locator(`[data-testid=rollout-status] [data-status=${s}]`);
const idOf = (url: string) => Number(new URL(url).pathname.split("/")[2]);

describe("New: the kind chooser and the generated form", () => {
  test("New asks which kind, by the class's title", async () => {
    await page.goto(server.url + "/");
    await page.getByRole("link", { name: "New", exact: true }).click();
    const kinds = page.getByRole("list", { name: "Rollout kinds" }).getByTestId("kind-option-title");
    await kinds.first().waitFor();
    expect(await kinds.allTextContents()).toEqual([
      "Demo: gradual deploy to hosts",
      "Test fixture: a tree from JSON",
      "Example: a 15-second delay",
    ]);
    await page.screenshot({ path: screenshotPath("ui-new-kinds"), fullPage: true });
    await page.getByRole("link", { name: /Demo: gradual deploy/ }).click();
    await page.waitForURL(/kind=demo/);
    expect(await page.getByTestId("kind-title").textContent()).toBe("Demo: gradual deploy to hosts");
  });

  test("the form has every field kind, labels, help, defaults, Basic and Advanced", async () => {
    const field = (label: string) => page.getByLabel(label, { exact: true });
    expect(await field("Version").inputValue()).toBe("1.4.2");
    expect(await field("Version").getAttribute("type")).toBe("text");
    expect(await field("Hosts").evaluate((e) => e.tagName)).toBe("TEXTAREA");
    expect((await field("Hosts").inputValue()).split("\n")).toHaveLength(6);
    expect(await field("Delay between waves (seconds)").getAttribute("type")).toBe("number");
    expect(await field("Delay between waves (seconds)").inputValue()).toBe("5");
    expect(await page.getByRole("radio", { name: "All hosts at once" }).isChecked()).toBe(true);
    expect(await page.getByRole("checkbox", { name: "Check each host's health after deploying" }).isChecked()).toBe(true);
    // Help text is tied to its field.
    const help = await field("Version").getAttribute("aria-describedby");
    expect(await page.locator(`[id="${help}"]`).textContent()).toBe("The release to deploy.");
    // Advanced: collapsed, with checkboxes (several choices) and a multi-line text.
    const advanced = page.getByTestId("advanced");
    expect(await advanced.getAttribute("open")).toBeNull();
    await advanced.locator("summary").click();
    expect(await page.getByRole("checkbox", { name: /Stop file/ }).isChecked()).toBe(true);
    expect(await page.getByRole("checkbox", { name: /Error rate/ }).isChecked()).toBe(false);
    expect(await field("Notes").evaluate((e) => e.tagName)).toBe("TEXTAREA");
    await page.screenshot({ path: screenshotPath("ui-new-form"), fullPage: true });
  });

  test("a validation error is shown beside the field and what was typed is kept; then it succeeds", async () => {
    await page.getByLabel("Version", { exact: true }).fill("");
    await page.getByLabel("Hosts", { exact: true }).fill("web-01\nnot a host!\nweb-03");
    await page.getByLabel("Notes", { exact: true }).fill("Friday deploy <b>really</b>");
    await page.getByRole("button", { name: "Finalise" }).click();
    await page.getByTestId("error-hosts").waitFor();
    expect(await page.getByTestId("error-hosts").textContent()).toContain("Line 2: Not a host name");
    expect(await page.getByTestId("error-version").textContent()).toContain("Say which version to deploy");
    expect(await page.getByLabel("Hosts", { exact: true }).getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByLabel("Hosts", { exact: true }).inputValue()).toBe("web-01\nnot a host!\nweb-03");
    expect(await page.getByLabel("Notes", { exact: true }).inputValue()).toBe("Friday deploy <b>really</b>");
    expect(page.url()).toMatch(/\/rollouts\/new\?kind=/);
    // The first field in error gets the focus.
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).name)).toBe("version");
    await page.screenshot({ path: screenshotPath("ui-new-form-errors"), fullPage: true });

    await page.getByLabel("Version", { exact: true }).fill("1.5.0");
    await page.getByLabel("Hosts", { exact: true }).fill("web-01\nweb-02\nweb-03");
    await page.getByRole("checkbox", { name: /Error rate/ }).check();
    await page.getByRole("radio", { name: "One host after another" }).check();
    await page.getByRole("button", { name: "Finalise" }).click();
    await page.waitForURL(/\/rollouts\/\d+$/);
    const info = page.getByTestId("info");
    await info.waitFor();
    const text = await info.textContent();
    expect(text).toContain("Deploys 1.5.0 to 3 hosts: web-01, web-02, web-03");
    expect(text).toContain("Monitors: stopFile, errorRate");
    expect(text).toContain("one host at a time");
    // User text is shown as text, never as HTML.
    expect(text).toContain("Notes: Friday deploy <b>really</b>");
    expect(await info.locator("b").count()).toBe(0);
    expect(await page.getByText(`by ${USER}`).count()).toBeGreaterThan(0);
  });

  test("Edit, prefilled; Finalise again replaces the tasks", async () => {
    const id = idOf(page.url());
    const before = await page.locator("[data-testid=task-description]").allTextContents();
    expect(before).toContain("Deploy 1.5.0 to web-01");
    await page.getByRole("link", { name: "Edit" }).click();
    await page.waitForURL(new RegExp(`/rollouts/${id}/edit$`));
    expect(await page.getByLabel("Version", { exact: true }).inputValue()).toBe("1.5.0");
    expect(await page.getByLabel("Hosts", { exact: true }).inputValue()).toBe("web-01\nweb-02\nweb-03");
    expect(await page.getByRole("radio", { name: "One host after another" }).isChecked()).toBe(true);
    await page.screenshot({ path: screenshotPath("ui-edit"), fullPage: true });
    await page.getByLabel("Version", { exact: true }).fill("2.0.0");
    await page.getByLabel("Hosts", { exact: true }).fill("web-01\nweb-02");
    await page.getByRole("button", { name: "Finalise" }).click();
    await page.waitForURL(new RegExp(`/rollouts/${id}$`));
    await page.getByTestId("task-tree").getByText("Deploy 2.0.0 to web-01").waitFor(); // (the plan's diff names it too)
    const after = await page.locator("[data-testid=task-description]").allTextContents();
    expect(after).not.toContain("Deploy 1.5.0 to web-01");
    expect(after).toContain("Deploy 2.0.0 to web-02");
    expect(await page.getByTestId("info").textContent()).toContain("Deploys 2.0.0 to 2 hosts");
  });

  test("a failing generateTasks shows its error and keeps nothing", async () => {
    const before = (await server.api<{ total: number }>("GET", "/api/rollouts")).body.total;
    await page.goto(server.url + "/rollouts/new?kind=fixtures:TreeRollout");
    const tree = page.getByRole("textbox", { name: "Tree", exact: true });
    await tree.fill("{ not json");
    await page.getByRole("button", { name: "Finalise" }).click();
    expect(await page.getByTestId("error-tree").textContent()).toContain("Not valid JSON");
    await tree.fill('{"nope": 1}');
    await page.getByRole("button", { name: "Finalise" }).click();
    await expect.poll(() => page.getByTestId("form-error").textContent()).toContain("Finalise failed in generateTasks: Unknown tree spec");
    // Production: no stack trace.
    expect(await page.getByText("Stack trace").count()).toBe(0);
    expect(await tree.inputValue()).toBe('{"nope": 1}');
    expect((await server.api<{ total: number }>("GET", "/api/rollouts")).body.total).toBe(before);
    await page.screenshot({ path: screenshotPath("ui-new-generate-failed"), fullPage: true });
  });
});

describe("the rollout page", () => {
  test("run, watch the live log grow, stop and resume auto-refresh, abort, roll back", async () => {
    const r = await create({ tree: { seq: [{ noop: "prepare" }, { chatty: 300, everyMs: 100 }, { delay: 30 }] } });
    await page.goto(`${server.url}/rollouts/${r.id}`);
    // The checklist panel: its URL plus the rollout id, at the configured height.
    const checklist = page.getByTestId("checklist");
    expect(await checklist.getAttribute("src")).toBe(CHECKLIST + r.id);
    expect((await checklist.boundingBox())!.height).toBe(420);

    await page.getByRole("button", { name: "Run" }).click();
    await status("started").waitFor();
    await page.getByTestId("live-indicator").waitFor();
    expect(await page.getByTestId("run-by").count()).toBe(0);
    expect(await page.getByText(`by ${USER}`).count()).toBeGreaterThan(0);

    // The chatty task's run log, on the page, following new lines.
    const row = page.locator("li[data-task-id]:not(:has(li))", { hasText: "Log 300 lines" });
    await row.getByRole("button", { name: /^Logs/ }).click();
    const log = row.getByRole("log");
    await log.getByText(/line 3 of 300/).waitFor();
    const count = async () => (await log.locator("span.block").count());
    const first = await count();
    await expect.poll(count, { timeout: 10_000 }).toBeGreaterThan(first + 3);
    await page.screenshot({ path: screenshotPath("ui-rollout-running"), fullPage: true });

    // Stop auto-refresh: no more requests (polls or a stream); resume: the stream again.
    let requests = 0;
    const onRequest = (req: { url(): string }) => {
      const p = new URL(req.url()).pathname;
      if (p === `/api/rollouts/${r.id}` || p === `/api/rollouts/${r.id}/events`) requests++;
    };
    page.on("request", onRequest);
    await page.getByRole("button", { name: "Stop auto-refresh" }).click();
    await page.getByTestId("paused-indicator").waitFor();
    const frozen = requests;
    await page.waitForTimeout(2000); // four refresh periods
    expect(requests).toBe(frozen);
    await page.getByRole("button", { name: "Resume auto-refresh" }).click();
    await page.getByTestId("live-indicator").waitFor();
    await expect.poll(() => requests).toBeGreaterThan(frozen);
    await expect.poll(() => page.getByTestId("live-mode").textContent()).toBe("· streaming changes");
    page.off("request", onRequest);

    // Signals come with their descriptions; abort asks first, listing what the rollback would revert.
    const abort = page.getByRole("button", { name: "Abort rollout" });
    const help = await abort.getAttribute("aria-describedby");
    expect(await page.locator(`[id="${help}"]`).textContent()).toContain("Graceful stop");
    await abort.click();
    const dialog = page.getByRole("dialog");
    await dialog.getByTestId("confirm-preview").waitFor();
    await dialog.getByRole("button", { name: "Abort rollout" }).click();
    await status("rolled_back").waitFor({ timeout: 20_000 });
    expect(await page.getByRole("button", { name: "Abort rollout" }).count()).toBe(0);
    await page.getByTestId("not-live").waitFor();
    // The rollback log, the rollback times, the progress in rollback terms.
    await page.getByRole("log", { name: "Rollback log" }).getByText("Rollback finished").waitFor();
    expect(await page.getByTestId("progress-text").textContent()).toMatch(/of \d+ started tasks reverted/);
    expect(await page.locator("li[data-task-status=rolled_back]").count()).toBeGreaterThan(0);
    expect(await page.getByText("abort_rollout", { exact: true }).count()).toBe(1);
    await page.screenshot({ path: screenshotPath("ui-rollout-rolled-back"), fullPage: true });
    expect(await page.getByRole("link", { name: "Edit" }).count()).toBe(0);
    expect((await server.api("PUT", `/api/rollouts/${r.id}`, { config: { tree: { noop: true } } })).status).toBe(409);
  });

  test("term asks for confirmation", async () => {
    const r = await create({ tree: { seq: [{ delay: 30 }] } });
    await page.goto(`${server.url}/rollouts/${r.id}`);
    await page.getByRole("button", { name: "Run" }).click();
    await status("started").waitFor();
    await page.getByRole("button", { name: "Terminate rollout" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain("cannot be undone");
    await page.screenshot({ path: screenshotPath("ui-rollout-confirm-term") });
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden" });
    expect((await server.api<View>("GET", `/api/rollouts/${r.id}`)).body.status).toBe("started");
    await page.getByRole("button", { name: "Terminate rollout" }).click();
    await dialog.getByRole("button", { name: "Terminate rollout" }).click();
    await status("rolled_back").waitFor({ timeout: 20_000 });
    expect(await page.getByText("term_rollout", { exact: true }).count()).toBe(1);
  });

  test("a failing task's error is shown, its stack collapsed", async () => {
    const r = await create({ tree: { seq: [{ noop: "first" }, { fail: "boom: disk full on web-07" }] } });
    await page.goto(`${server.url}/rollouts/${r.id}`);
    await page.getByRole("button", { name: "Run" }).click();
    await status("rolled_back").waitFor({ timeout: 20_000 });
    const failed = page.locator("li[data-task-id]:not(:has(li))", { hasText: "Fail: boom" });
    const error = failed.getByTestId("task-error").first();
    expect(await error.locator("summary").textContent()).toContain("Run failed: boom: disk full on web-07");
    const stack = error.locator("pre");
    expect(await stack.isVisible()).toBe(false);
    await error.locator("summary").click();
    expect(await stack.isVisible()).toBe(true);
    expect(await stack.textContent()).toMatch(/Error: boom: disk full on web-07\s+at /);
    expect(await page.getByTestId("progress-text").textContent()).toContain("1 failed");
    await page.screenshot({ path: screenshotPath("ui-rollout-failed-task"), fullPage: true });
  });

  test("Run refuses a stale plan and says why", async () => {
    const r = await create({ tree: { noop: true } });
    const db = createClient({ url: server.dbUrl });
    await db.execute({ sql: "UPDATE rollout SET finalised_at = finalised_at - 600000 WHERE id = ?", args: [r.id] });
    db.close();
    await page.goto(`${server.url}/rollouts/${r.id}`);
    const run = page.getByRole("button", { name: "Run" });
    await run.waitFor();
    expect(await run.isDisabled()).toBe(true);
    expect(await page.getByTestId("run-reason").textContent()).toContain("Finalised more than 5 minutes ago: finalise again");
    expect(await page.getByRole("link", { name: "Edit" }).count()).toBe(1);
    await page.screenshot({ path: screenshotPath("ui-rollout-stale") });
  });

  test("a tree of 1200 tasks loads fast, big groups start collapsed, expanding is quick", async () => {
    const group = (g: number) => ({ par: Array.from({ length: 60 }, (_, i) => ({ noop: `host-${g}-${i}` })) });
    const r = await create({ tree: { seq: Array.from({ length: 20 }, (_, g) => group(g)) } });
    const t0 = Date.now();
    await page.goto(`${server.url}/rollouts/${r.id}`);
    await page.getByTestId("task-tree").waitFor();
    const loadMs = Date.now() - t0;
    expect(await page.getByTestId("progress-text").textContent()).toContain("0 of 1200 tasks finished");
    const toggles = page.locator("[data-testid=task-tree] button[aria-expanded=false]");
    expect(await toggles.count()).toBe(20);
    const t1 = Date.now();
    await toggles.first().click();
    await page.getByText("host-0-59", { exact: true }).waitFor();
    const expandMs = Date.now() - t1;
    console.log(`1200-task tree: page ready in ${loadMs} ms, a 60-task group expanded in ${expandMs} ms`);
    expect(loadMs).toBeLessThan(5000);
    expect(expandMs).toBeLessThan(2000);
    await page.getByRole("button", { name: "Run" }).click();
    await status("finished").waitFor({ timeout: 60_000 });
    expect(await page.getByTestId("progress-text").textContent()).toContain("1200 of 1200 tasks finished");
    await page.screenshot({ path: screenshotPath("ui-rollout-big-tree"), fullPage: true });
  });

  test("the demo rollout: a gradual deploy over hosts with shell commands, then one stopped by its stop-file monitor", async () => {
    const ok = await create({ hosts: ["web-01", "web-02", "web-03"], waveDelaySecs: 1, monitors: [] }, "demo:DemoRollout");
    await page.goto(`${server.url}/rollouts/${ok.id}`);
    expect(await page.locator("[data-testid=task-description]").allTextContents()).toEqual(
      expect.arrayContaining(["Deploy 1.4.2 to web-01", "Check web-01 is healthy", "Delay for 1 secs", "Execute in parallel:"]),
    );
    await page.getByRole("button", { name: "Run" }).click();
    await status("finished").waitFor({ timeout: 30_000 });
    const row = page.locator("li[data-task-id]:not(:has(li))", { hasText: "Deploy 1.4.2 to web-03" });
    await row.getByRole("button", { name: /^Logs/ }).click();
    await row.getByRole("log").getByText("restarted web-03").waitFor();

    const stopFile = path.join(server.dir, "stop-the-demo");
    const stopped = await create({ hosts: ["web-01", "web-02"], waveDelaySecs: 30, monitors: ["stopFile"], stopFile }, "demo:DemoRollout");
    await page.goto(`${server.url}/rollouts/${stopped.id}`);
    expect(await page.getByTestId("info").textContent()).toContain(`touch ${stopFile}`);
    await page.getByRole("button", { name: "Run" }).click();
    await page.getByTestId("countdown").waitFor({ timeout: 20_000 });
    fs.writeFileSync(stopFile, "");
    await status("rolled_back").waitFor({ timeout: 20_000 });
    await page.getByRole("log", { name: "Rollout log" }).getByText(/stop file .* exists/).first().waitFor();
    await page.screenshot({ path: screenshotPath("ui-demo-stopped-by-monitor"), fullPage: true });
  });

  test("keyboard: a skip link first, then Run works with the keyboard alone", async () => {
    const r = await create({ tree: { noop: "by keyboard" } });
    await page.goto(`${server.url}/rollouts/${r.id}`);
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    let onRun = false;
    for (let i = 0; i < 15 && !onRun; i++) {
      await page.keyboard.press("Tab");
      onRun = await page.evaluate(() => document.activeElement?.textContent?.trim() === "Run");
    }
    expect(onRun).toBe(true);
    await page.keyboard.press("Enter");
    await status("finished").waitFor({ timeout: 20_000 });
  });

  test("an unknown id gets a friendly not-found page", async () => {
    const res = await page.goto(`${server.url}/rollouts/987654`);
    expect(res!.status()).toBe(404);
    await page.getByRole("heading", { name: "No such rollout" }).waitFor();
    await page.screenshot({ path: screenshotPath("ui-not-found") });
  });
});

describe("lists", () => {
  test("All: newest first, paged; Hide and the hidden filter; Latest", async () => {
    for (let i = 0; i < 22; i++) await create({ tree: { noop: `n${i}` } });
    const { total } = (await server.api<{ total: number }>("GET", "/api/rollouts")).body;
    expect(total).toBeGreaterThan(20);
    await page.goto(server.url + "/");
    await page.getByRole("link", { name: /^All/ }).last().click();
    await page.waitForURL(/\/rollouts$/);
    const rows = page.getByRole("list", { name: "Rollouts" }).locator("li[data-rollout-id]");
    await rows.first().waitFor();
    expect(await rows.count()).toBe(20);
    const page1 = (await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-rollout-id")))));
    expect(page1).toEqual([...page1].sort((a, b) => b - a));
    expect(await page.getByText(`Page 1 of ${Math.ceil(total / 20)}`).count()).toBe(1);
    expect(await rows.first().textContent()).toContain("Not started");
    await page.screenshot({ path: screenshotPath("ui-all"), fullPage: true });

    await page.getByRole("link", { name: "Older →" }).click();
    await page.waitForURL(/page=2/);
    await page.getByText("Page 2 of").waitFor();
    const page2 = await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-rollout-id"))));
    expect(page2.length).toBe(Math.min(20, total - 20));
    expect(Math.max(...page2)).toBeLessThan(Math.min(...page1));
    // Who ran them: the user from the proxy's header.
    expect(await page.getByText(USER).count()).toBeGreaterThan(0);
    await page.screenshot({ path: screenshotPath("ui-all-page-2"), fullPage: true });

    // Hide the newest; it leaves the list and shows under Hidden; unhide it.
    await page.getByRole("link", { name: "← Newer" }).click();
    await page.waitForURL(/\/rollouts$/);
    const newest = page1[0];
    await page.getByRole("button", { name: `Hide rollout ${newest}` }).click();
    await page.locator(`li[data-rollout-id="${newest}"]`).waitFor({ state: "detached" });
    await page.getByRole("link", { name: "Hidden" }).click();
    await page.waitForURL(/hidden=1/);
    const hiddenRow = page.locator(`li[data-rollout-id="${newest}"]`);
    await hiddenRow.waitFor();
    await page.screenshot({ path: screenshotPath("ui-all-hidden"), fullPage: true });
    await page.getByRole("button", { name: `Unhide rollout ${newest}` }).click();
    await hiddenRow.waitFor({ state: "detached" });
    await page.getByRole("link", { name: "Shown" }).click();
    await page.locator(`li[data-rollout-id="${newest}"]`).waitFor();

    // Home: Latest is the newest, with its status and who made it.
    await page.goto(server.url + "/");
    const latest = page.getByTestId("latest");
    expect(await latest.textContent()).toContain(`#${newest}`);
    expect(await latest.textContent()).toContain(USER);
    expect(await latest.locator("[data-status]").textContent()).toBe("Not started");
    expect(await page.getByTestId("current-user").textContent()).toContain(USER);
    await page.screenshot({ path: screenshotPath("ui-home"), fullPage: true });
    await page.getByRole("link", { name: "Latest" }).click();
    await page.waitForURL(/\/rollouts\/latest$/);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(`Rollout #${newest}`);
  });

  test("narrow screen and dark mode", async () => {
    const narrow = await browser.newPage({ viewport: { width: 390, height: 844 }, colorScheme: "dark", extraHTTPHeaders: { "x-kettle-user": USER } });
    await narrow.goto(server.url + "/rollouts");
    await narrow.getByRole("list", { name: "Rollouts" }).waitFor();
    const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const bg = await narrow.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).not.toBe("rgb(255, 255, 255)");
    await narrow.screenshot({ path: screenshotPath("ui-all-narrow-dark"), fullPage: true });
    await narrow.goto(server.url + "/rollouts/latest");
    await narrow.getByTestId("task-tree").waitFor();
    expect(await narrow.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    await narrow.screenshot({ path: screenshotPath("ui-rollout-narrow-dark"), fullPage: true });
    await narrow.goto(server.url + "/rollouts/new?kind=demo:DemoRollout");
    await narrow.getByRole("button", { name: "Finalise" }).waitFor();
    await narrow.screenshot({ path: screenshotPath("ui-new-narrow-dark"), fullPage: true });
    await narrow.close();
  });

  test("no page error happened in the browser", () => {
    expect(errors).toEqual([]);
  });
});

// Where a rollout stands and where it goes, in the browser: the abort
// confirmation's rollback preview (then checked against what was reverted), time
// left near the status, the timeline of a failed run and its rollback, Home's
// overview of rollouts in flight, and a filtered All view that survives a reload.
import { beforeAll, describe, expect, test } from "vitest";
import type { Page } from "playwright-core";
import { randomBytes } from "node:crypto";
import { serverAndBrowser, screenshotPath } from "../helpers/browser";

const ctx = serverAndBrowser({
  headers: { "X-Kettle-User": "bot" },
  env: {
    KETTLE_ROLLOUT_CLS: "fixtures:TreeRollout,demo:DemoRollout",
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
async function started(tree: unknown, kind = "fixtures:TreeRollout", user = "bot"): Promise<number> {
  const created = await ctx.server.api<Json>("POST", "/api/rollouts", { kind, config: { tree } }, { "X-Kettle-User": user });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect((await ctx.server.api("POST", `/api/rollouts/${created.body.id}/run`, undefined, { "X-Kettle-User": user })).status).toBe(202);
  return created.body.id;
}
const status = (s: string) => page.locator(`[data-testid=rollout-status] [data-status=${s}]`);
const flat = (t: Json): Json[] => [t, ...t.children.flatMap(flat)];

describe("rollout page", () => {
  test("time left never claims less than what is known: the work known, then the approvals ahead, and no earlier run to learn from", async () => {
    // A kind of its own with no finished run: a command never timed, a delay, a gate ahead.
    const tree = { seq: [{ shell: ["sh", "-c", "sleep 5"] }, { delay: 90 }, { approval: `Wave 2 (${randomBytes(3).toString("hex")})?` }, { noop: "after" }] };
    const created = await ctx.server.api<Json>("POST", "/api/rollouts", { kind: "fixtures:TreeRollout", config: { tree } });
    const id = created.body.id as number;
    await page.goto(`${ctx.server.url}/rollouts/${id}`);
    const { eta } = (await ctx.server.api<Json>("GET", `/api/rollouts/${id}`)).body;
    expect(eta).toMatchObject({ phase: "plan", secondsLeft: null, workSeconds: 90, openEnded: "approvals_ahead", approvalsAhead: 1 });
    expect(await page.getByTestId("eta").textContent()).toMatch(/^Takes (at least|about) 2 min, then waits for an approval/);
    expect((await ctx.server.api("POST", `/api/rollouts/${id}/run`)).status).toBe(202);
    await expect.poll(async () => (await page.getByTestId("eta").textContent()) ?? "").toMatch(/left, then waits for an approval/);
    await page.screenshot({ path: screenshotPath("insight-eta-lower-bound"), fullPage: false });
    expect((await ctx.server.api("POST", `/api/rollouts/${id}/signals/abort_rollout`)).status).toBe(200);
  });

  test("the abort confirmation lists the tasks the rollback then reverts, in that order; time left shows near the status", async () => {
    const id = await started({ seq: [{ noop: "prepare" }, { par: [{ noop: "web-01" }, { noop: "web-02" }] }, { noop: "switch" }, { delay: 60 }, { noop: "never" }] });
    await page.goto(`${ctx.server.url}/rollouts/${id}`);
    await status("started").waitFor({ timeout: 20_000 });
    await expect.poll(async () => (await page.getByTestId("eta").textContent()) ?? "").toMatch(/^about \d+ s left, ends \d\d:\d\d/);
    expect(await page.getByTestId("rollback-preview").locator("summary").textContent()).toBe("Aborting now would revert these 5 tasks, in this order");
    await page.getByTestId("rollback-preview").locator("summary").click();
    await page.screenshot({ path: screenshotPath("insight-running-eta-preview"), fullPage: true });

    await page.getByRole("button", { name: "Abort rollout" }).click();
    const dialog = page.getByRole("dialog");
    const listed = dialog.getByTestId("preview-task");
    await listed.first().waitFor();
    expect(await dialog.getByTestId("preview-description").allTextContents()).toEqual(["Delay for 1:00 mins", "switch", "web-01", "web-02", "prepare"]);
    expect(await dialog.getByTestId("preview-parallel").count()).toBe(1);
    expect(await dialog.getByTestId("confirm-preview").locator("p").first().textContent()).toBe("Aborting now would revert these 5 tasks, in this order");
    await page.screenshot({ path: screenshotPath("insight-abort-confirmation") });
    const ids = await listed.evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-preview-task-id"))));
    await dialog.getByRole("button", { name: "Abort rollout" }).click();
    await status("rolled_back").waitFor({ timeout: 20_000 });

    // What the rollback did: the same tasks, in the order listed (web-01 and web-02 at once).
    const view = (await ctx.server.api<Json>("GET", `/api/rollouts/${id}`)).body;
    const tasks = new Map(flat(view.tasks).map((t) => [t.id, t]));
    const reverted = flat(view.tasks).filter((t) => t.children.length === 0 && t.revert.startedAt);
    expect(new Set(reverted.map((t) => t.id))).toEqual(new Set(ids));
    const at = ids.map((i) => tasks.get(i)!.revert);
    for (let i = 1; i < at.length; i++) expect(at[i].startedAt).toBeGreaterThanOrEqual(at[i - 1].startedAt);
    // sequence steps: each starts after the one before finished
    expect(at[1].startedAt).toBeGreaterThanOrEqual(at[0].finishedAt);
    expect(at[2].startedAt).toBeGreaterThanOrEqual(at[1].finishedAt);
    expect(at[4].startedAt).toBeGreaterThanOrEqual(Math.max(at[2].finishedAt, at[3].finishedAt));
    expect(await page.getByTestId("eta").count()).toBe(0);
    expect(errors).toEqual([]);
  });

  test("the timeline of a rollout with a failure and a rollback shows both phases", async () => {
    const id = await started({ seq: [{ noop: "prepare" }, { delay: 1 }, { par: [{ noop: "web-01" }, { fail: "health check failed" }] }] });
    await page.goto(`${ctx.server.url}/rollouts/${id}`);
    await status("rolled_back").waitFor({ timeout: 20_000 });
    await page.getByRole("tab", { name: "Timeline" }).click();
    const tl = page.getByTestId("timeline");
    await tl.waitFor();
    await tl.getByTestId("phase-rollout").waitFor();
    await tl.getByTestId("phase-rollback").waitFor();
    expect(await tl.locator("[data-bar=run][data-outcome=failed]").count()).toBeGreaterThanOrEqual(1);
    expect(await tl.locator("[data-bar=revert]").count()).toBeGreaterThanOrEqual(4);
    const failed = tl.locator("[data-bar=run][data-outcome=failed]").last();
    expect(await failed.getAttribute("title")).toContain("health check failed");
    // the rollout phase ends where the rollback begins
    const box = async (t: string) => (await tl.getByTestId(t).boundingBox())!;
    expect((await box("phase-rollback")).x).toBeGreaterThanOrEqual((await box("phase-rollout")).x + (await box("phase-rollout")).width - 2);
    await page.screenshot({ path: screenshotPath("insight-timeline-rollback"), fullPage: true });
    // a group folds into one row
    const rows = await tl.getByTestId("timeline-row").count();
    await tl.getByRole("button", { name: "Fold" }).first().click();
    expect(await tl.getByTestId("timeline-row").count()).toBe(1);
    expect(rows).toBe(6);
    await tl.getByRole("button", { name: "Last minute" }).click();
    expect(await tl.getByRole("button", { name: "Last minute" }).getAttribute("aria-pressed")).toBe("true");
  });
});

describe("timeline", () => {
  test("pauses show on the axis with who paused and resumed; a tree of 1 200 tasks starts folded by group and stays quick", async () => {
    const id = await started({ seq: [{ delay: 1 }, { noop: "after" }] });
    await page.goto(`${ctx.server.url}/rollouts/${id}`);
    await page.locator("[data-signal=pause_rollout]").click();
    await status("paused").waitFor();
    await page.getByRole("tab", { name: "Timeline" }).click();
    await page.getByTestId("phase-paused").waitFor();
    expect(await page.getByTestId("eta").textContent()).toMatch(/^Time left: open-ended \(Paused: open-ended until someone resumes it/);
    await page.locator("[data-signal=resume_rollout]").click();
    await status("finished").waitFor({ timeout: 20_000 });
    expect(await page.getByTestId("phase-paused").getAttribute("title")).toMatch(/paused by alice; resume rollout by alice$/);
    expect(await page.locator("[data-marker=decision]").count()).toBe(2);
    await page.screenshot({ path: screenshotPath("insight-timeline-paused"), fullPage: true });

    const group = (g: number) => ({ par: Array.from({ length: 60 }, (_, i) => ({ noop: `host-${g}-${i}` })) });
    const big = await started({ seq: Array.from({ length: 20 }, (_, g) => group(g)) });
    await page.goto(`${ctx.server.url}/rollouts/${big}`);
    await status("finished").waitFor({ timeout: 60_000 });
    const t0 = Date.now();
    await page.getByRole("tab", { name: "Timeline" }).click();
    const tl = page.getByTestId("timeline");
    await tl.waitFor();
    expect(await tl.getByTestId("timeline-row").count()).toBe(21); // the root and its 20 groups, folded
    expect(await tl.getByTestId("timeline-row").nth(1).textContent()).toContain("(60)");
    const shownMs = Date.now() - t0;
    const t1 = Date.now();
    await tl.getByRole("button", { name: "Expand" }).first().click();
    await expect.poll(() => tl.getByTestId("timeline-row").count()).toBe(81);
    const expandMs = Date.now() - t1;
    console.log(`timeline of 1 200 tasks: shown in ${shownMs} ms, a group of 60 expanded in ${expandMs} ms`);
    expect(shownMs).toBeLessThan(3000);
    expect(expandMs).toBeLessThan(2000);
    await page.screenshot({ path: screenshotPath("insight-timeline-big"), fullPage: true });
  });
});

describe("overview", () => {
  test("Home shows two rollouts running at once, with progress, time left and who ran them, above the others", async () => {
    const a = await started({ seq: [{ noop: "a" }, { delay: 30 }] }, "fixtures:TreeRollout", "carol");
    const b = await started({ seq: [{ delay: 40 }] }, "fixtures:TreeRollout", "dave");
    await page.goto(`${ctx.server.url}/`);
    const list = page.getByTestId("in-flight");
    await expect.poll(() => list.locator(`li[data-rollout-id="${a}"] [data-status=started]`).count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => list.locator(`li[data-rollout-id="${b}"] [data-status=started]`).count(), { timeout: 20_000 }).toBe(1);
    expect(await list.locator(`li[data-rollout-id="${a}"]`).textContent()).toContain("run by carol");
    expect(await list.locator(`li[data-rollout-id="${b}"]`).textContent()).toContain("run by dave");
    await expect.poll(async () => (await list.locator(`li[data-rollout-id="${a}"] [data-testid=eta]`).textContent()) ?? "").toMatch(/about \d+ s left, ends/);
    expect(await list.locator(`li[data-rollout-id="${a}"] [role=progressbar]`).getAttribute("aria-valuetext")).toBe("1 of 2");
    // in flight first, the rest below
    const inflightY = (await list.boundingBox())!.y;
    const recent = page.getByRole("list", { name: "Recent rollouts" });
    expect((await recent.boundingBox())!.y).toBeGreaterThan(inflightY);
    await page.screenshot({ path: screenshotPath("insight-home-overview"), fullPage: true });
    for (const id of [a, b]) expect((await ctx.server.api("POST", `/api/rollouts/${id}/signals/abort_rollout`)).status).toBeLessThan(300);
    await expect.poll(() => list.locator("li[data-rollout-id]").count(), { timeout: 20_000 }).toBe(0);
  });

  test("a filtered All view (status, kind, who, text) is kept in the URL and survives a reload; the API takes the same filters", async () => {
    const tag = `v${randomBytes(3).toString("hex")}`;
    const one = await ctx.server.api<Json>("POST", "/api/rollouts", { kind: "demo:DemoRollout", config: { version: tag, hosts: ["web-01"] } }, { "X-Kettle-User": "erin" });
    await ctx.server.api<Json>("POST", "/api/rollouts", { kind: "demo:DemoRollout", config: { version: `${tag}x`, hosts: ["web-01"] } }, { "X-Kettle-User": "frank" });
    expect(one.status).toBe(201);
    await page.goto(`${ctx.server.url}/rollouts`);
    const form = page.getByRole("search", { name: "Filter rollouts" });
    await form.getByLabel("Search config and info").fill(tag);
    await form.getByLabel("Status").selectOption("not_started");
    await form.getByLabel("Kind").selectOption("demo:DemoRollout");
    await form.getByLabel("Who (created or ran it)").fill("erin");
    await form.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/q=/);
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ q: tag, status: "not_started", kind: "demo:DemoRollout", user: "erin" });
    const rows = () => page.getByRole("list", { name: "Rollouts" }).locator("li[data-rollout-id]");
    await expect.poll(() => rows().count()).toBe(1);
    expect(await rows().first().getAttribute("data-rollout-id")).toBe(String(one.body.id));
    await page.reload();
    await expect.poll(() => rows().count()).toBe(1);
    expect(await form.getByLabel("Search config and info").inputValue()).toBe(tag);
    expect(await form.getByLabel("Who (created or ran it)").inputValue()).toBe("erin");
    expect(await form.getByLabel("Status").inputValue()).toBe("not_started");
    await page.screenshot({ path: screenshotPath("insight-all-filtered"), fullPage: true });

    const api = await ctx.server.api<Json>("GET", `/api/rollouts?${url.searchParams}`);
    expect(api.body.rollouts.map((r: Json) => r.id)).toEqual([one.body.id]);
    expect((await ctx.server.api<Json>("GET", `/api/rollouts?q=${tag}`)).body.total).toBe(2);
    // info is searched too (DemoRollout's info names the version and the hosts)
    expect((await ctx.server.api<Json>("GET", `/api/rollouts?q=${tag}&user=frank`)).body.total).toBe(1);
    expect((await ctx.server.api<Json>("GET", `/api/rollouts?q=${encodeURIComponent(`deploys ${tag} to 1 host`)}`)).body.rollouts.map((r: Json) => r.id)).toEqual([one.body.id]);
    const bad = await ctx.server.api<Json>("GET", "/api/rollouts?status=sleeping");
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^No status "sleeping"/);
    expect((await ctx.server.api<Json>("GET", "/api/rollouts?from=yesterday")).status).toBe(400);
    expect((await ctx.server.api<Json>("GET", `/api/rollouts?from=2000-01-01&to=2000-01-02&q=${tag}`)).body.total).toBe(0);
  });
});

describe("plan diff", () => {
  test("editing the demo's host list: Preview shows the changes against the current plan; after Finalise the rollout page shows them too", async () => {
    const created = await ctx.server.api<Json>("POST", "/api/rollouts", { kind: "demo:DemoRollout", config: { version: "3.1.0", hosts: ["web-01", "web-02", "web-03", "web-04"], healthCheck: false } });
    expect(created.status).toBe(201);
    const id = created.body.id;
    await page.goto(`${ctx.server.url}/rollouts/${id}/edit`);
    await page.getByLabel("Hosts", { exact: true }).fill("web-01\nweb-02\nweb-03\nweb-04\nweb-05");
    await page.getByRole("button", { name: "Preview" }).click();
    const diff = page.getByTestId("plan-diff");
    await diff.waitFor();
    expect(await diff.getByRole("heading").first().textContent()).toBe("Changes against the current plan (not saved yet)");
    expect(await diff.locator("[data-field=hosts]").textContent()).toBe('hosts: ["web-01","web-02","web-03","web-04"] → ["web-01","web-02","web-03","web-04","web-05"]');
    expect(await diff.getByTestId("diff-added").allTextContents()).toContain("+ Deploy 3.1.0 to web-05");
    expect(await diff.getByTestId("diff-removed").count()).toBe(0);
    await page.screenshot({ path: screenshotPath("insight-plan-diff-preview"), fullPage: true });

    await page.getByRole("button", { name: "Finalise" }).click();
    await page.waitForURL(new RegExp(`/rollouts/${id}$`));
    const onPage = page.getByTestId("plan-diff");
    await onPage.waitFor();
    expect(await onPage.getByRole("heading").first().textContent()).toBe("Changed at the last finalise (plan 2)");
    expect(await onPage.getByTestId("diff-added").allTextContents()).toContain("+ Deploy 3.1.0 to web-05");
    await page.screenshot({ path: screenshotPath("insight-plan-diff-rollout") });
    const plans = (await ctx.server.api<Json>("GET", `/api/rollouts/${id}/plans`)).body.plans;
    expect(plans).toHaveLength(2);
    expect(plans[1].diff.config.map((c: Json) => c.field)).toEqual(["hosts"]);
    expect(errors).toEqual([]);
  });
});

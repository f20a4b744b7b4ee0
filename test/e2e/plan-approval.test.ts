// Approving a plan on the rollout page: the plan's diff since the plan that was
// approved, Approve bound to the plan's hash, four eyes shown before a click,
// and a gate that needs two approvals with its countdown.
import { beforeAll, describe, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { serverAndBrowser, screenshotPath } from "../helpers/browser";

const ctx = serverAndBrowser({
  env: {
    KETTLE_ROLLOUT_CLS: "fixtures:ApprovedTreeRollout,fixtures:TreeRollout",
    KETTLE_AUTH: "proxy",
    KETTLE_USER_HEADER: "X-Kettle-User",
    KETTLE_OPERATORS: "alice,bob,carol",
    KETTLE_ROLLOUT_REFRESH_TIMEOUT: "300",
  },
});
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const as = (user: string) => ({ "X-Kettle-User": user });
const errors: string[] = [];
async function pageAs(browser: Browser, user: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1100 }, extraHTTPHeaders: { "x-kettle-user": user } });
  const page = await context.newPage();
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  return page;
}
let carol: Page;
let alice: Page;
beforeAll(async () => {
  [carol, alice] = await Promise.all([pageAs(ctx.browser, "carol"), pageAs(ctx.browser, "alice")]);
});

describe("plan approval on the page", () => {
  test("carol sees what changed since the approved plan and approves it; alice, who made it, cannot", async () => {
    const created = await ctx.server.api<Json>("POST", "/api/rollouts", { kind: "fixtures:ApprovedTreeRollout", config: { tree: { seq: [{ noop: "web 1.4" }, { delay: 1 }] } } }, as("alice"));
    const id = created.body.id as number;
    expect((await ctx.server.api("POST", `/api/rollouts/${id}/plan/approve`, { planHash: created.body.planApproval.planHash, comment: "1.4 is fine" }, as("bob"))).status).toBe(200);
    expect((await ctx.server.api("PUT", `/api/rollouts/${id}`, { config: { tree: { seq: [{ noop: "web 1.5" }, { delay: 1 }] } } }, as("alice"))).status).toBe(200);

    await carol.goto(`${ctx.server.url}/rollouts/${id}`);
    const panel = carol.getByTestId("plan-approval");
    await expect.poll(() => panel.getByTestId("plan-approval-state").textContent()).toBe("0 of 2 approvals: 2 missing");
    await expect.poll(() => panel.getByTestId("diff-changed").textContent()).toBe("~ web 1.4 → web 1.5");
    expect(await carol.getByRole("button", { name: "Run", exact: true }).isDisabled()).toBe(true);
    expect(await carol.getByTestId("run-reason").textContent()).toBe("Run refused: Its plan needs 2 approvals (four eyes): 2 missing");
    await panel.getByLabel("Comment (optional, kept on record)").fill("1.5 has the fix");
    await panel.getByTestId("approve-plan").click();
    await expect.poll(() => panel.getByTestId("plan-approval-state").textContent(), { timeout: 10_000 }).toBe("1 of 2 approvals: 1 missing");
    await expect.poll(() => panel.getByTestId("plan-approvals").textContent()).toMatch(/^carol: “1.5 has the fix”/);
    await carol.screenshot({ path: screenshotPath("plan-approval"), fullPage: true });

    await alice.goto(`${ctx.server.url}/rollouts/${id}`);
    const mine = alice.getByTestId("plan-approval");
    await mine.waitFor();
    expect(await mine.getByTestId("approve-plan").isDisabled()).toBe(true);
    expect(await mine.textContent()).toContain("Four eyes: you created the rollout, so someone else must approve it");
    expect(errors).toEqual([]);
  });

  test("a gate that needs two approvals shows who approved and counts its timeout down", async () => {
    const created = await ctx.server.api<Json>("POST", "/api/rollouts", { kind: "fixtures:TreeRollout", config: { tree: { approval: "Ship to everyone?", approvals: 2, timeoutMinutes: 30 } } }, as("alice"));
    const id = created.body.id as number;
    expect((await ctx.server.api("POST", `/api/rollouts/${id}/run`, undefined, as("alice"))).status).toBe(202);
    await carol.goto(`${ctx.server.url}/rollouts/${id}`);
    const needs = carol.getByTestId("gate-needs");
    await needs.waitFor({ timeout: 20_000 });
    expect(await needs.textContent()).toMatch(/Needs 2 approvals/);
    await expect.poll(() => carol.getByTestId("gate-timeout").textContent()).toMatch(/^Times out in (30|29) min, then rejects$/);
    await carol.getByTestId("approval").getByRole("button", { name: "Approve" }).click();
    await expect.poll(() => needs.textContent(), { timeout: 10_000 }).toMatch(/1 given: carol/);
    // carol counts once: her Approve is off now, with why.
    expect(await carol.getByTestId("approval").getByRole("button", { name: "Approve" }).isDisabled()).toBe(true);
    expect(await carol.getByTestId("approval").textContent()).toContain("You have approved it: it needs approvals from other people");
    await carol.screenshot({ path: screenshotPath("gate-two-approvals"), fullPage: true });
    expect(errors).toEqual([]);
  });
});

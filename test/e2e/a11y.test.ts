// Accessibility: axe-core (WCAG 2 A and AA rules) over every page of the
// production build, light and dark, with a rollout running on its page (its
// log and a task's log open, an approval gate waiting). Stays at zero violations.
import { createRequire } from "node:module";
import fs from "node:fs";
import { beforeAll, describe, expect, test } from "vitest";
import type { Page } from "playwright-core";
import { serverAndBrowser } from "../helpers/browser";
import { waitFor } from "../helpers/db";

const ctx = serverAndBrowser({ env: { KETTLE_ROLLOUT_CLS: "fixtures:TreeRollout,demo:DemoRollout" } });
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Violation = { id: string; impact: string; help: string; nodes: { target: string[]; failureSummary: string }[] };

let running = 0;
let finished = 0;
let notStarted = 0;
const created = async (tree: unknown) => {
  const r = await ctx.server.api<Json>("POST", "/api/rollouts", { config: { tree } });
  expect(r.status).toBe(201);
  return r.body.id as number;
};

beforeAll(async () => {
  finished = await created({ seq: [{ noop: "prepare" }, { chatty: 2, everyMs: 10 }] });
  await ctx.server.api("POST", `/api/rollouts/${finished}/run`);
  await waitFor(async () => (await ctx.server.api<Json>("GET", `/api/rollouts/${finished}`)).body.status === "finished", { what: "the first rollout to finish" });
  running = await created({ seq: [{ noop: "prepare" }, { chatty: 3, everyMs: 10 }, { par: [{ delay: 600 }, { approval: "Go on with wave 2?" }] }, { noop: "finish" }] });
  await ctx.server.api("POST", `/api/rollouts/${running}/run`);
  await waitFor(async () => (await ctx.server.api<Json>("GET", `/api/rollouts/${running}`)).body.waitingFor?.length === 1, { what: "the gate to wait" });
  notStarted = await created({ seq: [{ noop: "prepare" }, { delay: 5 }] });
});

/** Every page, and what to do on it before the check (open what is folded). */
const pages: [string, () => string, ((page: Page) => Promise<void>)?][] = [
  ["Home", () => "/"],
  ["All", () => "/rollouts"],
  ["New", () => "/rollouts/new?kind=demo:DemoRollout"],
  [
    "a running rollout",
    () => `/rollouts/${running}`,
    async (page) => {
      await page.getByTestId("live-mode").filter({ hasText: "streaming changes" }).waitFor();
      await page.getByTestId("log-Rollout log").getByText("Rollout started").waitFor();
      await page.getByRole("button", { name: /^Logs of Log 3 lines/ }).click(); // a task's log too
      await page.getByText("line 3 of 3").waitFor();
    },
  ],
  ["a finished rollout", () => `/rollouts/${finished}`, async (page) => void (await page.getByTestId("log-Rollout log").getByText("Rollout finished").waitFor())],
  ["a rollout not run yet", () => `/rollouts/${notStarted}`],
  ["Edit", () => `/rollouts/${notStarted}/edit`],
  ["Audit", () => "/audit"],
  ["API tokens", () => "/tokens"],
  ["Webhooks", () => "/webhooks"],
  ["Freeze windows", () => "/freezes"],
  ["API", () => "/api"],
  ["Not found", () => "/rollouts/999999"],
];

describe.each(["light", "dark"] as const)("axe-core, %s", (colorScheme) => {
  test.each(pages)("%s: no WCAG 2 A/AA violation", async (_name, path, prepare) => {
    const context = await ctx.browser.newContext({ colorScheme, viewport: { width: 1280, height: 1000 }, bypassCSP: true });
    try {
      const page = await context.newPage();
      await page.goto(`${ctx.server.url}${path()}`);
      await prepare?.(page);
      await page.addScriptTag({ content: axeSource });
      const violations = await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Violation[] }> } }).axe;
        const r = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
      });
      expect(violations).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

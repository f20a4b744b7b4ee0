// Several rollout pages opened before Run follow a run to its end: every line
// of the rollout log is shown once on each page (the first fetch, the stream
// and React's development double effects race to deliver it), and no page
// logs a console error. Shared by the production and development server tests.
import { expect } from "vitest";
import type { Browser, Page } from "playwright-core";

type Api = <T = unknown>(method: string, pathname: string, body?: unknown) => Promise<{ status: number; body: T }>;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A run with approval gates: the rollout log gets lines while the pages watch (started, approved …, finished). */
export const gatedTree = { seq: [{ noop: "prepare" }, { approval: "First wave looks good?" }, { delay: 1 }, { approval: "Second wave looks good?" }, { noop: "finish" }] };

export async function followLogOnEveryPage(opts: { browser: Browser; url: string; api: Api; kind?: string; pages: number; timeoutMs: number }) {
  const { browser, url, api, timeoutMs } = opts;
  const created = await api<Json>("POST", "/api/rollouts", { ...(opts.kind ? { kind: opts.kind } : {}), config: { tree: gatedTree } });
  expect(created.status).toBe(201);
  const id: number = created.body.id;
  const problems: string[] = [];
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  try {
    const open = async (n: number): Promise<Page> => {
      const page = await context.newPage();
      page.on("pageerror", (e) => problems.push(`page ${n}: ${e.message}`));
      page.on("console", (m) => m.type() === "error" && problems.push(`page ${n} console: ${m.text()}`));
      // Watching before Run: its event stream answered.
      const streaming = page.waitForResponse((r) => r.url().includes(`/api/rollouts/${id}/events`), { timeout: timeoutMs });
      await page.goto(`${url}/rollouts/${id}`, { timeout: timeoutMs });
      await streaming;
      return page;
    };
    const pages = await Promise.all(Array.from({ length: opts.pages }, (_, n) => open(n + 1)));
    await pages[0].getByRole("button", { name: "Run" }).click();
    // Each gate approved through the API once it waits, while the pages follow the log.
    for (const gate of [2, 4]) {
      await expect.poll(async () => (await api<Json>("GET", `/api/rollouts/${id}`)).body.waitingFor?.[0]?.taskId, { timeout: timeoutMs }).toBe(gate);
      expect((await api("POST", `/api/rollouts/${id}/tasks/${gate}/approve`, { comment: "looks good" })).status).toBe(200);
    }
    const expected = (await waitForLog(api, id, "Rollout finished", timeoutMs)).map((l) => l.line);
    for (const [n, page] of pages.entries()) {
      const log = page.getByTestId("log-Rollout log");
      await expect.poll(() => log.textContent(), { timeout: timeoutMs }).toContain("Rollout finished");
      // A line is a span holding its time stamp (a span) and its text.
      const shown = await log.evaluate((el) => [...el.children].filter((c) => c.firstElementChild?.tagName === "SPAN").map((c) => c.lastChild?.textContent ?? ""));
      expect(shown, `page ${n + 1}: each line once, in order`).toEqual(expected);
    }
    expect(problems).toEqual([]);
    return { id, lines: expected.length };
  } finally {
    await context.close();
  }
}

/** The rollout log from the API, once it holds `last`. */
async function waitForLog(api: Api, id: number, last: string, timeoutMs: number): Promise<{ id: number; line: string }[]> {
  let lines: { id: number; line: string }[] = [];
  await expect
    .poll(
      async () => {
        lines = (await api<{ lines: { id: number; line: string }[] }>("GET", `/api/rollouts/${id}/logs/rollout?format=json`)).body.lines;
        return lines.map((l) => l.line).join("\n");
      },
      { timeout: timeoutMs },
    )
    .toContain(last);
  return lines;
}

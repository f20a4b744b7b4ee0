// `npm run dev` as a rollout author uses it: hot reload through the custom
// server, a page opened at 127.0.0.1 that hydrates, a form that works without
// JavaScript (by POST, never putting the config in a URL), and rollouts/ edited
// while the server runs. One dev server (in a temporary copy of the checkout) for all.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { startDevServer, type DevServer } from "../helpers/dev-server";
import { launchBrowser, screenshotPath } from "../helpers/browser";
import { waitFor } from "../helpers/db";
import { followLogOnEveryPage } from "../helpers/log-once";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let dev: DevServer;
let browser: Browser;

beforeAll(async () => {
  [dev, browser] = await Promise.all([startDevServer({ KETTLE_ROLLOUT_CLS: "demo:DemoRollout,rollout:MyRollout,fixtures:TreeRollout", HOSTNAME: "0.0.0.0" }), launchBrowser()]);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await dev?.stop();
});

/** Asks for a WebSocket upgrade of /_next/hmr; resolves with the status of the answer. */
function hmrUpgrade(): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${dev.url}/_next/hmr`, {
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        Origin: dev.url,
      },
      timeout: 30_000,
    });
    req.on("upgrade", (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy(new Error("no answer to the upgrade")));
    req.on("error", reject);
    req.end();
  });
}

const total = async () => (await dev.api<Json>("GET", "/api/rollouts?perPage=1")).body.total as number;

describe("development server", { timeout: 150_000 }, () => {
  it("answers the hot-reload WebSocket upgrade with 101, before and after it served a page", async () => {
    expect(await hmrUpgrade()).toBe(101);
    expect((await fetch(`${dev.url}/api/rollouts`)).status).toBe(200);
    expect(await hmrUpgrade()).toBe(101);
  });

  it("a page opened at 127.0.0.1 hydrates, and its hot-reload socket connects", async () => {
    const page = await browser.newPage();
    try {
      const hmr = new Promise<string>((resolve) => page.on("websocket", (ws) => ws.url().includes("/_next/hmr") && ws.on("framereceived", () => resolve(ws.url()))));
      await page.goto(`${dev.url}/rollouts/new?kind=demo:DemoRollout`, { timeout: 120_000 });
      await page.locator("form[data-hydrated=true]").waitFor({ timeout: 120_000 });
      expect(await hmr).toContain("127.0.0.1");
    } finally {
      await page.close();
    }
  });

  it("pages opened before Run follow the run: every rollout log line shown once, no console error (React's double effects included)", async () => {
    const { lines } = await followLogOnEveryPage({ browser, url: dev.url, api: dev.api, kind: "fixtures:TreeRollout", pages: 3, timeoutMs: 120_000 });
    expect(lines).toBeGreaterThanOrEqual(4); // started, two approvals, finished
  });

  it("without JavaScript, the form creates the rollout by POST; the config stays out of the URL", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      const methods: string[] = [];
      page.on("request", (r) => r.isNavigationRequest() && methods.push(r.method()));
      await page.goto(`${dev.url}/rollouts/new?kind=demo:DemoRollout`, { timeout: 120_000 });
      // A mistake first: the page comes back with the message beside the field and what was typed.
      await page.getByRole("textbox", { name: "Version", exact: true }).fill("3.1.4");
      await page.getByRole("textbox", { name: "Hosts", exact: true }).fill("web-01\nnot a host");
      await page.getByRole("button", { name: "Finalise" }).click();
      await page.getByTestId("error-hosts").waitFor();
      expect(await page.getByTestId("error-hosts").textContent()).toContain("Line 2: Not a host name");
      expect(await page.getByRole("textbox", { name: "Version", exact: true }).inputValue()).toBe("3.1.4");
      // Fixed, Finalise creates it and goes to its page.
      await page.getByRole("textbox", { name: "Hosts", exact: true }).fill("web-01\nweb-02");
      await page.getByRole("button", { name: "Finalise" }).click();
      await page.waitForURL(/\/rollouts\/\d+$/, { timeout: 60_000 });
      expect(methods).toContain("POST");
      expect(page.url()).not.toMatch(/3\.1\.4|web-0/);
      const id = Number(/\/rollouts\/(\d+)$/.exec(page.url())![1]);
      const created = await dev.api<Json>("GET", `/api/rollouts/${id}`);
      expect(created.body.config.version).toBe("3.1.4");
      expect(created.body.config.hosts).toEqual(["web-01", "web-02"]);
    } finally {
      await context.close();
    }
  });

  it("a GET of /rollouts/new with a config in its query creates nothing", async () => {
    const before = await total();
    const res = await fetch(`${dev.url}/rollouts/new?kind=demo:DemoRollout&version=9.9.9&hosts=web-01&intent=finalise`);
    expect(res.status).toBe(200);
    await res.text();
    expect(await total()).toBe(before);
  });

  it("the New page shows the changed form at once when the rollout's module changes, without a reload", async () => {
    const file = path.join(dev.dir, "rollouts", "rollout.ts");
    const write = (name: string, title: string) =>
      fs.writeFileSync(
        file,
        `import { z } from "zod";\nimport { Rollout, DelayTask } from "@/lib/kettle";\n` +
          `export class MyRollout extends Rollout {\n  static configSchema = z.object({ ${name}: z.string().default("x").meta({ title: "${title}" }) });\n` +
          `  generateTasks() {\n    return new DelayTask({ seconds: 1 });\n  }\n}\n`,
      );
    write("greeting", "Greeting");
    await waitFor(async () => (await dev.api<Json>("POST", "/api/rollouts/preview", { kind: "rollout:MyRollout" })).body.config?.greeting === "x");
    const page = await browser.newPage();
    try {
      const watching = page.waitForResponse((r) => r.url().includes("/api/dev/rollouts"), { timeout: 60_000 });
      await page.goto(`${dev.url}/rollouts/new?kind=rollout:MyRollout`, { timeout: 120_000 });
      await page.locator("form[data-hydrated=true]").waitFor({ timeout: 120_000 });
      await page.getByRole("textbox", { name: "Greeting" }).waitFor();
      await watching;
      await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42)); // gone if the page reloads
      write("farewell", "Farewell");
      await page.getByRole("textbox", { name: "Farewell" }).waitFor({ timeout: 30_000 });
      expect(await page.getByRole("textbox", { name: "Greeting" }).count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    } finally {
      await page.close();
    }
  });

  it("editing rollouts/rollout.ts changes what the next finalise and run do, with no restart", async () => {
    const file = path.join(dev.dir, "rollouts", "rollout.ts");
    const write = (v: string) =>
      fs.writeFileSync(
        file,
        `import { Rollout, Task } from "@/lib/kettle";\n` +
          `export class Step extends Task<{ n: number }> {\n  run() {\n    return "ran ${v}";\n  }\n  description() {\n    return "Step ${v}";\n  }\n}\n` +
          `export class MyRollout extends Rollout {\n  generateTasks() {\n    return new Step({ n: 1 });\n  }\n}\n`,
      );
    const finaliseAndRun = async () => {
      const created = await dev.api<Json>("POST", "/api/rollouts", { kind: "rollout:MyRollout" });
      expect(created.status).toBe(201);
      expect((await dev.api("POST", `/api/rollouts/${created.body.id}/run`)).status).toBe(202);
      return waitFor(async () => {
        const r = (await dev.api<Json>("GET", `/api/rollouts/${created.body.id}`)).body;
        return r.status === "finished" && r;
      });
    };
    write("one");
    // The change is seen at the next use (the watcher may take a moment to notice the write).
    await waitFor(async () => (await dev.api<Json>("POST", "/api/rollouts/preview", { kind: "rollout:MyRollout" })).body.tasks?.description === "Step one");
    const first = await finaliseAndRun();
    expect(first.tasks.description).toBe("Step one");
    expect(first.tasks.run.result).toBe("ran one");

    write("two");
    await waitFor(async () => (await dev.api<Json>("POST", "/api/rollouts/preview", { kind: "rollout:MyRollout" })).body.tasks?.description === "Step two");
    const second = await finaliseAndRun();
    expect(second.tasks.description).toBe("Step two");
    expect(second.tasks.run.result).toBe("ran two"); // the runner runs the new code too

    // A syntax error: the API says which file and line (422), the New page shows it, nothing is stored.
    const before = await total();
    fs.writeFileSync(file, 'import { Rollout, DelayTask } from "@/lib/kettle";\nexport class MyRollout extends Rollout {\n  generateTasks() {\n    return new DelayTask({ seconds: 1 } ;\n  }\n}\n');
    const broken = await waitFor(async () => {
      const res = await dev.api<Json>("POST", "/api/rollouts", { kind: "rollout:MyRollout" });
      return res.status === 422 && res;
    });
    expect(broken.body.error).toMatch(/rollouts\/rollout\.ts could not be loaded[\s\S]*rollouts\/rollout\.ts:4:\d+/);
    const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
    try {
      const res = await page.goto(`${dev.url}/rollouts/new?kind=rollout:MyRollout`);
      expect(res?.status()).toBe(200);
      expect(await page.getByTestId("form-error").textContent()).toMatch(/rollouts\/rollout\.ts could not be loaded[\s\S]*rollouts\/rollout\.ts:4:\d+/);
      await page.screenshot({ path: screenshotPath("author-dev-syntax-error") });
    } finally {
      await page.close();
    }
    expect(await total()).toBe(before);
  });
});

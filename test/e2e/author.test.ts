// The rollout author's loop against the production build: preview before finalise
// (API and New page), a plan that fails (422, the message with the author's file and
// line on the New page, nothing stored), and the production start that refuses a
// rollouts/ folder that differs from the build.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { startServer, type TestServer } from "../helpers/server";
import { launchBrowser, screenshotPath } from "../helpers/browser";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startServer({ env: { KETTLE_ROLLOUT_CLS: "demo:DemoRollout,fixtures:FailingPlanRollout,rollout:MyRollout" } }),
    launchBrowser(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const total = async () => (await server.api<Json>("GET", "/api/rollouts?perPage=1")).body.total as number;

describe("preview", () => {
  it("POST /api/rollouts/preview answers the tree a config would generate, and saves nothing", async () => {
    const before = await total();
    const res = await server.api<Json>("POST", "/api/rollouts/preview", { kind: "demo:DemoRollout", config: { hosts: ["a", "b", "c"], version: "2.0", healthCheck: false } });
    expect(res.status).toBe(200);
    expect(res.body.config.version).toBe("2.0");
    expect(res.body.tasks.type).toBe("SequentialExecTask");
    expect(res.body.tasks.children.map((c: Json) => c.description)).toEqual(["Deploy 2.0 to a", "Delay for 5 secs", "Execute in parallel:"]);
    expect(res.body.count).toBe(6);
    expect(await total()).toBe(before);
  });

  it("refuses a config the schema refuses (400, per field) and a failing plan (422)", async () => {
    const bad = await server.api<Json>("POST", "/api/rollouts/preview", { kind: "demo:DemoRollout", config: { hosts: ["not a host"] } });
    expect(bad.status).toBe(400);
    expect(bad.body.fields["hosts.0"]).toEqual(["Not a host name"]);
    const failing = await server.api<Json>("POST", "/api/rollouts/preview", { kind: "fixtures:FailingPlanRollout", config: {} });
    expect(failing.status).toBe(422);
    expect(failing.body.error).toMatch(/no hosts given \(at rollouts\/fixtures\.ts:\d+:\d+\)/);
  });

  it("the New page's Preview button shows the tree under the form", async () => {
    const before = await total();
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    try {
      await page.goto(`${server.url}/rollouts/new?kind=demo:DemoRollout`);
      await page.locator("form[data-hydrated=true]").waitFor();
      await page.getByRole("textbox", { name: "Hosts", exact: true }).fill("web-01\nweb-02\nweb-03\nweb-04");
      await page.getByRole("button", { name: "Preview" }).click();
      const preview = page.getByTestId("preview");
      await preview.waitFor();
      expect(await preview.textContent()).toMatch(/Preview: \d+ tasks \(not saved\)/);
      expect(await page.getByTestId("preview-task").allTextContents()).toContain("Deploy 1.4.2 to web-04");
      expect(page.url()).not.toContain("web-01"); // the config never goes into a URL
      await page.screenshot({ path: screenshotPath("author-new-preview"), fullPage: true });
    } finally {
      await page.close();
    }
    expect(await total()).toBe(before);
  });

  it("the Edit page previews a changed config with the rollout's own kind, and changes nothing", async () => {
    const created = await server.api<Json>("POST", "/api/rollouts", { kind: "demo:DemoRollout", config: { hosts: ["a", "b"], healthCheck: false } });
    expect(created.status).toBe(201);
    const page = await browser.newPage();
    try {
      await page.goto(`${server.url}/rollouts/${created.body.id}/edit`);
      await page.locator("form[data-hydrated=true]").waitFor();
      await page.getByRole("textbox", { name: "Hosts", exact: true }).fill("a\nb\nc");
      await page.getByRole("button", { name: "Preview" }).click();
      await page.getByTestId("preview").waitFor();
      expect(await page.getByTestId("preview-task").allTextContents()).toContain("Deploy 1.4.2 to c");
    } finally {
      await page.close();
    }
    const after = await server.api<Json>("GET", `/api/rollouts/${created.body.id}`);
    expect(after.body.config.hosts).toEqual(["a", "b"]);
    expect(JSON.stringify(after.body.tasks)).not.toContain("Deploy 1.4.2 to c");
  });
});

describe("a plan that fails", () => {
  it("POST /api/rollouts answers 422 with the message and the author's file and line; nothing is stored", async () => {
    const before = await total();
    const res = await server.api<Json>("POST", "/api/rollouts", { kind: "fixtures:FailingPlanRollout", config: { reason: "the inventory is empty" } });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatch(/^Finalise failed in generateTasks: the inventory is empty \(at rollouts\/fixtures\.ts:\d+:\d+\)$/);
    const line = Number(/fixtures\.ts:(\d+)/.exec(res.body.error)![1]);
    expect(fs.readFileSync(path.join(process.cwd(), "rollouts/fixtures.ts"), "utf8").split("\n")[line - 1]).toContain("throw new Error(this.config.reason)");
    expect(await total()).toBe(before);
  });

  it("the New page shows the message beside the form, and keeps what was typed", async () => {
    const before = await total();
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    try {
      await page.goto(`${server.url}/rollouts/new?kind=fixtures:FailingPlanRollout`);
      await page.locator("form[data-hydrated=true]").waitFor();
      await page.getByLabel("Reason").fill("the inventory is empty");
      await page.getByRole("button", { name: "Finalise" }).click();
      await expect.poll(() => page.getByTestId("form-error").textContent()).toContain("Finalise failed in generateTasks: the inventory is empty");
      expect(await page.getByTestId("error-location").textContent()).toMatch(/^rollouts\/fixtures\.ts:\d+:\d+$/);
      expect(await page.getByLabel("Reason").inputValue()).toBe("the inventory is empty");
      expect(new URL(page.url()).pathname).toBe("/rollouts/new");
      await page.screenshot({ path: screenshotPath("author-new-error"), fullPage: true });
    } finally {
      await page.close();
    }
    expect(await total()).toBe(before);
  });
});

describe("production start", () => {
  /** A checkout whose rollouts/ we may change: the sources and the build's record of rollouts/, node_modules linked. */
  function checkoutCopy(): string {
    const root = process.cwd();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kettle-prodcheck-"));
    for (const entry of ["scripts", "rollouts", "package.json"]) fs.cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
    fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
    fs.mkdirSync(path.join(dir, ".next"));
    fs.copyFileSync(path.join(root, ".next", "kettle-rollouts.json"), path.join(dir, ".next", "kettle-rollouts.json"));
    fs.cpSync(path.join(root, ".next", "kettle"), path.join(dir, ".next", "kettle"), { recursive: true });
    return dir;
  }

  function start(dir: string): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve) => {
      const proc = spawn(process.execPath, ["scripts/start.mjs"], {
        cwd: dir,
        env: { ...process.env, NODE_ENV: "production", KETTLE_AUTH: "none", KETTLE_SECRET_KEY: "test-secret-key-0123456789", KETTLE_DATABASE_URL: `file:${path.join(dir, "k.sqlite")}`, PORT: "0", KETTLE_DIST_DIR: "" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      proc.stdout.on("data", (d) => (output += d));
      proc.stderr.on("data", (d) => (output += d));
      proc.on("exit", (code) => resolve({ code, output }));
    });
  }

  it("is refused when a module was added to rollouts/ or changed after the build, naming the files", async () => {
    const dir = checkoutCopy();
    try {
      fs.writeFileSync(path.join(dir, "rollouts", "extra.ts"), 'import { Rollout, DelayTask } from "@/lib/kettle";\nexport class Extra extends Rollout {\n  generateTasks() {\n    return new DelayTask({ seconds: 1 });\n  }\n}\n');
      fs.appendFileSync(path.join(dir, "rollouts", "rollout.ts"), "\n// changed\n");
      const { code, output } = await start(dir);
      expect(code).toBe(1);
      expect(output).toContain("rollouts/ differs from what the build contains");
      expect(output).toContain("added since the build: rollouts/extra.ts");
      expect(output).toContain("changed since the build: rollouts/rollout.ts");
      expect(output).toContain("Run `npm run build`");
      expect(output).not.toContain("Kettle ready");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

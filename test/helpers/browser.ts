// Debian's Chromium driven by playwright-core (no browser download here).
import { afterAll, beforeAll } from "vitest";
import { chromium, type Browser } from "playwright-core";
import { startServer, type ServerOptions, type TestServer } from "./server";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const outputDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../test-output");

export async function launchBrowser(): Promise<Browser> {
  // playwright gives the browser a fresh temporary profile of its own
  // (it refuses --user-data-dir here: that is launchPersistentContext's job).
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export function screenshotPath(name: string): string {
  fs.mkdirSync(outputDir, { recursive: true });
  return path.join(outputDir, `${name}.png`);
}

/**
 * Starts a server (production build) and a browser for a test file's tests and
 * stops both after them. The returned object is filled in by beforeAll.
 */
export function serverAndBrowser(options: ServerOptions = {}): { server: TestServer; browser: Browser } {
  const ctx = {} as { server: TestServer; browser: Browser };
  beforeAll(async () => {
    [ctx.server, ctx.browser] = await Promise.all([startServer(options), launchBrowser()]);
  });
  afterAll(async () => {
    await ctx.browser?.close();
    await ctx.server?.stop();
  });
  return ctx;
}

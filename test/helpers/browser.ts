// Debian's Chromium driven by playwright-core (no browser download here).
import { chromium, type Browser } from "playwright-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const outputDir = path.resolve(__dirname, "../../test-output");

export async function launchBrowser(): Promise<Browser> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kettle-chromium-"));
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
      `--user-data-dir=${userDataDir}`,
    ],
  });
}

export function screenshotPath(name: string): string {
  fs.mkdirSync(outputDir, { recursive: true });
  return path.join(outputDir, `${name}.png`);
}

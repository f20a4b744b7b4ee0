// Starts `npm run dev` (server.ts in development) in a temporary copy of the
// checkout, so that a test may edit rollouts/ freely. node_modules is hard-linked
// (Turbopack refuses a node_modules symlinked from outside the project).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { callApi, freePort } from "./server";

export type DevServer = {
  url: string;
  port: number;
  dir: string;
  proc: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
  api<T = unknown>(method: string, pathname: string, body?: unknown): Promise<{ status: number; body: T }>;
};

const sources = ["app", "components", "lib", "rollouts", "drizzle", "server.ts", "next.config.mjs", "package.json", "package-lock.json", "tsconfig.json", "tsconfig.next.json", "postcss.config.mjs"];

export async function startDevServer(env: Record<string, string> = {}): Promise<DevServer> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kettle-dev-"));
  for (const entry of sources) if (fs.existsSync(path.join(root, entry))) fs.cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
  execFileSync("cp", ["-al", path.join(root, "node_modules"), path.join(dir, "node_modules")]);
  const port = await freePort();
  const childEnv: Record<string, string | undefined> = { ...process.env };
  delete childEnv.NODE_ENV; // vitest sets "test"; the dev server is development
  let out = "";
  const proc = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    cwd: dir,
    env: {
      ...(childEnv as Record<string, string>),
      KETTLE_DATABASE_URL: `file:${path.join(dir, "kettle.sqlite")}`,
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      NEXT_TELEMETRY_DISABLED: "1",
      ...env,
    } as unknown as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Dev server did not start in 90 s:\n${out}`)), 90_000);
    proc.stdout!.on("data", () => {
      if (/Kettle ready/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Dev server exited with ${code}:\n${out}`));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    dir,
    proc,
    output: () => out,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
    api: (method, pathname, body) => callApi(url, method, pathname, body),
  };
}

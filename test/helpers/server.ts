// Starts the real server (production build) as a child process on a free port.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export type TestServer = {
  url: string;
  port: number;
  dbUrl: string;
  dir: string;
  proc: ChildProcess;
  output: () => string;
  /** Graceful stop (SIGTERM), waiting for exit. */
  stop(): Promise<void>;
  /** SIGKILL, waiting for exit. */
  kill(): Promise<void>;
  api<T = unknown>(method: string, pathname: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T }>;
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "kettle-srv-"));
}

export type ServerOptions = {
  env?: Record<string, string>;
  dir?: string;
  dbUrl?: string;
  port?: number;
  /** Extra node flags, e.g. ["--cpu-prof"] for a profile. */
  nodeArgs?: string[];
  /** Headers every `api()` call sends unless it names them itself (e.g. the proxy's user header). */
  headers?: Record<string, string>;
};

/** The node arguments of package.json's start script ("node --flag scripts/start.mjs" → ["--flag", "scripts/start.mjs"]). */
export function startArgs(root: string): string[] {
  const start = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts.start as string;
  const words = start.trim().split(/\s+/);
  if (words[0] !== "node") throw new Error(`package.json's start script should run node, not: ${start}`);
  return words.slice(1);
}

/** Starts the production build (as `npm start` does) on a free loopback port with a temp database. */
export async function startServer(opts: ServerOptions = {}): Promise<TestServer> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
  const distDir = opts.env?.KETTLE_DIST_DIR ?? process.env.KETTLE_DIST_DIR ?? ".next";
  if (!fs.existsSync(path.join(root, distDir, "BUILD_ID")) || !fs.existsSync(path.join(root, distDir, "kettle", "server.mjs"))) {
    throw new Error(`No production build in ${distDir}: run \`npm run build\` first (npm test does)`);
  }
  const dir = opts.dir ?? tempDir();
  const dbUrl = opts.dbUrl ?? `file:${path.join(dir, "kettle.sqlite")}`;
  const port = opts.port ?? (await freePort());
  let out = "";
  // Exactly as `npm start` runs it: the compiled server, node alone, with the start script's node flags.
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), ...startArgs(root)], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: "production",
      KETTLE_SECRET_KEY: "test-secret-key-0123456789",
      KETTLE_AUTH: "none",
      KETTLE_DATABASE_URL: dbUrl,
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      NEXT_TELEMETRY_DISABLED: "1",
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Server did not start in 60 s:\n${out}`)), 60_000);
    const check = () => {
      if (/Kettle ready/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on("data", check);
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Server exited with ${code}:\n${out}`));
    });
  });
  const basePath = opts.env?.KETTLE_BASE_PATH ?? "";
  const url = `http://127.0.0.1:${port}${basePath}`;
  return {
    url,
    port,
    dbUrl,
    dir,
    proc,
    output: () => out,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
      await exited;
    },
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
      await exited;
    },
    api: (method, pathname, body, headers = {}) => callApi(url, method, pathname, body, { ...opts.headers, ...headers }),
  };
}

/** One JSON call to a test server: the status and the body (parsed when it is JSON, else the text). */
export async function callApi<T>(base: string, method: string, pathname: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(base + pathname, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // a text body (logs)
  }
  return { status: res.status, body: parsed as T };
}

// The custom server: Next.js (dev or production) on PORT, plus the background
// runner in the same process. They share nothing but the database.
import "dotenv/config";
import { tuneHeap } from "./lib/kettle/heap";
tuneHeap(); // before the heap grows (lib/kettle/heap.ts says why)
import { createServer, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { register } from "node:module";
import { pathToFileURL } from "node:url";
import next from "next";
import { parseSettings, SettingsError } from "./lib/kettle/settings";
import { readyDb, migrateDb } from "./lib/kettle/store/db";
import { shareRegistry } from "./lib/kettle/registry";
import { rolloutsDir } from "./lib/kettle/author-files";
import { checkRollouts, checkBuildMatches } from "./lib/kettle/check";
import { Runner } from "./lib/kettle/runner";
import { OutboxDelivery } from "./lib/kettle/outbox";
import { securityHeaders } from "./lib/web/security-headers";
import { gatePage } from "./lib/auth/gate";
import { serveCachedStatus } from "./lib/web/status-fast-path";
import { answerBadPath } from "./lib/web/path-guard";
import { apiRoutes } from "./lib/web/openapi";

type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => Promise<void> | void;

async function main() {
  const started = Date.now();
  const settings = parseSettings();
  if (settings.userHeader && settings.auth.mode !== "proxy") {
    console.warn(`> KETTLE_USER_HEADER is set but KETTLE_AUTH=${settings.auth.mode}: the header is ignored (set KETTLE_AUTH=proxy to trust it)`);
  }
  const dev = !settings.production;
  // Production runs the rollouts/ that `npm run build` type-checked, nothing else.
  if (!dev) checkBuildMatches(process.env.KETTLE_DIST_DIR || ".next");
  // rollouts/ is loaded here, once per process, and the pages use this copy (registry.ts).
  // In development a changed module is loaded afresh at its next use.
  if (dev) register("./lib/kettle/reload-hooks.mjs", import.meta.url, { data: { rolloutsUrl: pathToFileURL(rolloutsDir()).href } });
  shareRegistry({ reload: dev });
  // Fail at start, with a clear message, rather than at the first click. In development
  // the problems are shown where they matter (the New page, the API) and fixed without a restart.
  const problems = await checkRollouts(settings.rolloutClasses);
  if (problems.length) {
    if (!dev) throw new SettingsError(problems.join("\n\n"));
    console.warn(`\n${problems.join("\n\n")}\n(development: the server starts anyway; fix the files and it picks them up)\n`);
  }

  const db = await readyDb(settings.databaseUrl, settings.databaseAuthToken);
  await migrateDb(db);

  const app = next({ dev, hostname: settings.hostname, port: settings.port, turbopack: dev });
  const handle = app.getRequestHandler();
  await app.prepare();

  const runner = new Runner(db, {
    id: settings.instanceName,
    leaseMs: settings.leaseMs,
    pollMs: settings.pollMs,
    signalPollMs: settings.signalPollMs,
    log: (line) => console.log(line),
  }).start();
  // Webhooks: delivers the outbox (events written by triggers with the changes that cause them).
  const outbox = new OutboxDelivery(db, { owner: runner.id, ...settings.webhooks, log: (line) => console.log(line) }).start();
  // An in-process speed-up: the web side wakes the runner after a run request.
  (globalThis as Record<symbol, unknown>)[Symbol.for("kettle.wakeRunner")] = () => runner.wake();

  const headers = securityHeaders({ dev, checklistUrl: settings.checklistUrl });
  let routes: ReturnType<typeof apiRoutes> | undefined;
  const server = createServer((req, res) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    // Facts only this server knows, replacing anything a client sent under these names.
    req.headers["x-kettle-remote-address"] = req.socket.remoteAddress ?? "";
    req.headers["x-kettle-path"] = req.url ?? "/";
    // A path that does not decode, an unknown API path or method: answered here (path-guard.ts says why).
    if (answerBadPath(req, res, settings.basePath, () => (routes ??= apiRoutes()))) return;
    // A cached status poll is answered at once (status-fast-path.ts); then the sign-in gate for pages; then Next.js.
    serveCachedStatus(db, req, res)
      .then((answered) => answered || gatePage(db, req, res))
      .then(
        (answered) => {
          if (!answered) void handle(req, res);
        },
        (e) => {
          console.error(e);
          res.statusCode = 500;
          res.end("Internal error: see the server's log");
        },
      );
  });
  // Hot reload's WebSocket (/_next/hmr) goes to Next.js. In custom-server mode Next attaches an
  // upgrade listener of its own only at the first request it serves, and app.getUpgradeHandler()
  // is a no-op there (Next 16): until Next's listener is in place, hand upgrades to its router's
  // handler; from then on Next's answers, so each upgrade is handled once.
  if (dev) {
    const upgrade = (app as unknown as { upgradeHandler?: UpgradeHandler }).upgradeHandler ?? app.getUpgradeHandler();
    const ours = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (server.listeners("upgrade").some((l) => l !== ours)) return;
      void upgrade(req, socket, head);
    };
    server.on("upgrade", ours);
  }
  server.listen(settings.port, settings.hostname, () => {
    const shown = settings.hostname === "0.0.0.0" ? "localhost" : settings.hostname;
    console.log(
      `> Kettle ready on http://${shown}:${settings.port}${settings.basePath} (${dev ? "development" : "production"}, ` +
        `instance ${runner.id}, sign-in: ${settings.auth.mode}, started in ${Date.now() - started} ms)`,
    );
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`> ${signal}: stopping; handing over running rollouts`);
    const force = setTimeout(() => process.exit(1), 8000);
    server.close();
    server.closeAllConnections?.();
    await Promise.all([runner.stop(), outbox.stop()]);
    clearTimeout(force);
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((e) => {
  if (e instanceof SettingsError) console.error(`\n${e.message}\n`);
  else console.error(e);
  process.exit(1);
});

// The custom server: Next.js (dev or production) on PORT, plus the background
// runner in the same process. They share nothing but the database.
import "dotenv/config";
import { tuneHeap } from "./lib/kettle/runner/heap";
tuneHeap(); // before the heap grows (lib/kettle/runner/heap.ts says why)
import { createServer, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { register } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import next from "next";
import { parseSettings, SettingsError } from "./lib/kettle/settings";
import { readyDb } from "./lib/kettle/store/db";
import { migrateDb } from "./lib/kettle/store/migrations";
import { shareRegistry } from "./lib/kettle/modules/registry";
import { rolloutsDir } from "./lib/kettle/modules/author-files";
import { checkRollouts, checkBuildMatches } from "./lib/kettle/modules/check";
import { Runner } from "./lib/kettle/runner/runner";
import { OutboxDelivery } from "./lib/kettle/outbound/outbox";
import { Scheduler } from "./lib/kettle/schedule/scheduler";
import { securityHeaders } from "./lib/web/security-headers";
import { shareConfigDescriber } from "./lib/web/config-form";
import { gatePage } from "./lib/auth/gate";
import { serveCachedStatus } from "./lib/web/status-fast-path";
import { answerBadPath } from "./lib/web/path-guard";
import { apiRoutes } from "./lib/web/openapi";
import { serveHealth } from "./lib/web/health";
import { readinessProblems } from "./lib/kettle/runner/readiness";

/** The longest a shutdown takes before the process exits anyway (orchestrators' grace periods are longer: Kubernetes' default is 30 s). */
const SHUTDOWN_GRACE_MS = 8000;

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
  // `npm run build` compiles this file with rollouts/ beside it (scripts/build-server.ts); `npm run dev` runs the source.
  const compiledDir = import.meta.url.endsWith(".mjs") ? path.dirname(fileURLToPath(import.meta.url)) : undefined;
  if (dev && compiledDir) throw new SettingsError("The compiled server is for production: set NODE_ENV=production (npm start), or run the sources with `npm run dev`.");
  if (dev) register("./lib/kettle/modules/reload-hooks.mjs", import.meta.url, { data: { rolloutsUrl: pathToFileURL(rolloutsDir()).href } });
  shareRegistry({ reload: dev, compiledDir });
  shareConfigDescriber();
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
  // Scheduled runs (issue 21): started at their time by whichever instance claims them first.
  const scheduler = new Scheduler(db, { pollMs: Math.min(500, settings.pollMs * 2), log: (line) => console.log(line), wake: () => runner.wake() }).start();
  // An in-process speed-up: the web side wakes the runner after a run request.
  (globalThis as Record<symbol, unknown>)[Symbol.for("kettle.wakeRunner")] = () => runner.wake();

  // SIGTERM makes /readyz answer 503 at once, while the runner hands its rollouts over.
  const lifecycle = { stopping: false };
  const ready = () => readinessProblems(db, runner, lifecycle);
  const headers = securityHeaders({ dev, checklistUrl: settings.checklistUrl });
  let routes: ReturnType<typeof apiRoutes> | undefined;
  const server = createServer((req, res) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    // Facts only this server knows, replacing anything a client sent under these names.
    req.headers["x-kettle-remote-address"] = req.socket.remoteAddress ?? "";
    req.headers["x-kettle-path"] = req.url ?? "/";
    // A path that does not decode, an unknown API path or method: answered here (path-guard.ts says why).
    if (answerBadPath(req, res, settings.basePath, () => (routes ??= apiRoutes()))) return;
    // Probes (no sign-in); a cached status poll is answered at once (status-fast-path.ts); then the sign-in gate for pages; then Next.js.
    serveHealth(req, res, ready)
      .then((answered) => answered || serveCachedStatus(db, req, res))
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

  const shutdown = async (signal: string) => {
    if (lifecycle.stopping) return;
    lifecycle.stopping = true; // /readyz: 503 from now on
    console.log(`> ${signal}: stopping; handing over running rollouts`);
    const force = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS);
    // No new claims, running rollouts handed over; requests are still answered meanwhile.
    await Promise.all([scheduler.stop(), runner.stop(), outbox.stop()]);
    server.close();
    server.closeAllConnections?.();
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

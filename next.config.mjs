import os from "node:os";
import { writeRolloutsManifest } from "./lib/kettle/modules/rollouts-manifest.mjs";

/**
 * Where the development server may be opened from besides localhost (Next.js blocks its
 * development scripts from other origins, and the page would never hydrate): the
 * loopback address, this machine's name, HOSTNAME when it names one, and any listed in
 * KETTLE_DEV_ORIGINS (comma-separated host names, `*.example.internal` allowed).
 * server.ts loads .env before this file is read, so .env may set them too.
 */
function devOrigins() {
  const hosts = ["127.0.0.1", "localhost", os.hostname(), process.env.HOSTNAME ?? ""];
  for (const entry of (process.env.KETTLE_DEV_ORIGINS ?? "").split(",")) hosts.push(entry.trim().replace(/^https?:\/\//, "").replace(/[:/].*$/, ""));
  return [...new Set(hosts.filter((h) => h && h !== "0.0.0.0" && h !== "::"))];
}

/** @type {import('next').NextConfig} */
const nextConfig = {
  // KETTLE_BASE_PATH serves the app under a prefix behind a reverse proxy.
  basePath: process.env.KETTLE_BASE_PATH || undefined,
  serverExternalPackages: ["@libsql/client", "libsql"],
  poweredByHeader: false,
  allowedDevOrigins: devOrigins(),
  // The build type-checks the app only; `npm run typecheck` covers tests and scripts too.
  typescript: { tsconfigPath: "tsconfig.next.json" },
  // Lets parallel builds (tests, benchmarks) keep out of each other's way.
  distDir: process.env.KETTLE_DIST_DIR || ".next",
  compiler: {
    // Records what rollouts/ held at build time: production refuses to start when it differs (server.ts).
    runAfterProductionCompile: async ({ projectDir, distDir }) => writeRolloutsManifest(projectDir, distDir),
  },
};
export default nextConfig;

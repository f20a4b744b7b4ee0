// The second half of `npm run build` (after `next build`): compiles the custom
// server, the runner and the engine, and the modules of rollouts/, to plain
// JavaScript in <distDir>/kettle/, so that `npm start` runs them with node alone
// (no tsx, no TypeScript compiler in the production process).
//
// One esbuild run with code splitting: server.mjs and rollouts/<module>.mjs share
// their chunks, so the engine the rollout classes extend is the very copy the
// runner uses (one Task class, one clock, one registry). npm packages stay
// external and load from node_modules as usual.
import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { listModuleFiles, moduleFilePattern } from "../lib/kettle/modules/author-files";
import { COMPILED_DIR } from "../lib/kettle/modules/rollout-modules";

const root = process.cwd();
const distDir = process.env.KETTLE_DIST_DIR || ".next";
const outdir = path.join(root, distDir, COMPILED_DIR);
const t0 = Date.now();

fs.rmSync(outdir, { recursive: true, force: true });
const modules = listModuleFiles();
await build({
  entryPoints: [
    { in: "server.ts", out: "server" },
    ...modules.map((file) => ({ in: path.join("rollouts", file), out: path.join("rollouts", moduleFilePattern.exec(file)![1]) })),
  ],
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  // Errors in the author's code name their file and line (rollouts/x.ts:9), through the source maps.
  sourcemap: "linked",
  chunkNames: "chunks/[name]-[hash]",
  // .mjs: the Next.js build folder says "type": "commonjs" for its own files.
  outExtension: { ".js": ".mjs" },
  logLevel: "warning",
});
console.log(`> Compiled the server and ${modules.length} rollout module${modules.length === 1 ? "" : "s"} into ${path.relative(root, outdir)} in ${Date.now() - t0} ms`);

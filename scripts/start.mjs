// `npm start`: the production server that `npm run build` compiled, run by node
// alone. Says what to do when there is no build yet, instead of a stack trace.
// package.json runs it with --max-semi-space-size=8 (V8's young generation at
// half its default): idle RSS 155 → 143 MB and W9's peak 308 → 293 MB, where a
// quarter (4) cost W9 a third more time. V8 reads that flag only at start.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

process.env.NODE_ENV = "production";
// Errors in the author's code name rollouts/x.ts and its line, not the compiled file.
process.setSourceMapsEnabled(true);
const server = path.resolve(process.env.KETTLE_DIST_DIR || ".next", "kettle", "server.mjs");
if (!fs.existsSync(server)) {
  console.error("\nNo compiled server: run `npm run build` before `npm start`.\n");
  process.exit(1);
}
await import(pathToFileURL(server).href);

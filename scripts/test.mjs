// `npm test`: builds the app (the server tests run the production build), runs
// every test (engine, API, browser) with vitest, and ends with the plain count
// "N passed, N failed" so that a run that executed nothing is visible.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { stdio: "inherit", ...opts });
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };

if (!process.argv.includes("--no-build")) {
  const build = run("npm", ["run", "build"], { env });
  if (build.status !== 0) {
    console.log("build failed\n0 passed, 1 failed");
    process.exit(1);
  }
}

fs.mkdirSync("test-output", { recursive: true });
const report = path.resolve("test-output/vitest.json");
fs.rmSync(report, { force: true });
const extra = process.argv.slice(2).filter((a) => a !== "--no-build");
const vitest = run("npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...extra], { env });

let passed = 0;
let failed = 0;
try {
  const r = JSON.parse(fs.readFileSync(report, "utf8"));
  passed = r.numPassedTests;
  // A file that failed without a failing test (it did not load, a hook threw) counts as one failure.
  // (numFailedTestSuites counts describe blocks too, so it would count a failing test twice.)
  const brokenFiles = (r.testResults ?? []).filter((f) => f.status === "failed" && !(f.assertionResults ?? []).some((t) => t.status === "failed")).length;
  failed = r.numFailedTests + brokenFiles;
} catch {
  failed = 1; // vitest did not even report
}
if (vitest.status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);

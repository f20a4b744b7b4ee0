// `npm run check`: tsc over the project and rollouts/, then rollouts/ loaded as the
// server loads it at start. Run in a temporary copy of the checkout, so a test
// can break a module.
import { afterAll, beforeAll, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = process.cwd();
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "kettle-check-"));
  for (const entry of ["app", "components", "lib", "rollouts", "scripts", "server.ts", "package.json", "tsconfig.json", "next-env.d.ts"]) {
    if (fs.existsSync(path.join(root, entry))) fs.cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const check = (env: Record<string, string> = {}) => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/check.ts"], { cwd: dir, env: { ...process.env, ...env }, encoding: "utf8" });
  return { status: r.status, output: r.stdout + r.stderr };
};

test("passes on the project as it is, naming the classes and task kinds it loaded", { timeout: 120_000 }, () => {
  const { status, output } = check({ KETTLE_ROLLOUT_CLS: "rollout:MyRollout,demo:DemoRollout" });
  expect(output).toContain('demo:DemoRollout: "Demo: gradual deploy to hosts", 11 form fields');
  expect(output).toContain("demo:DeployHostTask");
  expect(output).toMatch(/check: OK\s*$/);
  expect(status).toBe(0);
});

test("reports a type error and a class that is not there", { timeout: 120_000 }, () => {
  fs.writeFileSync(path.join(dir, "rollouts", "typo.ts"), 'import { Rollout, DelayTask } from "@/lib/kettle";\nexport class Typo extends Rollout {\n  generateTasks() {\n    return new DelayTask({ secs: 15 });\n  }\n}\n');
  const { status, output } = check({ KETTLE_ROLLOUT_CLS: "rollout:MyRollout,typo:Typo,rollout:Missing" });
  expect(status).toBe(1);
  expect(output).toMatch(/rollouts\/typo\.ts\(4,\d+\): error TS2353/); // tsc: `secs` is not a DelayTask option
  expect(output).toContain('module "rollout" has no Rollout subclass exported as "Missing"');
  expect(output).toMatch(/check: 2 problems/);
  fs.rmSync(path.join(dir, "rollouts", "typo.ts"));
});

test("reports a module with a syntax error, by file and line, as the server would at start", { timeout: 120_000 }, () => {
  fs.writeFileSync(path.join(dir, "rollouts", "broken.ts"), 'import { Rollout, DelayTask } from "@/lib/kettle";\nexport class Broken extends Rollout {\n  generateTasks() {\n    return new DelayTask({ seconds: 15 } ;\n  }\n}\n');
  const { status, output } = check();
  expect(status).toBe(1);
  expect(output).toMatch(/rollouts\/broken\.ts\(4,\d+\): error TS1005/);
  expect(output).toMatch(/rollouts\/broken\.ts could not be loaded[\s\S]*rollouts\/broken\.ts:4:\d+/);
  fs.rmSync(path.join(dir, "rollouts", "broken.ts"));
});

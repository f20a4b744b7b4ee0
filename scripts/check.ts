// `npm run check`: what a rollout author runs before committing. Type-checks the
// project and rollouts/ (tsc), then loads every rollout class offered in
// KETTLE_ROLLOUT_CLS and every task kind in rollouts/, as the server does at
// start, and builds each class's New/Edit form. Ends with "check: OK" or the
// problems, and exits 1 when there are any.
import "dotenv/config";
import { spawnSync } from "node:child_process";
import { parseSettings } from "../lib/kettle/settings";
import { loadTaskKinds, resolveRolloutClass, shareRegistry } from "../lib/kettle/modules/registry";
import { describeRolloutKind } from "../lib/web/config-form";
import { checkRollouts } from "../lib/kettle/modules/check";

const problems: string[] = [];

console.log("check: type-checking the project and rollouts/ (tsc)…");
const tsc = spawnSync("npx", ["tsc", "--noEmit", "-p", "tsconfig.json"], { stdio: "inherit" });
if (tsc.status !== 0) problems.push("tsc found type errors (above)");

console.log("check: loading rollouts/ as the server does at start…");
try {
  const settings = parseSettings({ ...process.env, NODE_ENV: "development" });
  shareRegistry({ reload: false });
  problems.push(...(await checkRollouts(settings.rolloutClasses)));
  for (const name of settings.rolloutClasses) {
    try {
      const kind = await resolveRolloutClass(name);
      const fields = describeRolloutKind(kind);
      console.log(`  ${name}: "${kind.title}", ${fields.length} form field${fields.length === 1 ? "" : "s"}`);
    } catch (e) {
      if (!problems.includes(String((e as Error).message))) problems.push(`${name}: ${(e as Error).message}`);
    }
  }
  const { byName } = await loadTaskKinds();
  const user = [...byName.keys()].filter((n) => n.includes(":"));
  console.log(`  task kinds in rollouts/: ${user.length ? user.join(", ") : "none"}`);
} catch (e) {
  problems.push(e instanceof Error ? e.message : String(e));
}

if (problems.length) {
  console.error(`\ncheck: ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n\n${problems.map((p) => `- ${p}`).join("\n\n")}\n`);
  process.exit(1);
}
console.log("check: OK");
process.exit(0);

// What the server checks at start, and `npm run check` too: the rollout classes
// offered (KETTLE_ROLLOUT_CLS) load, every module in rollouts/ loads, and in
// production rollouts/ is what the build contains.
import { SettingsError } from "../settings";
import { moduleProblems, resolveRolloutClass } from "./registry";
import { compareWithBuild } from "./rollouts-manifest.mjs";

/** Problems with rollouts/, one message each (none: all good). */
export async function checkRollouts(kinds: string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const kind of kinds) {
    try {
      await resolveRolloutClass(kind);
    } catch (e) {
      problems.push(e instanceof Error ? e.message : String(e));
    }
  }
  for (const message of Object.values(await moduleProblems())) if (!problems.includes(message)) problems.push(message);
  return problems;
}

/** Production: refuses to start when rollouts/ differs from what `npm run build` saw. */
export function checkBuildMatches(distDir: string, projectDir = process.cwd()): void {
  const diff = compareWithBuild(projectDir, distDir);
  if (!diff) return;
  if (diff.missing) {
    throw new SettingsError(`The build in ${distDir} does not record what rollouts/ held: run \`npm run build\` again before \`npm start\`.`);
  }
  const parts = [
    diff.added.length ? `added since the build: ${diff.added.map((f) => `rollouts/${f}`).join(", ")}` : "",
    diff.removed.length ? `removed since the build: ${diff.removed.map((f) => `rollouts/${f}`).join(", ")}` : "",
    diff.changed.length ? `changed since the build: ${diff.changed.map((f) => `rollouts/${f}`).join(", ")}` : "",
  ].filter(Boolean);
  throw new SettingsError(`rollouts/ differs from what the build contains (${parts.join("; ")}). Run \`npm run build\`, then \`npm start\` again.`);
}

// What `npm run build` saw in rollouts/: each module file and a hash of its
// content, written into the build (next.config.mjs) and compared at production
// start (server.ts), so that production runs only the code the build checked.
// Plain JavaScript: next.config.mjs imports it.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export const MANIFEST_FILE = "kettle-rollouts.json";
const moduleFile = /^[A-Za-z0-9_\-.]+?\.(ts|tsx|js|mjs)$/;

/**
 * { "rollout.ts": "<sha256>", "lib/hosts.ts": … } for the source files in rollouts/ and its
 * subfolders (what the modules may import); tests and .d.ts files are left out.
 */
export function rolloutsFingerprint(projectDir) {
  const dir = path.join(projectDir, "rollouts");
  const out = {};
  const walk = (sub) => {
    let entries = [];
    try {
      entries = fs.readdirSync(path.join(dir, sub), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const rel = sub ? `${sub}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (e.name !== "node_modules" && !e.name.startsWith(".")) walk(rel);
      } else if (moduleFile.test(e.name) && !e.name.endsWith(".d.ts") && !/\.(test|spec)\./.test(e.name)) {
        out[rel] = crypto.createHash("sha256").update(fs.readFileSync(path.join(dir, rel))).digest("hex");
      }
    }
  };
  walk("");
  return out;
}

export function writeRolloutsManifest(projectDir, distDir) {
  const dist = path.resolve(projectDir, distDir);
  fs.mkdirSync(dist, { recursive: true });
  fs.writeFileSync(path.join(dist, MANIFEST_FILE), JSON.stringify({ files: rolloutsFingerprint(projectDir) }, null, 2));
}

/**
 * How rollouts/ differs from what the build in distDir saw: null when it matches,
 * else { missing: true } (a build without a manifest) or the files added, removed, changed.
 */
export function compareWithBuild(projectDir, distDir) {
  let built;
  try {
    built = JSON.parse(fs.readFileSync(path.join(path.resolve(projectDir, distDir), MANIFEST_FILE), "utf8")).files;
  } catch {
    return { missing: true, added: [], removed: [], changed: [] };
  }
  const now = rolloutsFingerprint(projectDir);
  const added = Object.keys(now).filter((f) => !(f in built));
  const removed = Object.keys(built).filter((f) => !(f in now));
  const changed = Object.keys(now).filter((f) => f in built && built[f] !== now[f]);
  return added.length || removed.length || changed.length ? { missing: false, added, removed, changed } : null;
}

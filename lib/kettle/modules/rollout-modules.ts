// Loading the modules of rollouts/. In the server process (loadNatively) they
// are imported from disk: in production the JavaScript `npm run build` compiled
// (<distDir>/kettle/rollouts/, sharing the server's chunks), in development the
// sources through tsx, afresh after a change; elsewhere (vitest, scripts) by a
// plain relative import. registry.ts
// finds the classes in what this loads.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ModuleLoadError, authorLocation, authorPaths, listModuleFiles, moduleFilePattern, rolloutsDir } from "./author-files";

export type Module = Record<string, unknown>;

/** Where `npm run build` puts the compiled server and rollouts/, inside the Next.js build's folder. */
export const COMPILED_DIR = "kettle";

/**
 * Set in the server process: import modules natively, from `compiledDir` (the compiled server's
 * folder) when set, else the sources through tsx, reloading changed ones when `reload`.
 */
let native: { reload: boolean; compiledDir?: string } | null = null;
/** Bumped when a file in rollouts/ changes: the next import of a module is a fresh one. */
let generation = 0;

export async function importModule(name: string): Promise<Module> {
  if (!/^[A-Za-z0-9_\-.]+$/.test(name)) throw new Error(`Bad module name "${name}"`);
  const file = listModuleFiles().find((f) => moduleFilePattern.exec(f)![1] === name) ?? `${name}.ts`;
  try {
    if (native?.compiledDir) {
      return (await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ /* @vite-ignore */ pathToFileURL(path.join(native.compiledDir, "rollouts", `${name}.mjs`)).href)) as Module;
    }
    if (native) {
      // ?v=N makes a fresh copy after a change; lib/kettle/modules/reload-hooks.mjs passes it on to the
      // module's own imports within rollouts/, and nothing else (the engine stays one copy).
      const url = pathToFileURL(path.join(rolloutsDir(), file)).href + (native.reload ? `?v=${generation}` : "");
      return (await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ /* @vite-ignore */ url)) as Module;
    }
    return (await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ /* @vite-ignore */ `../../../rollouts/${name}`)) as Module;
  } catch (e) {
    const message = authorPaths(e instanceof Error ? e.message : String(e)).trim();
    const where = authorLocation(e);
    const lines = message.split("\n").slice(0, 6).join("\n");
    throw new ModuleLoadError(
      `rollouts/${file} could not be loaded${where && !message.includes(where) ? ` (at ${where})` : ""}: ${lines}`,
    );
  }
}

let watcher: fs.FSWatcher | undefined;
const changeListeners = new Set<() => void>();

/** The server process: import natively; with `reload` (development), watch rollouts/ and load a changed module afresh. */
export function loadNatively({ reload, compiledDir }: { reload: boolean; compiledDir?: string }): void {
  native = { reload, compiledDir };
  if (!reload || watcher) return;
  try {
    watcher = fs.watch(rolloutsDir(), { recursive: true }, () => {
      generation++;
      for (const listener of changeListeners) listener();
    });
    watcher.unref();
  } catch {
    // no rollouts/ folder: nothing to watch
  }
}

/** Calls `listener` whenever a file in rollouts/ changes (development). Returns the unsubscribe. */
export function onModulesChange(listener: () => void): () => void {
  changeListeners.add(listener);
  return () => void changeListeners.delete(listener);
}

// Rollout classes and task kinds, found by name in rollouts/. A task's type is
// its export name for built-ins ("DelayTask") and "module:Export" for user kinds,
// so names survive minified production builds (class names may not).
import fs from "node:fs";
import path from "node:path";
import { Task } from "./task";
import { Rollout, type RolloutClass } from "./rollout";
import * as builtins from "./index";
import { SettingsError } from "./settings";

type TaskClass = abstract new (...args: never[]) => Task;
type Module = Record<string, unknown>;

const moduleFilePattern = /^([A-Za-z0-9_\-.]+?)\.(ts|tsx|js|mjs)$/;

export function rolloutsDir(): string {
  return path.join(process.cwd(), "rollouts");
}

/** Modules in rollouts/ (names without extension). */
export function listModules(): string[] {
  let files: string[] = [];
  try {
    files = fs.readdirSync(rolloutsDir());
  } catch {
    return [];
  }
  return files
    .filter((f) => !f.endsWith(".d.ts") && !/\.(test|spec)\./.test(f))
    .map((f) => moduleFilePattern.exec(f)?.[1])
    .filter((m): m is string => !!m)
    .sort();
}

async function importModule(name: string): Promise<Module> {
  if (!/^[A-Za-z0-9_\-.]+$/.test(name)) throw new Error(`Bad module name "${name}"`);
  return (await import(/* @vite-ignore */ `../../rollouts/${name}`)) as Module;
}

const isSubclass = (value: unknown, base: abstract new (...args: never[]) => unknown): boolean =>
  typeof value === "function" && value.prototype instanceof base;

export type RolloutKind = { kind: string; title: string; cls: RolloutClass };

const resolved = new Map<string, Promise<RolloutKind>>();

/**
 * Resolves "module:Export" to a Rollout subclass, or says what is missing and
 * what exists. Found classes are kept: every status read asks (modules are
 * loaded once per process anyway); misses are looked up again.
 */
export function resolveRolloutClass(kind: string): Promise<RolloutKind> {
  let found = resolved.get(kind);
  if (!found) {
    found = lookUpRolloutClass(kind);
    resolved.set(kind, found);
    found.catch(() => resolved.delete(kind));
  }
  return found;
}

async function lookUpRolloutClass(kind: string): Promise<RolloutKind> {
  const [moduleName, exportName] = kind.split(":");
  const modules = listModules();
  if (!modules.includes(moduleName)) {
    throw new SettingsError(
      `KETTLE_ROLLOUT_CLS: no module "${moduleName}" in ${rolloutsDir()}` +
        (modules.length ? ` (modules there: ${modules.join(", ")})` : " (the folder has no modules)"),
    );
  }
  const mod = await importModule(moduleName);
  const cls = mod[exportName];
  if (!isSubclass(cls, Rollout)) {
    const rollouts = Object.keys(mod).filter((k) => isSubclass(mod[k], Rollout));
    throw new SettingsError(
      `KETTLE_ROLLOUT_CLS: module "${moduleName}" has no Rollout subclass exported as "${exportName}"` +
        (rollouts.length ? ` (Rollout classes it exports: ${rollouts.join(", ")})` : " (it exports no Rollout subclass)"),
    );
  }
  const rc = cls as RolloutClass;
  return { kind, title: rc.title ?? exportName, cls: rc };
}

export async function resolveRolloutClasses(kinds: string[]): Promise<RolloutKind[]> {
  return Promise.all(kinds.map(resolveRolloutClass));
}

type TaskKinds = { byName: Map<string, TaskClass>; byClass: Map<Function, string> };
let taskKinds: Promise<TaskKinds> | undefined;

/** Every task kind: the built-ins and each Task subclass exported from a module in rollouts/. */
export function loadTaskKinds(): Promise<TaskKinds> {
  return (taskKinds ??= (async () => {
    const byName = new Map<string, TaskClass>();
    const byClass = new Map<Function, string>();
    const add = (name: string, cls: TaskClass) => {
      byName.set(name, cls);
      if (!byClass.has(cls)) byClass.set(cls, name);
    };
    for (const [name, value] of Object.entries(builtins)) if (isSubclass(value, Task)) add(name, value as TaskClass);
    for (const moduleName of listModules()) {
      const mod = await importModule(moduleName);
      for (const [name, value] of Object.entries(mod)) if (isSubclass(value, Task)) add(`${moduleName}:${name}`, value as TaskClass);
    }
    return { byName, byClass };
  })().catch((e) => {
    taskKinds = undefined;
    throw e;
  }));
}

/** Adds task kinds by name (for tests and embedders that do not keep them in rollouts/). */
export async function registerTaskKinds(kinds: Record<string, TaskClass>): Promise<void> {
  const { byName, byClass } = await loadTaskKinds();
  for (const [name, cls] of Object.entries(kinds)) {
    byName.set(name, cls);
    byClass.set(cls, name);
  }
}

export async function typeNameOf(task: Task): Promise<string> {
  const { byClass } = await loadTaskKinds();
  const name = byClass.get(task.constructor);
  if (!name) {
    throw new Error(
      `Task kind ${task.constructor.name} is not exported from a module in rollouts/: export the class so it can be rebuilt from the database`,
    );
  }
  return name;
}

export async function taskClassOf(type: string): Promise<TaskClass> {
  const { byName } = await loadTaskKinds();
  const cls = byName.get(type);
  if (!cls) throw new Error(`Unknown task type "${type}": no such export among the built-ins or the modules in rollouts/`);
  return cls;
}

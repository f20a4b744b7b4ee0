// modules/: finding and loading the author's code in rollouts/ (this registry,
// the author's files, reloading, the build manifest, start checks). It imports
// authoring/ and the shared leaves.
//
// Rollout classes and task kinds, found by name in rollouts/. A task's type is
// its export name for built-ins ("DelayTask") and "module:Export" for user kinds,
// so names survive minified production builds (class names may not).
//
// One registry per process. The server (server.ts; compiled by the build in production) loads the modules
// in rollouts/ from disk and shares its registry on globalThis (shareRegistry);
// the web side's copy of this module, inside the Next.js bundle, forwards every
// call to it. So the pages and the runner use the same classes, the bundle never
// contains rollouts/ (a module added after `npm run build` cannot break it, a
// syntax error in one cannot break the pages), and in development the server
// reloads a module when it changes (rollout-modules.ts). Without a shared registry
// (vitest, scripts) the modules are imported directly.
import { Task } from "../authoring/task";
import { Rollout, type RolloutClass } from "../authoring/rollout";
import * as builtins from "../index";
import { SettingsError } from "../settings";
import { KettleError } from "../errors";
import { ModuleLoadError, listModules, rolloutsDir } from "./author-files";
import { importModule, loadNatively, onModulesChange, type Module } from "./rollout-modules";

type TaskClass = abstract new (...args: never[]) => Task;

const isSubclass = (value: unknown, base: abstract new (...args: never[]) => unknown): boolean =>
  typeof value === "function" && value.prototype instanceof base;

export type RolloutKind = { kind: string; title: string; cls: RolloutClass };

const resolved = new Map<string, Promise<RolloutKind>>();
/** Rollout classes registered by name (testRollout), not looked up in rollouts/. */
const registeredRollouts = new Map<string, RolloutClass>();
/** Task kinds registered by name (tests, embedders). */
const registeredTasks = new Map<string, TaskClass>();

function localResolve(kind: string): Promise<RolloutKind> {
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
  const registered = registeredRollouts.get(kind);
  if (registered) return { kind, title: registered.title ?? exportName, cls: registered };
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

type TaskKinds = {
  byName: Map<string, TaskClass>;
  byClass: Map<Function, string>;
  /** Modules that could not be loaded, with why: their kinds are missing. */
  problems: Map<string, string>;
};
let taskKinds: Promise<TaskKinds> | undefined;

function localTaskKinds(): Promise<TaskKinds> {
  return (taskKinds ??= (async () => {
    const byName = new Map<string, TaskClass>();
    const byClass = new Map<Function, string>();
    const problems = new Map<string, string>();
    const add = (name: string, cls: TaskClass) => {
      byName.set(name, cls);
      if (!byClass.has(cls)) byClass.set(cls, name);
    };
    for (const [name, value] of Object.entries(builtins)) if (isSubclass(value, Task)) add(name, value as TaskClass);
    for (const moduleName of listModules()) {
      let mod: Module;
      try {
        mod = await importModule(moduleName);
      } catch (e) {
        // One broken module must not take every other kind (and every rollout page) with it.
        problems.set(moduleName, e instanceof Error ? e.message : String(e));
        continue;
      }
      for (const [name, value] of Object.entries(mod)) if (isSubclass(value, Task)) add(`${moduleName}:${name}`, value as TaskClass);
    }
    for (const [name, cls] of registeredTasks) {
      byName.set(name, cls);
      byClass.set(cls, name);
    }
    return { byName, byClass, problems };
  })().catch((e) => {
    taskKinds = undefined;
    throw e;
  }));
}

async function localTypeNameOf(task: Task): Promise<string> {
  const { byClass, problems } = await localTaskKinds();
  const name = byClass.get(task.constructor);
  if (!name) {
    throw new ModuleLoadError(
      `Task kind ${task.constructor.name} is not exported from a module in rollouts/: export the class so it can be rebuilt from the database` +
        (problems.size ? ` (modules that could not be loaded: ${[...problems.keys()].join(", ")})` : ""),
    );
  }
  return name;
}

async function localTaskClassOf(type: string): Promise<TaskClass> {
  const { byName, problems } = await localTaskKinds();
  const cls = byName.get(type);
  if (!cls) {
    const problem = problems.get(type.split(":")[0]);
    throw new Error(problem ?? `Unknown task type "${type}": no such export among the built-ins or the modules in rollouts/`);
  }
  return cls;
}

/** The kind name ("module:Export") of a class exported from rollouts/, or null. */
async function localKindOf(cls: RolloutClass): Promise<string | null> {
  for (const [kind, c] of registeredRollouts) if (c === cls) return kind;
  for (const moduleName of listModules()) {
    const mod = await importModule(moduleName).catch(() => null);
    if (!mod) continue;
    for (const [name, value] of Object.entries(mod)) if (value === cls) return `${moduleName}:${name}`;
  }
  return null;
}

/** Problems loading the modules in rollouts/, by module name (none when all load). */
async function localProblems(): Promise<Record<string, string>> {
  return Object.fromEntries((await localTaskKinds()).problems);
}

// ---- one registry per process ----

const SHARED = Symbol.for("kettle.registry");

type Registry = {
  resolveRolloutClass(kind: string): Promise<RolloutKind>;
  loadTaskKinds(): Promise<TaskKinds>;
  typeNameOf(task: Task): Promise<string>;
  taskClassOf(type: string): Promise<TaskClass>;
  kindOf(cls: RolloutClass): Promise<string | null>;
  problems(): Promise<Record<string, string>>;
  onChange(listener: () => void): () => void;
};

const local: Registry = {
  resolveRolloutClass: localResolve,
  loadTaskKinds: localTaskKinds,
  typeNameOf: localTypeNameOf,
  taskClassOf: localTaskClassOf,
  kindOf: localKindOf,
  problems: localProblems,
  onChange(listener) {
    return onModulesChange(listener);
  },
};

function registry(): Registry {
  const shared = (globalThis as Record<symbol, Registry | undefined>)[SHARED];
  return shared ?? local;
}

/** Errors from the server's copy of this module, remade as this copy's classes (so that instanceof holds). */
function here(e: unknown): never {
  if (e instanceof Error && !(e instanceof KettleError) && !(e instanceof SettingsError)) {
    if (e.name === "ModuleLoadError") throw new ModuleLoadError(e.message);
    if (e.name === "SettingsError") throw new SettingsError(e.message);
  }
  throw e;
}

/**
 * Called by the server process: load rollouts/ natively and share this registry
 * with the web bundle's copy. `reload` (development): a changed module is loaded
 * afresh at its next use.
 */
export function shareRegistry(options: { reload: boolean; compiledDir?: string }): void {
  loadNatively(options);
  (globalThis as Record<symbol, Registry>)[SHARED] = local;
}

// What was found is kept until a module changes (development): then the next use looks again.
onModulesChange(() => {
  resolved.clear();
  taskKinds = undefined;
});

/**
 * Resolves "module:Export" to a Rollout subclass, or says what is missing and
 * what exists. Found classes are kept (every status read asks) until a module
 * changes in development; misses are looked up again.
 */
export function resolveRolloutClass(kind: string): Promise<RolloutKind> {
  return registry().resolveRolloutClass(kind).catch(here);
}

export async function resolveRolloutClasses(kinds: string[]): Promise<RolloutKind[]> {
  return Promise.all(kinds.map(resolveRolloutClass));
}

/** Every task kind: the built-ins and each Task subclass exported from a module in rollouts/. */
export function loadTaskKinds(): Promise<TaskKinds> {
  return registry().loadTaskKinds().catch(here);
}

/** The "module:Export" name of a rollout class exported from rollouts/, or null. */
export function kindOf(cls: RolloutClass): Promise<string | null> {
  return registry().kindOf(cls);
}

/** Modules in rollouts/ that cannot be loaded, with why. */
export function moduleProblems(): Promise<Record<string, string>> {
  return registry().problems();
}

/** Development: calls `listener` whenever a file in rollouts/ changes (the pages refresh themselves). Returns the unsubscribe. */
export function onRolloutsChange(listener: () => void): () => void {
  return registry().onChange(listener);
}

/** Adds task kinds by name (for tests and embedders that do not keep them in rollouts/). */
export async function registerTaskKinds(kinds: Record<string, TaskClass>): Promise<void> {
  const { byName, byClass } = await local.loadTaskKinds();
  for (const [name, cls] of Object.entries(kinds)) {
    registeredTasks.set(name, cls);
    byName.set(name, cls);
    byClass.set(cls, name);
  }
}

/** Adds a rollout class by name (testRollout, for a class that is not exported from rollouts/). */
export function registerRolloutClass(kind: string, cls: RolloutClass): void {
  registeredRollouts.set(kind, cls);
  resolved.delete(kind);
}

export function typeNameOf(task: Task): Promise<string> {
  return registry().typeNameOf(task).catch(here);
}

export function taskClassOf(type: string): Promise<TaskClass> {
  return registry().taskClassOf(type).catch(here);
}

/**
 * The type name of every task in a tree, each kind looked up once: a plain
 * lookup afterwards, so a big tree is written without an await per task.
 * Throws, naming the task, for a child that is not a Task or a kind that is not exported.
 */
export async function typeNamesIn(root: Task): Promise<(task: Task) => string> {
  const names = new Map<unknown, string>();
  const stack: unknown[] = [root];
  while (stack.length) {
    const task = stack.pop();
    if (!(task instanceof Task)) throw new Error(`generateTasks must return Task objects (got ${typeof task})`);
    if (!task.typeName && !names.has(task.constructor)) names.set(task.constructor, await typeNameOf(task));
    for (const child of task.children) stack.push(child);
  }
  return (task) => task.typeName ?? names.get(task.constructor)!;
}

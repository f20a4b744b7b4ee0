// The author's files: which modules rollouts/ holds, and where in them an error
// happened, as the author wrote it ("rollouts/x.ts:9:11"), for messages that
// name their file and line.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { findSourceMap } from "node:module";
import { KettleError } from "../errors";

export const moduleFilePattern = /^([A-Za-z0-9_\-.]+?)\.(ts|tsx|js|mjs)$/;

export function rolloutsDir(): string {
  return path.join(process.cwd(), "rollouts");
}

/** The files in rollouts/ that are modules (not tests, not type declarations), sorted. */
export function listModuleFiles(): string[] {
  let files: string[] = [];
  try {
    files = fs.readdirSync(rolloutsDir());
  } catch {
    return [];
  }
  return files.filter((f) => moduleFilePattern.test(f) && !f.endsWith(".d.ts") && !/\.(test|spec)\./.test(f)).sort();
}

/** Modules in rollouts/ (names without extension). */
export function listModules(): string[] {
  return [...new Set(listModuleFiles().map((f) => moduleFilePattern.exec(f)![1]))].sort();
}

/** A module in rollouts/ that cannot be loaded (a syntax or type-stripping error, a throw at its top level, a bad import). */
export class ModuleLoadError extends KettleError {
  constructor(message: string) {
    super("unprocessable", message);
    this.name = "ModuleLoadError";
  }
}

/** "/abs/path/rollouts/x.ts" → "rollouts/x.ts" in a message or stack (file URLs and cache-busting queries too). */
export function authorPaths(text: string): string {
  const dir = rolloutsDir();
  return text
    .split(pathToFileURL(dir).href + "/")
    .join("rollouts/")
    .split(dir + path.sep)
    .join("rollouts/")
    .replace(/(rollouts\/[\w\-.]+)\?v=\d+/g, "$1");
}

/** Where in rollouts/ an error was thrown: "rollouts/rollout.ts:9:11", from the first frame of its stack in rollouts/. */
export function authorLocation(error: unknown): string | null {
  const stack = error instanceof Error ? (error.stack ?? "") : "";
  const dir = rolloutsDir();
  const frame = new RegExp(`((?:file://)?${escapeRegExp(dir)}/([\\w\\-.]+?)(\\?v=\\d+)?):(\\d+):(\\d+)`);
  const anyFrame = /((?:file:\/\/)?\/[^\s():]+\.m?js):(\d+):(\d+)/;
  for (const line of stack.split("\n").slice(1)) {
    const m = frame.exec(line) ?? frame.exec(safeDecode(line));
    if (m) {
      const [, where, file, , l, c] = m;
      const { line: at, column } = originalPosition(where, path.join(dir, file), Number(l), Number(c));
      return `rollouts/${file}:${at}:${column}`;
    }
    // The compiled server (npm run build): a frame in its JavaScript, mapped back through its source map.
    const js = anyFrame.exec(line);
    const mapped = js && compiledPosition(js[1], Number(js[2]), Number(js[3]));
    if (mapped) return mapped;
  }
  return null;
}

/** A position in compiled JavaScript as the author wrote it, when its source map says it came from rollouts/. */
function compiledPosition(where: string, line: number, column: number): string | null {
  try {
    const map = findSourceMap(where.startsWith("file:") ? where : pathToFileURL(where).href);
    const entry = map?.findEntry(line - 1, column - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number } | undefined;
    if (!entry?.originalSource || entry.originalLine === undefined) return null;
    const source = entry.originalSource.startsWith("file:") ? new URL(entry.originalSource).pathname : path.resolve(path.dirname(where.replace(/^file:\/\//, "")), entry.originalSource);
    const rel = path.relative(rolloutsDir(), source);
    if (rel.startsWith("..") || path.isAbsolute(rel)) return null;
    return `rollouts/${rel.split(path.sep).join("/")}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
  } catch {
    return null;
  }
}

const safeDecode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * A stack position as the author wrote it. Stacks are usually source-mapped already, but the
 * Next.js server formats them itself: a position that cannot be in the source file (past the end
 * of its line) is the compiled one, so it is looked up in the module's source map.
 */
function originalPosition(where: string, file: string, line: number, column: number): { line: number; column: number } {
  try {
    const source = fs.readFileSync(file, "utf8").split("\n");
    if (line <= source.length && column <= source[line - 1].length + 1) return { line, column };
    const url = where.startsWith("file:") ? where : pathToFileURL(where).href;
    const map = findSourceMap(url) ?? findSourceMap(file);
    const entry = map?.findEntry(line - 1, column - 1) as { originalLine?: number; originalColumn?: number } | undefined;
    if (entry?.originalLine !== undefined) return { line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 };
  } catch {
    // keep what the stack says
  }
  return { line, column };
}

// The flow stays one way (docs/architecture.md): the engine never imports the web
// side, and the web side reaches the engine's tables only through its public functions.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(rel);
    return /\.(ts|tsx|mts|mjs)$/.test(e.name) ? [rel] : [];
  });
}

/** Every module a file imports, as a path from the project's root ("lib/web/http"). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), "utf8");
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1]);
  return specs.flatMap((s) => {
    if (s.startsWith("@/")) return [s.slice(2)];
    if (s.startsWith(".")) return [path.relative(root, path.resolve(path.dirname(path.join(root, file)), s))];
    return [];
  });
}

function offenders(dirs: string[], forbidden: RegExp): string[] {
  return dirs.flatMap(sourceFiles).flatMap((f) => importsOf(f).filter((i) => forbidden.test(i)).map((i) => `${f} imports ${i}`));
}

describe("the architecture's one-way flow", () => {
  it("finds the imports it checks (the check itself works)", () => {
    expect(importsOf("lib/web/http.ts")).toContain("lib/kettle/operations");
    expect(importsOf("lib/kettle/operations.ts").some((i) => i.startsWith("lib/kettle/store/"))).toBe(true);
  });

  it("nothing in lib/kettle imports lib/web, components or app", () => {
    expect(offenders(["lib/kettle"], /^(lib\/web|components|app)(\/|$)/)).toEqual([]);
  });

  it("lib/web, app and components reach the store only through the engine's public functions", () => {
    expect(offenders(["lib/web", "app", "components"], /^lib\/kettle\/store(\/|$)/)).toEqual([]);
  });

  it("the store writes tables and knows nothing of who runs or reads them", () => {
    expect(offenders(["lib/kettle/store"], /^lib\/kettle\/(runner|read|outbound)(\/|$)/)).toEqual([]);
  });

  it("the CLI is an API client: it imports nothing of the engine", () => {
    expect(offenders(["cli"], /^lib\//)).toEqual([]);
  });
});

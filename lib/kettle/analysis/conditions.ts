// Conditions: small expressions over `result` (`result < 0.01`, `len(result) > 0 &&
// result[0] < 5`, `default(result, 0) >= 1`) in Jexl, a tree-walking interpreter (no
// eval, no Function). Only `result` and the functions below may be named: the parsed
// tree is walked and anything else is refused when the spec is checked.
import { Jexl } from "jexl";

type Value = unknown;
const nums = (v: Value): number[] => (Array.isArray(v) ? v : [v]).map(Number);

const FUNCTIONS: Record<string, (...args: Value[]) => Value> = {
  len: (v) => (Array.isArray(v) || typeof v === "string" ? v.length : v === null || v === undefined ? 0 : 1),
  isNaN: (v) => typeof v === "number" && Number.isNaN(v),
  isNil: (v) => v === null || v === undefined,
  default: (v, d) => (v === null || v === undefined || (typeof v === "number" && Number.isNaN(v)) || (Array.isArray(v) && v.length === 0) ? d : v),
  abs: (v) => Math.abs(Number(v)),
  min: (v) => Math.min(...nums(v)),
  max: (v) => Math.max(...nums(v)),
  sum: (v) => nums(v).reduce((a, b) => a + b, 0),
  avg: (v) => {
    const n = nums(v);
    return n.length ? n.reduce((a, b) => a + b, 0) / n.length : NaN;
  },
};
export const conditionFunctions = Object.keys(FUNCTIONS);

const jexl = new Jexl();
for (const [name, fn] of Object.entries(FUNCTIONS)) jexl.addFunction(name, fn);

type Node = { type: string; [k: string]: unknown };

function walk(node: unknown, visit: (n: Node) => void): void {
  if (Array.isArray(node)) return node.forEach((n) => walk(n, visit));
  if (typeof node !== "object" || node === null) return;
  const n = node as Node;
  if (typeof n.type === "string") visit(n);
  for (const [k, v] of Object.entries(n)) if (k !== "type" && typeof v === "object") walk(v, visit);
}

const MAX_LENGTH = 1000;

/** Null when `text` is a condition Kettle can evaluate; else what is wrong with it. */
export function checkCondition(text: string): string | null {
  if (!text.trim()) return "an empty condition";
  if (text.length > MAX_LENGTH) return `longer than ${MAX_LENGTH} characters`;
  let ast: unknown;
  try {
    ast = (jexl.compile(text) as unknown as { _getAst(): unknown })._getAst();
  } catch (e) {
    return `does not parse: ${(e as Error).message}`;
  }
  let problem: string | null = null;
  walk(ast, (n) => {
    if (problem) return;
    if (n.type === "Identifier" && !n.from && n.value !== "result") problem = `only "result" may be named (got "${String(n.value)}")`;
    else if (n.type === "FunctionCall" && (n.pool !== "functions" || !(String(n.name) in FUNCTIONS))) problem = `unknown function "${String(n.name)}" (known: ${conditionFunctions.join(", ")})`;
  });
  return problem;
}

/** Evaluates a checked condition against a result: true only for a true boolean (anything else is false). */
export function evaluateCondition(text: string, result: unknown): boolean {
  return jexl.compile(text).evalSync({ result }) === true;
}

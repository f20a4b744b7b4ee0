// A rollout class's zod config schema → plain, serialisable field descriptors
// that the New / Edit form renders. No React here: pages pass the result to
// client components as props.
//
// Conventions a rollout author can use on each field (zod v4):
//   .meta({ title: "Hosts" })            the label (default: from the field name)
//   .describe("...") / meta description   help text under the field
//   .meta({ multiline: true })            a string as a <textarea>
//   z.array(z.string())                   a <textarea>, one item per line
//   z.enum([...])                         a single choice (radios, or a select when long)
//   z.array(z.enum([...]))                several choices (checkboxes)
//   .meta({ options: { value: "Label" } })  readable labels for choices
//   .meta({ placeholder: "..." })         placeholder text
//   .default(x)                           the initial value in a new form
// Anything else (objects, custom types) is edited as JSON.
import { z } from "zod";
import type { RolloutClass } from "../kettle/authoring/rollout";

export type FieldKind = "text" | "textarea" | "lines" | "number" | "boolean" | "choice" | "choices" | "json";

export type FieldOption = { value: string; label: string };

export type FieldDescriptor = {
  name: string;
  kind: FieldKind;
  label: string;
  help: string | null;
  required: boolean;
  advanced: boolean;
  default: unknown;
  options: FieldOption[];
  placeholder: string | null;
  integer: boolean;
  min: number | null;
  max: number | null;
};

type JsonSchema = {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  multiline?: boolean;
  placeholder?: string;
  options?: Record<string, string>;
  label?: string;
};

/** "abortAfterMs" / "abort_after_ms" → "Abort after ms". */
export function humanize(name: string): string {
  const words = name
    .replace(/[_-]+/g, " ")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The choices of an enum-like schema (enum, or a union of consts), or null. */
function choicesOf(s: JsonSchema | undefined): string[] | null {
  if (!s) return null;
  if (Array.isArray(s.enum) && s.enum.every((v) => typeof v === "string")) return s.enum as string[];
  const alts = s.anyOf ?? s.oneOf;
  if (alts && alts.length && alts.every((a) => typeof a.const === "string")) return alts.map((a) => a.const as string);
  return null;
}

function typeOf(s: JsonSchema): string | undefined {
  if (Array.isArray(s.type)) return s.type.find((t) => t !== "null");
  return s.type;
}

function kindOf(s: JsonSchema): FieldKind {
  const type = typeOf(s);
  if (choicesOf(s)) return "choice";
  if (type === "boolean") return "boolean";
  if (type === "number" || type === "integer") return "number";
  if (type === "string") return s.multiline ? "textarea" : "text";
  if (type === "array" && s.items) {
    if (choicesOf(s.items)) return "choices";
    if (typeOf(s.items) === "string") return "lines";
  }
  return "json";
}

/** Field descriptors for a schema, in the schema's order, flagged Basic or Advanced. */
export function describeConfig(schema: z.ZodObject | undefined, advancedFields: readonly string[] = []): FieldDescriptor[] {
  if (!schema) return [];
  const json = z.toJSONSchema(schema, { unrepresentable: "any", io: "input" }) as JsonSchema;
  const required = new Set(json.required ?? []);
  return Object.entries(json.properties ?? {}).map(([name, s]) => {
    const kind = kindOf(s);
    const labels = s.options ?? s.items?.options ?? {};
    const values = kind === "choice" ? choicesOf(s) : kind === "choices" ? choicesOf(s.items) : null;
    return {
      name,
      kind,
      label: s.title ?? s.label ?? humanize(name),
      help: s.description ?? null,
      required: required.has(name),
      advanced: advancedFields.includes(name),
      default: s.default === undefined ? null : s.default,
      options: (values ?? []).map((v) => ({ value: v, label: labels[v] ?? v })),
      placeholder: s.placeholder ?? null,
      integer: typeOf(s) === "integer",
      min: s.minimum ?? s.exclusiveMinimum ?? null,
      max: s.maximum ?? s.exclusiveMaximum ?? null,
    };
  });
}

export function describeRolloutClass(cls: RolloutClass): FieldDescriptor[] {
  return describeConfig(cls.configSchema, cls.advancedFields ?? []);
}

// A schema's .meta() lives in the registry of the zod copy that loaded rollouts/
// (the server's, not the web bundle's), so the server shares its own copy of this
// describer and the pages use that one.
const SHARED = Symbol.for("kettle.describeRolloutClass");

/** Called by the server process: pages describe kinds with the server's copy of this module. */
export function shareConfigDescriber(): void {
  (globalThis as Record<symbol, typeof describeRolloutClass>)[SHARED] = describeRolloutClass;
}

/** The New/Edit form's fields for a rollout kind (made where its schema was loaded). */
export function describeRolloutKind(kind: { cls: RolloutClass }): FieldDescriptor[] {
  const shared = (globalThis as Record<symbol, typeof describeRolloutClass | undefined>)[SHARED];
  return (shared ?? describeRolloutClass)(kind.cls);
}

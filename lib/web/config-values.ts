// The New / Edit form's values: from a config (to fill the form), from a posted
// form (FormData), and back to a config for the engine, with per-field errors.
// Plain functions, used by the server action and by the form component alike.
import type { FieldDescriptor } from "@/lib/web/config-form";

export type Value = string | boolean | string[];
export type Values = Record<string, Value>;
export type Errors = Record<string, string[]>;

export function initialValue(f: FieldDescriptor, config: Record<string, unknown> | null): Value {
  const v = config && f.name in config ? config[f.name] : f.default;
  switch (f.kind) {
    case "boolean":
      return v === true;
    case "choices":
      return Array.isArray(v) ? v.map(String) : [];
    case "lines":
      return Array.isArray(v) ? v.map(String).join("\n") : typeof v === "string" ? v : "";
    case "json":
      return v === null || v === undefined ? "" : JSON.stringify(v, null, 2);
    case "number":
      return typeof v === "number" ? String(v) : "";
    case "choice":
      return typeof v === "string" ? v : "";
    default:
      return typeof v === "string" ? v : v === null || v === undefined ? "" : String(v);
  }
}

export function initialValues(fields: FieldDescriptor[], config: Record<string, unknown> | null): Values {
  return Object.fromEntries(fields.map((f) => [f.name, initialValue(f, config)]));
}

/** A posted form → values (an unchecked checkbox is not posted: false). */
export function valuesFromFormData(fields: FieldDescriptor[], form: FormData): Values {
  const values: Values = {};
  for (const f of fields) {
    if (f.kind === "boolean") values[f.name] = form.has(f.name) && form.get(f.name) !== "false";
    else if (f.kind === "choices") values[f.name] = form.getAll(f.name).map(String);
    else values[f.name] = String(form.get(f.name) ?? "");
  }
  return values;
}

/** Form values → the config object for the engine, or the errors found on the way. */
export function toConfig(fields: FieldDescriptor[], values: Values): { config: Record<string, unknown>; errors: Errors } {
  const config: Record<string, unknown> = {};
  const errors: Errors = {};
  for (const f of fields) {
    const v = values[f.name] ?? "";
    switch (f.kind) {
      case "boolean":
      case "choices":
        config[f.name] = v;
        break;
      case "lines": {
        const items = String(v)
          .split("\n")
          .map((s) => s.trim())
          .filter(Boolean);
        if (items.length || f.required || f.default !== null) config[f.name] = items;
        break;
      }
      case "number": {
        const s = String(v).trim();
        if (!s) {
          // Left empty: fine when the field is optional; a cleared default is a mistake.
          if (f.required || f.default !== null) errors[f.name] = ["Enter a number"];
          break;
        }
        const n = Number(s);
        if (!Number.isFinite(n)) errors[f.name] = ["Enter a number"];
        else config[f.name] = n;
        break;
      }
      case "json": {
        const s = String(v).trim();
        if (!s) break;
        try {
          config[f.name] = JSON.parse(s);
        } catch (e) {
          errors[f.name] = [`Not valid JSON: ${e instanceof Error ? e.message : String(e)}`];
        }
        break;
      }
      default: {
        // Empty and optional with no default: leave it out. Otherwise send it,
        // so that clearing a field with a default gets the schema's message.
        const s = String(v);
        if (s.trim() || f.required || f.default !== null) config[f.name] = s;
      }
    }
  }
  return { config, errors };
}

/** Engine field errors ("hosts.2") → per field messages ("Line 3: Not a host name"), and the rest. */
export function fieldErrors(fields: FieldDescriptor[], apiFields: Errors | undefined): { byField: Errors; other: string[] } {
  const byField: Errors = {};
  const other: string[] = [];
  for (const [key, messages] of Object.entries(apiFields ?? {})) {
    const [name, ...rest] = key.split(".");
    const field = fields.find((f) => f.name === name);
    if (!field) {
      other.push(...messages.map((m) => (key === "_" ? m : `${key}: ${m}`)));
      continue;
    }
    const where = rest.length && /^\d+$/.test(rest[0]) ? (field.kind === "lines" ? `Line ${Number(rest[0]) + 1}: ` : `Item ${Number(rest[0]) + 1}: `) : "";
    (byField[name] ??= []).push(...messages.map((m) => where + m));
  }
  return { byField, other };
}

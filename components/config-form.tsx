"use client";
// The New / Edit form, generated from the rollout class's schema (see
// lib/kettle/config-form.ts). What the user typed stays put on errors.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useRef, useState, type FormEvent, type ReactNode } from "react";
import type { FieldDescriptor } from "@/lib/kettle/config-form";
import { refusalText, sendJson, useApi, useRefusal } from "./app-context";
import { ui } from "@/lib/web/ui";

type Value = string | boolean | string[];
type Values = Record<string, Value>;
type Errors = Record<string, string[]>;

function initialValue(f: FieldDescriptor, config: Record<string, unknown> | null): Value {
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

/** Form values → the config object sent to the API, or the client-side errors. */
function toConfig(fields: FieldDescriptor[], values: Values): { config: Record<string, unknown>; errors: Errors } {
  const config: Record<string, unknown> = {};
  const errors: Errors = {};
  for (const f of fields) {
    const v = values[f.name];
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

/** API field errors ("hosts.2") → per field messages ("Line 3: Not a host name"). */
function fieldErrors(fields: FieldDescriptor[], apiFields: Errors | undefined): { byField: Errors; other: string[] } {
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

export function ConfigForm({
  kind,
  kindTitle,
  fields,
  config = null,
  editId = null,
}: {
  kind: string;
  kindTitle: string;
  fields: FieldDescriptor[];
  config?: Record<string, unknown> | null;
  editId?: number | null;
}) {
  const api = useApi();
  const router = useRouter();
  const formRef = useRef<HTMLFormElement>(null);
  const [values, setValues] = useState<Values>(() => Object.fromEntries(fields.map((f) => [f.name, initialValue(f, config)])));
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState<{ message: string; other: string[]; trace: string | null } | null>(null);
  const [busy, setBusy] = useState(false);
  const refused = useRefusal()(editId === null ? "create" : "finalise");
  const basic = fields.filter((f) => !f.advanced);
  const advanced = fields.filter((f) => f.advanced);
  const advancedHasError = advanced.some((f) => errors[f.name]);

  const set = (name: string, v: Value) => setValues((old) => ({ ...old, [name]: v }));

  function focusFirstError(errs: Errors) {
    const first = fields.find((f) => errs[f.name]);
    if (!first) return;
    requestAnimationFrame(() => {
      const el = formRef.current?.querySelector<HTMLElement>(`[data-field="${first.name}"] :is(input, textarea, select)`);
      el?.focus();
    });
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    const { config: body, errors: local } = toConfig(fields, values);
    if (Object.keys(local).length) {
      setErrors(local);
      setFailure({ message: "Some fields need fixing.", other: [], trace: null });
      focusFirstError(local);
      return;
    }
    setBusy(true);
    setFailure(null);
    const res = editId
      ? await sendJson<{ id: number }>(api(`/api/rollouts/${editId}`), "PUT", { config: body })
      : await sendJson<{ id: number }>(api("/api/rollouts"), "POST", { kind, config: body });
    if (res.ok) {
      setErrors({});
      router.push(`/rollouts/${res.body.id}`);
      router.refresh();
      return;
    }
    setBusy(false);
    const { byField, other } = fieldErrors(fields, res.body.fields);
    setErrors(byField);
    setFailure({
      message: Object.keys(byField).length ? "Some fields need fixing." : (res.body.error ?? "Finalise failed"),
      other,
      trace: res.body.trace ?? null,
    });
    focusFirstError(byField);
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate className="space-y-6" aria-describedby={failure ? "form-failure" : undefined}>
      {failure && (
        <div id="form-failure" role="alert" className="rounded-lg border border-rose-300 bg-rose-50 p-4 text-sm text-rose-900 dark:border-rose-800 dark:bg-rose-950/60 dark:text-rose-200">
          <p className="font-semibold" data-testid="form-error">
            {failure.message}
          </p>
          {failure.other.length > 0 && (
            <ul className="mt-1 list-disc pl-5">
              {failure.other.map((m, i) => (
                <li key={i}>{m}</li>
              ))}
            </ul>
          )}
          {failure.trace && (
            <details className="mt-2">
              <summary className="text-xs font-medium">Stack trace (shown in development only)</summary>
              <pre className="mt-2 max-h-72 overflow-auto whitespace-pre-wrap rounded bg-rose-100 p-2 font-mono text-xs dark:bg-rose-950">{failure.trace}</pre>
            </details>
          )}
        </div>
      )}
      {fields.length === 0 ? (
        <p className={`${ui.card} p-5 text-sm ${ui.muted}`}>
          {kindTitle} has no settings. Finalise to generate its tasks; you can look at them before running.
        </p>
      ) : (
        <>
          <Section title="Basic" fields={basic} values={values} errors={errors} set={set} />
          {advanced.length > 0 && (
            <details open={advancedHasError || undefined} className={`${ui.card} group`} data-testid="advanced">
              <summary className="flex items-center justify-between px-5 py-3 text-sm font-semibold">
                <span>
                  Advanced <span className={`font-normal ${ui.muted}`}>({advanced.length} setting{advanced.length === 1 ? "" : "s"})</span>
                </span>
                <span aria-hidden="true" className="text-slate-400 transition group-open:rotate-180">
                  ▾
                </span>
              </summary>
              <div className="space-y-5 border-t border-slate-200 px-5 py-5 dark:border-slate-800">
                {advanced.map((f) => (
                  <Field key={f.name} field={f} value={values[f.name]} errors={errors[f.name]} set={set} />
                ))}
              </div>
            </details>
          )}
        </>
      )}
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" className={ui.btnPrimary} disabled={busy || !!refused} aria-busy={busy} aria-describedby={refused ? "finalise-refused" : undefined}>
          {busy ? "Finalising…" : "Finalise"}
        </button>
        {refused && (
          <span id="finalise-refused" className="text-sm text-amber-800 dark:text-amber-300" data-testid="finalise-refused">
            {refusalText(refused)}
          </span>
        )}
        <Link href={editId ? `/rollouts/${editId}` : "/"} className={ui.btnSecondary}>
          Cancel
        </Link>
        <span className={`text-xs ${ui.muted}`}>Finalise saves the settings and generates the tasks; nothing runs yet.</span>
      </div>
    </form>
  );
}

function Section({ title, fields, values, errors, set }: { title: string; fields: FieldDescriptor[]; values: Values; errors: Errors; set: (n: string, v: Value) => void }) {
  if (!fields.length) return null;
  return (
    <fieldset className={`${ui.card} px-5 pb-5 pt-3`}>
      <legend className="sr-only">{title}</legend>
      <h2 aria-hidden="true" className="mb-4 text-sm font-semibold">
        {title}
      </h2>
      <div className="space-y-5">
        {fields.map((f) => (
          <Field key={f.name} field={f} value={values[f.name]} errors={errors[f.name]} set={set} />
        ))}
      </div>
    </fieldset>
  );
}

function Field({ field: f, value, errors, set }: { field: FieldDescriptor; value: Value; errors?: string[]; set: (n: string, v: Value) => void }) {
  const id = useId();
  const helpId = `${id}-help`;
  const errId = `${id}-err`;
  const describedBy = [f.help ? helpId : null, errors ? errId : null].filter(Boolean).join(" ") || undefined;
  const invalid = errors ? true : undefined;
  const common = { id, name: f.name, required: f.required, "aria-describedby": describedBy, "aria-invalid": invalid };
  const label = (
    <>
      {f.label}
      {f.required && (
        <span className="ml-0.5 text-rose-600" aria-hidden="true">
          *
        </span>
      )}
    </>
  );
  const help = f.help && (
    <p id={helpId} className={`mt-1 text-xs ${ui.muted}`}>
      {f.help}
      {f.kind === "lines" && !/per line/i.test(f.help) ? " One per line." : ""}
    </p>
  );
  const errorList = errors && (
    <ul id={errId} className="mt-1.5 space-y-0.5 text-xs font-medium text-rose-700 dark:text-rose-400" data-testid={`error-${f.name}`}>
      {errors.map((m, i) => (
        <li key={i}>{m}</li>
      ))}
    </ul>
  );
  let control: ReactNode;
  const labelClass = "block text-sm font-medium text-slate-800 dark:text-slate-200";
  switch (f.kind) {
    case "boolean":
      return (
        <div data-field={f.name}>
          <div className="flex items-start gap-2.5">
            <input
              type="checkbox"
              {...common}
              checked={value === true}
              onChange={(e) => set(f.name, e.target.checked)}
              className="mt-0.5 h-4 w-4 rounded border-slate-300 accent-indigo-600"
            />
            <label htmlFor={id} className={labelClass}>
              {label}
            </label>
          </div>
          <div className="pl-6.5">
            {help}
            {errorList}
          </div>
        </div>
      );
    case "choices":
    case "choice": {
      const many = f.kind === "choices";
      if (!many && f.options.length > 4) {
        control = (
          <select {...common} value={String(value)} onChange={(e) => set(f.name, e.target.value)} className={ui.input}>
            {!f.required || !value ? <option value="">—</option> : null}
            {f.options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        );
        break;
      }
      const selected = many ? (value as string[]) : [String(value)];
      return (
        <fieldset data-field={f.name} aria-describedby={describedBy} aria-invalid={invalid}>
          <legend className={labelClass}>{label}</legend>
          {help}
          <div className="mt-2 flex flex-wrap gap-2">
            {f.options.map((o) => {
              const checked = selected.includes(o.value);
              return (
                <label
                  key={o.value}
                  className={`flex cursor-pointer items-center gap-2 rounded-lg px-3 py-2 text-sm ring-1 ring-inset transition has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-indigo-500 ${
                    checked
                      ? "bg-indigo-50 text-indigo-900 ring-indigo-400 dark:bg-indigo-950 dark:text-indigo-100 dark:ring-indigo-600"
                      : "bg-white ring-slate-300 hover:bg-slate-50 dark:bg-slate-950 dark:ring-slate-700 dark:hover:bg-slate-800"
                  }`}
                >
                  <input
                    type={many ? "checkbox" : "radio"}
                    name={f.name}
                    value={o.value}
                    checked={checked}
                    onChange={(e) => {
                      if (!many) return set(f.name, o.value);
                      const cur = value as string[];
                      set(f.name, e.target.checked ? [...cur, o.value] : cur.filter((x) => x !== o.value));
                    }}
                    className="h-4 w-4 accent-indigo-600"
                  />
                  {o.label}
                </label>
              );
            })}
          </div>
          {errorList}
        </fieldset>
      );
    }
    case "number":
      control = (
        <input
          type="number"
          inputMode={f.integer ? "numeric" : "decimal"}
          step={f.integer ? 1 : "any"}
          min={f.min ?? undefined}
          max={f.max ?? undefined}
          placeholder={f.placeholder ?? undefined}
          {...common}
          value={String(value)}
          onChange={(e) => set(f.name, e.target.value)}
          className={`${ui.input} max-w-48`}
        />
      );
      break;
    case "textarea":
    case "lines":
    case "json": {
      const rows = Math.min(14, Math.max(f.kind === "json" ? 6 : 4, String(value).split("\n").length + 1));
      control = (
        <textarea
          {...common}
          rows={rows}
          spellCheck={f.kind === "textarea"}
          placeholder={f.placeholder ?? (f.kind === "json" ? "JSON" : f.kind === "lines" ? "One per line" : undefined)}
          value={String(value)}
          onChange={(e) => set(f.name, e.target.value)}
          className={`${ui.input} ${f.kind === "textarea" ? "" : "font-mono text-[13px]"}`}
        />
      );
      break;
    }
    default:
      control = (
        <input
          type="text"
          placeholder={f.placeholder ?? undefined}
          {...common}
          value={String(value)}
          onChange={(e) => set(f.name, e.target.value)}
          className={ui.input}
        />
      );
  }
  return (
    <div data-field={f.name}>
      <label htmlFor={id} className={labelClass}>
        {label}
      </label>
      {f.help && <div className="-mt-0.5">{help}</div>}
      <div className="mt-1.5">{control}</div>
      {errorList}
    </div>
  );
}

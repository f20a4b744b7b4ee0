"use client";
// One section of the New / Edit form and its fields: each control chosen by the
// field's kind (lib/web/config-form.ts), with its label, help and errors beside it.
import { useId, type ReactNode } from "react";
import type { FieldDescriptor } from "@/lib/web/config-form";
import type { Errors, Value } from "@/lib/web/config-values";
import { ui } from "@/lib/web/ui";

export function Section({ title, fields, valueOf, errors, set }: { title: string; fields: FieldDescriptor[]; valueOf: (f: FieldDescriptor) => Value; errors: Errors; set: (n: string, v: Value) => void }) {
  if (!fields.length) return null;
  return (
    <fieldset className={`${ui.card} px-5 pb-5 pt-3`}>
      <legend className="sr-only">{title}</legend>
      <h2 aria-hidden="true" className="mb-4 text-sm font-semibold">
        {title}
      </h2>
      <div className="space-y-5">
        {fields.map((f) => (
          <Field key={f.name} field={f} value={valueOf(f)} errors={errors[f.name]} set={set} />
        ))}
      </div>
    </fieldset>
  );
}

export function Field({ field: f, value, errors, set }: { field: FieldDescriptor; value: Value; errors?: string[]; set: (n: string, v: Value) => void }) {
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

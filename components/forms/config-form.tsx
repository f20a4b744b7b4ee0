"use client";
// The New / Edit form, generated from the rollout class's schema (see
// lib/web/config-form.ts). It posts to a server action (app/rollouts/actions.ts):
// a plain HTML POST before hydration or with JavaScript off, never a GET, so the
// config never lands in a URL. Preview shows the tree the config would generate.
// What the user typed stays put on errors.
import Link from "next/link";
import { useActionState, useEffect, useRef, useState } from "react";
import type { FieldDescriptor } from "@/lib/web/config-form";
import type { PlannedTask } from "@/lib/kettle/operations";
import { submitRolloutForm, type FormState } from "@/app/rollouts/actions";
import { initialValue, initialValues, type Errors, type Value, type Values } from "@/lib/web/config-values";
import { refusalText, useRefusal } from "../app-context";
import { ui } from "@/lib/web/ui";
import { PlanDiffView } from "../rollout/plan-diff";
import { Field, Section } from "./config-fields";

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
  const formRef = useRef<HTMLFormElement>(null);
  const [state, formAction, pending] = useActionState<FormState, FormData>(submitRolloutForm, {});
  // A page rendered for a form posted without JavaScript starts from what was posted.
  const [values, setValues] = useState<Values>(() => state.values ?? initialValues(fields, config));
  const [intent, setIntent] = useState<"finalise" | "preview">("finalise");
  const [hydrated, setHydrated] = useState(false);
  const errors: Errors = state.errors ?? {};
  const failure = state.failure ?? null;
  const refused = useRefusal()(editId === null || editId === undefined ? "create" : "finalise");
  const basic = fields.filter((f) => !f.advanced);
  const advanced = fields.filter((f) => f.advanced);
  const advancedHasError = advanced.some((f) => errors[f.name]);

  useEffect(() => setHydrated(true), []);
  // After an answer with errors, put the cursor on the first field to fix.
  useEffect(() => {
    const first = fields.find((f) => state.errors?.[f.name]);
    if (first) formRef.current?.querySelector<HTMLElement>(`[data-field="${first.name}"] :is(input, textarea, select)`)?.focus();
    else if (state.preview) document.getElementById("preview")?.scrollIntoView({ block: "nearest" });
  }, [state, fields]);

  const set = (name: string, v: Value) => setValues((old) => ({ ...old, [name]: v }));
  // A field added since the form was filled (the schema changed in development) starts from its default.
  const valueOf = (f: FieldDescriptor): Value => values[f.name] ?? initialValue(f, config);

  return (
    <form
      ref={formRef}
      action={formAction} // a server action: React renders method="POST" (no JavaScript needed)
      noValidate
      className="space-y-6"
      aria-describedby={failure ? "form-failure" : undefined}
      data-hydrated={hydrated ? "true" : undefined}
    >
      <input type="hidden" name="kind" value={kind} />
      {editId !== null && <input type="hidden" name="editId" value={editId} />}
      {failure && (
        <div id="form-failure" role="alert" className="rounded-lg border border-rose-300 bg-rose-50 p-4 text-sm text-rose-900 dark:border-rose-800 dark:bg-rose-950/60 dark:text-rose-200">
          <p className="font-semibold whitespace-pre-wrap" data-testid="form-error">
            {failure.location ? failure.message.replace(` (at ${failure.location})`, "") : failure.message}
          </p>
          {failure.location && (
            <p className="mt-1 text-xs">
              In <code className="font-mono" data-testid="error-location">{failure.location}</code>
            </p>
          )}
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
          <Section title="Basic" fields={basic} valueOf={valueOf} errors={errors} set={set} />
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
                  <Field key={f.name} field={f} value={valueOf(f)} errors={errors[f.name]} set={set} />
                ))}
              </div>
            </details>
          )}
        </>
      )}
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" name="intent" value="finalise" onClick={() => setIntent("finalise")} className={ui.btnPrimary} disabled={pending || !!refused} aria-busy={pending && intent === "finalise"} aria-describedby={refused ? "finalise-refused" : undefined}>
          {pending && intent === "finalise" ? "Finalising…" : "Finalise"}
        </button>
        <button type="submit" name="intent" value="preview" onClick={() => setIntent("preview")} className={ui.btnSecondary} disabled={pending} aria-busy={pending && intent === "preview"}>
          {pending && intent === "preview" ? "Previewing…" : "Preview"}
        </button>
        {refused && (
          <span id="finalise-refused" className="text-sm text-amber-800 dark:text-amber-300" data-testid="finalise-refused">
            {refusalText(refused)}
          </span>
        )}
        <Link href={editId ? `/rollouts/${editId}` : "/"} className={ui.btnSecondary}>
          Cancel
        </Link>
        <span className={`text-xs ${ui.muted}`}>Preview shows the tasks{editId ? " and what changes against the current plan" : ""} without saving; Finalise saves the settings and generates them. Nothing runs yet.</span>
      </div>
      {state.preview?.diff && !failure && <PlanDiffView diff={state.preview.diff} title="Changes against the current plan (not saved yet)" />}
      {state.preview && !failure && <Preview tasks={state.preview.tasks} count={state.preview.count} />}
    </form>
  );
}

/** The tree a config would generate (a dry run: nothing saved). */
function Preview({ tasks, count }: { tasks: PlannedTask; count: number }) {
  return (
    <section id="preview" aria-labelledby="preview-title" className={`${ui.card} p-5`} data-testid="preview">
      <h2 id="preview-title" className="text-sm font-semibold">
        Preview: {count} task{count === 1 ? "" : "s"} <span className={`font-normal ${ui.muted}`}>(not saved)</span>
      </h2>
      <ul className="mt-3 text-sm">
        <PlannedNode task={tasks} />
      </ul>
    </section>
  );
}

function PlannedNode({ task }: { task: PlannedTask }) {
  return (
    <li className="py-0.5">
      <span data-testid="preview-task">{task.description}</span> <span className={`font-mono text-xs ${ui.muted}`}>{task.type}</span>
      {task.children.length > 0 && (
        <ul className="ml-2 border-l border-slate-200 pl-4 dark:border-slate-700">
          {task.children.map((c, i) => (
            <PlannedNode key={i} task={c} />
          ))}
          {task.childCount !== undefined && task.childCount > task.children.length && (
            <li className={`py-0.5 ${ui.muted}`}>and {(task.childCount - task.children.length).toLocaleString("en-US")} more</li>
          )}
        </ul>
      )}
    </li>
  );
}

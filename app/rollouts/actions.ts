"use server";
// The New / Edit form posts here (a server action): it works before the page has
// hydrated and with JavaScript off, and the config travels in the POST body, never
// in a URL. "preview" generates the tree and shows it (nothing saved); "finalise"
// saves and goes to the rollout. Errors come back beside the fields.
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { KettleError } from "@/lib/kettle/errors";
import { createRollout, FinaliseError, parseId, previewRollout, refinaliseRollout, type PlannedTask, database, rolloutKindOf } from "@/lib/kettle/operations";
import { resolveRolloutClass } from "@/lib/kettle/modules/registry";
import { describeRolloutKind } from "@/lib/web/config-form";
import { settings, SettingsError } from "@/lib/kettle/settings";
import type { FieldDescriptor } from "@/lib/web/config-form";
import { authorizeAction } from "@/lib/web/http";
import { currentPlan, diffPlans, type PlanDiff } from "@/lib/kettle/read/plans";
import { fieldErrors, toConfig, valuesFromFormData, type Errors, type Values } from "@/lib/web/config-values";

export type FormState = {
  /** What was submitted, to fill the form again (a page rendered without JavaScript). */
  values?: Values;
  errors?: Errors;
  failure?: { message: string; other: string[]; trace: string | null; location: string | null };
  /** `diff`: on Edit, what changes against the current plan. */
  preview?: { tasks: PlannedTask; count: number; diff?: PlanDiff };
  /** Bumped at each answer, so the form can react to a new one. */
  seq?: number;
};

export async function submitRolloutForm(prev: FormState, form: FormData): Promise<FormState> {
  const seq = (prev?.seq ?? 0) + 1;
  const intent = form.get("intent") === "preview" ? "preview" : "finalise";
  const editId = form.get("editId") ? String(form.get("editId")) : null;
  let target: number | null = null;
  let values: Values | undefined;
  let fields: FieldDescriptor[] = [];
  try {
    const db = await database();
    let kindName = String(form.get("kind") ?? "") || undefined;
    let offered = settings().rolloutClasses;
    let id: number | null = null;
    if (editId) {
      const parsed = parseId(editId);
      if (parsed === "latest") throw new KettleError("not_found", "Name a rollout by its id to edit it");
      const row = await rolloutKindOf(db, parsed);
      id = row.id;
      kindName = row.kind;
      offered = [row.kind];
    }
    const kind = await resolveRolloutClass(kindName ?? offered[0]);
    fields = describeRolloutKind(kind);
    values = valuesFromFormData(fields, form);
    const { config, errors } = toConfig(fields, values);
    if (Object.keys(errors).length) return { seq, values, errors, failure: { message: "Some fields need fixing.", other: [], trace: null, location: null } };
    if (intent === "preview") {
      const plan = await previewRollout({ kind: kind.kind, config }, offered);
      const diff = id !== null ? diffPlans(await currentPlan(db, id), { config: plan.config, tree: plan.tasks }) : undefined;
      return { seq, values, preview: { tasks: plan.tasks, count: plan.count, ...(diff ? { diff } : {}) } };
    }
    // Only who may create (or finalise again) does; a refusal is audited and said beside the button.
    const allowed = await authorizeAction(db, await headers(), id === null ? "create" : "finalise", { rolloutId: id, kind: kind.kind });
    if (!allowed.ok) return { seq, values, failure: { message: allowed.message, other: [], trace: null, location: null } };
    if (id !== null) {
      await refinaliseRollout(db, id, { config, audit: allowed.audit });
      target = id;
    } else {
      target = await createRollout(db, { kind: kind.kind, config, user: allowed.user, audit: allowed.audit }, offered);
    }
  } catch (e) {
    if (e instanceof SettingsError) {
      // A kind this deployment names but cannot load (its module or export is gone): say which.
      return { seq, values, failure: { message: e.message, other: [], trace: null, location: null } };
    }
    if (!(e instanceof KettleError)) {
      console.error(e);
      return { seq, values, failure: { message: "Internal error: see the server's log", other: [], trace: null, location: null } };
    }
    const { byField, other } = fieldErrors(fields, e.fields);
    const finalise = e instanceof FinaliseError ? e : null;
    return {
      seq,
      values,
      errors: byField,
      failure: {
        message: Object.keys(byField).length ? "Some fields need fixing." : e.message,
        other,
        trace: finalise && !settings().production ? finalise.trace : null,
        location: finalise?.location ?? null,
      },
    };
  }
  redirect(`/rollouts/${target}`);
}

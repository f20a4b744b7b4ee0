// Server-side helpers for pages.
import { notFound } from "next/navigation";
import { database, getRollout, type RolloutView } from "@/lib/kettle/operations";
import { KettleError } from "@/lib/kettle/errors";

/** A rollout's view for a page; an unknown id renders the friendly not-found page. */
export async function loadRollout(id: string, tasks: "all" | "auto" = "all"): Promise<RolloutView> {
  const db = await database();
  return getRollout(db, id, { tasks }).catch((e) => {
    if (e instanceof KettleError && e.kind === "not_found") notFound();
    throw e;
  });
}

// The plan table, written only here: every config and tree shape a rollout was
// finalised with (planStatement joins finalise's batch). Diffs and history: read/plans.ts.
import { createHash } from "node:crypto";
import type { InStatement } from "@libsql/client";
import type { Db } from "./db";
import type { Task } from "../authoring/task";

/** The shape of a plan's tree: what each task is, not its records. */
export type PlanTask = { type: string; description: string; children: PlanTask[]; /** In a summary: how many children it has, when `children` holds only some. */ childCount?: number };
/** `hash`: of the plan's config and tree as stored, what an approval is bound to (a changed plan has another). */
export type Plan = { id: number | null; finalisedAt: number | null; finalisedBy: string | null; config: Record<string, unknown>; tree: PlanTask | null; hash: string };

/** The hash of a plan's config and tree as JSON text: the same plan always has the same hash. */
export function planHash(configJson: string, treeJson: string): string {
  return createHash("sha256").update(configJson).update("\n").update(treeJson).digest("hex");
}

/** The plan's shape of a tree; `typeName` from typeNamesIn (one lookup per kind, not per task). */
export function planTree(task: Task, typeName: (task: Task) => string): PlanTask {
  return { type: typeName(task), description: task.description(), children: task.children.map((child) => planTree(child, typeName)) };
}

/**
 * A big plan's first screenful, as a preview answers it: breadth first, the first
 * `perGroup` children of each group, at most `budget` tasks in all; a group shown
 * in part says how many children it has (`childCount`).
 */
export function planSummary(root: Task, typeName: (task: Task) => string, perGroup = 20, budget = 400): PlanTask {
  const made = (task: Task): PlanTask => ({ type: typeName(task), description: task.description(), children: [] });
  const top = made(root);
  let shown = 1;
  for (const queue: [Task, PlanTask][] = [[root, top]]; queue.length; ) {
    const [task, planned] = queue.shift()!;
    for (const child of task.children.slice(0, Math.min(perGroup, Math.max(0, budget - shown)))) {
      const p = made(child);
      planned.children.push(p);
      queue.push([child, p]);
      shown++;
    }
    if (planned.children.length < task.children.length) planned.childCount = task.children.length;
  }
  return top;
}

/** The statement that records a plan; in finalise's batch, after the rollout's update (recorded only if that update happened). */
export function planStatement(rolloutId: number, config: Record<string, unknown>, root: Task, at: number, typeName: (task: Task) => string, by: string | null): InStatement {
  return {
    sql: "INSERT INTO plan (rollout_id, finalised_at, config, tree, finalised_by) SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM rollout WHERE id = ? AND finalised_at = ? AND status = 'not_started')",
    args: [rolloutId, at, JSON.stringify(config), JSON.stringify(planTree(root, typeName)), by, rolloutId, at],
  };
}

/** A rollout's plans, oldest first. */
export async function plansOf(db: Db, rolloutId: number): Promise<Plan[]> {
  const rs = await db.$client.execute({ sql: "SELECT id, finalised_at, finalised_by, config, tree FROM plan WHERE rollout_id = ? ORDER BY id", args: [rolloutId] });
  return rs.rows.map((r) => ({
    id: Number(r.id),
    finalisedAt: Number(r.finalised_at),
    finalisedBy: r.finalised_by === null ? null : String(r.finalised_by),
    config: JSON.parse(String(r.config)),
    tree: JSON.parse(String(r.tree)),
    hash: planHash(String(r.config), String(r.tree)),
  }));
}


// Plans: every config and tree shape a rollout was finalised with (the plan
// table, written only here: planStatement joins finalise's batch), and the
// difference between two plans: config fields and tasks added, removed, changed.
import type { InStatement } from "@libsql/client";
import type { Db } from "./store/db";
import type { Task } from "./task";
import { typeNamesIn } from "./registry";
import { loadTree } from "./store/tasks";
import { requireRolloutRow } from "./store/rollouts";

/** The shape of a plan's tree: what each task is, not its records. */
export type PlanTask = { type: string; description: string; children: PlanTask[]; /** In a summary: how many children it has, when `children` holds only some. */ childCount?: number };
export type Plan = { id: number | null; finalisedAt: number | null; config: Record<string, unknown>; tree: PlanTask | null };

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
export function planStatement(rolloutId: number, config: Record<string, unknown>, root: Task, at: number, typeName: (task: Task) => string): InStatement {
  return {
    sql: "INSERT INTO plan (rollout_id, finalised_at, config, tree) SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM rollout WHERE id = ? AND finalised_at = ? AND status = 'not_started')",
    args: [rolloutId, at, JSON.stringify(config), JSON.stringify(planTree(root, typeName)), rolloutId, at],
  };
}

/** A rollout's plans, oldest first. */
export async function plansOf(db: Db, rolloutId: number): Promise<Plan[]> {
  const rs = await db.$client.execute({ sql: "SELECT id, finalised_at, config, tree FROM plan WHERE rollout_id = ? ORDER BY id", args: [rolloutId] });
  return rs.rows.map((r) => ({ id: Number(r.id), finalisedAt: Number(r.finalised_at), config: JSON.parse(String(r.config)), tree: JSON.parse(String(r.tree)) }));
}

/** The plan in force: the last one recorded, or (a rollout finalised before plans were kept) its config and task tree. */
export async function currentPlan(db: Db, rolloutId: number): Promise<Plan> {
  const plans = await plansOf(db, rolloutId);
  if (plans.length) return plans[plans.length - 1];
  const row = await requireRolloutRow(db, rolloutId);
  const root = await loadTree(db, rolloutId, { forDisplay: true });
  return { id: null, finalisedAt: row.finalisedAt, config: row.config, tree: root ? planTree(root, await typeNamesIn(root)) : null };
}

export type PlanDiff = {
  config: { field: string; before: unknown; after: unknown }[];
  tasks: {
    added: { type: string; description: string; path: string }[];
    removed: { type: string; description: string; path: string }[];
    /** The same type in the same group (at the same place if possible), another description (e.g. another version or delay). */
    changed: { type: string; before: string; after: string; path: string }[];
  };
  /** True when nothing differs. */
  same: boolean;
};

type Flat = { type: string; description: string; path: string; where: string };

/** Every task with its place: `path` by position (0.2.1), `where` by the descriptions of its parents. */
function flatten(t: PlanTask | null, path = "0", where = ""): Flat[] {
  if (!t) return [];
  return [{ type: t.type, description: t.description, path, where }, ...t.children.flatMap((c, i) => flatten(c, `${path}.${i}`, `${where}/${t.description}`))];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** What changed from plan `a` to plan `b`. Tasks are matched by type and description (as many times as they occur); of the rest, one removed and one added of the same type in the same group are a change. */
export function diffPlans(a: Pick<Plan, "config" | "tree">, b: Pick<Plan, "config" | "tree">): PlanDiff {
  const fields = [...new Set([...Object.keys(a.config), ...Object.keys(b.config)])];
  const config = fields.filter((f) => !same(a.config[f], b.config[f])).map((f) => ({ field: f, before: a.config[f], after: b.config[f] }));
  const before = flatten(a.tree);
  const after = flatten(b.tree);
  const key = (t: Flat) => `${t.type}\u0000${t.description}`;
  const pool = new Map<string, Flat[]>();
  for (const t of before) pool.set(key(t), [...(pool.get(key(t)) ?? []), t]);
  const added: Flat[] = [];
  for (const t of after) {
    const list = pool.get(key(t));
    if (list?.length) list.shift();
    else added.push(t);
  }
  const removed = [...pool.values()].flat().sort((x, y) => before.indexOf(x) - before.indexOf(y));
  // Pairs at the same place with the same type are a change, not an add and a remove.
  const changed: PlanDiff["tasks"]["changed"] = [];
  for (const t of [...added]) {
    const parent = (x: Flat) => x.path.slice(0, x.path.lastIndexOf("."));
    const r = removed.find((x) => x.path === t.path && x.type === t.type) ?? removed.find((x) => parent(x) === parent(t) && x.type === t.type);
    if (!r) continue;
    changed.push({ type: t.type, before: r.description, after: t.description, path: t.path });
    added.splice(added.indexOf(t), 1);
    removed.splice(removed.indexOf(r), 1);
  }
  const strip = (t: Flat) => ({ type: t.type, description: t.description, path: t.path });
  return {
    config,
    tasks: { added: added.map(strip), removed: removed.map(strip), changed },
    same: !config.length && !added.length && !removed.length && !changed.length,
  };
}

/** A rollout's plans, each with what changed against the one before (for GET /api/rollouts/{id}/plans). */
export async function planHistory(db: Db, rolloutId: number) {
  const plans = await plansOf(db, rolloutId);
  return plans.map((p, i) => ({ id: p.id, finalisedAt: p.finalisedAt, config: p.config, diff: i ? diffPlans(plans[i - 1], p) : null }));
}

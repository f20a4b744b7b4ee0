// Where a rollout goes from here: the time left (eta.ts) and what a rollback
// starting now would revert (rollback-plan.ts), for the rollout's header.
import type { Db } from "../store/db";
import { loadTree } from "../store/tasks";
import type { RolloutRow } from "../store/rollouts";
import type { Task } from "../authoring/task";
import { etaOf, type Eta } from "./eta";
import { rollbackPreview, type RollbackPreview } from "../authoring/rollback-plan";

export type Outlook = {
  /** Time left of the run (or of the rollback), for a rollout not done; null once done. */
  eta: Eta | null;
  /** What aborting now would revert, in order, while the rollout runs or rolls back; null otherwise. */
  rollbackPreview: RollbackPreview | null;
};

const previewStatuses = ["started", "paused", "aborting_rollout", "terminating_rollout", "rolling_back", "aborting_rollback", "terminating_rollback"];
const etaStatuses = ["not_started", ...previewStatuses];

/** Big trees (not loaded for the page) are read at most this often per rollout. */
const TREE_TTL_MS = 2000;
const trees = new Map<number, { at: number; root: Task | null }>();
/** Past this many tasks the header does without eta and preview rather than load the whole tree. */
const MAX_LOADED = 20_000;

async function taskCount(db: Db, rolloutId: number): Promise<number> {
  const rs = await db.$client.execute({ sql: "SELECT count(*) AS n FROM task WHERE rollout_id = ?", args: [rolloutId] });
  return Number(rs.rows[0].n);
}

/**
 * `tasks`: the whole tree (root first) when it is loaded anyway; otherwise it is
 * read here (cached briefly) while the rollout is not done.
 */
export async function outlookOf(db: Db, row: RolloutRow, tasks: Task[] | undefined, at: number, sent: { name: string }[]): Promise<Outlook> {
  if (!etaStatuses.includes(row.status)) return { eta: null, rollbackPreview: null };
  let root: Task | null = tasks ? (tasks[0] ?? null) : null;
  if (!tasks && (await taskCount(db, row.id)) > MAX_LOADED) {
    // A tree this big is not loaded for a header (page loads, each live change): no estimate, no preview here.
    return { eta: null, rollbackPreview: null };
  }
  if (!tasks) {
    const hit = trees.get(row.id);
    if (hit && Date.now() - hit.at < TREE_TTL_MS) root = hit.root;
    else {
      root = await loadTree(db, row.id, { forDisplay: true });
      if (trees.size > 50) trees.clear();
      trees.set(row.id, { at: Date.now(), root });
    }
  }
  const eta = await etaOf(db, row, root, at);
  const preview = previewStatuses.includes(row.status) ? rollbackPreview(root, sent.some((s) => s.name === "skip_rollback")) : null;
  return { eta, rollbackPreview: preview };
}

// A big tree a page at a time: the summary a page starts from (the first
// screenful and the way to what runs now), a page of one group's children, and
// the records of tasks that changed (for the event stream). None of them loads
// the whole tree.
import type { Db } from "../store/db";
import { requireRolloutRow, type RolloutRow } from "../store/rollouts";
import { loadTasks, type LoadedTask } from "../store/tasks";
import { awaitingTasks, decisionsOf } from "../store/decisions";
import { badInput, notFound } from "../errors";
import { now } from "../clock";
import { parseId, pendingTasks, taskView, type TaskView, type ViewContext } from "./views";

/** In a summary, each group shows at most this many children at first; a page of children is at most MAX_PAGE. */
const FIRST_CHILDREN = 20;
const SUMMARY_BUDGET = 400;
const MAX_PAGE = 500;

/**
 * The first screenful of a big tree (each group's first children, breadth
 * first, within a budget) plus the way from the root to a few tasks running
 * now, assembled into one partial tree; `childCount` says what is left out.
 */
export async function summaryTree(db: Db, rolloutId: number, c: ViewContext): Promise<TaskView | null> {
  const ids = `
    WITH RECURSIVE shown(id) AS (
      SELECT id FROM task WHERE rollout_id = ? AND parent_id IS NULL
      UNION
      -- CROSS JOIN keeps shown the outer loop: the planner chose to scan all tasks once per shown row (1.2 s at 100 000)
      SELECT t.id FROM shown s CROSS JOIN task t ON t.rollout_id = ? AND t.parent_id = s.id WHERE t.position < ${FIRST_CHILDREN}
      LIMIT ${SUMMARY_BUDGET}
    ),
    running(id, parent_id) AS (
      SELECT * FROM (SELECT id, parent_id FROM task WHERE rollout_id = ? AND run_started_at IS NOT NULL AND run_finished_at IS NULL
        AND run_failed_at IS NULL AND revert_started_at IS NULL ORDER BY id LIMIT 20)
      UNION
      SELECT t.id, t.parent_id FROM task t JOIN running r ON t.rollout_id = ? AND t.id = r.parent_id
    )
    SELECT id FROM shown UNION SELECT id FROM running`;
  const rows = await loadTasks(db, rolloutId, ids, [rolloutId, rolloutId, rolloutId, rolloutId]);
  return assemble(rows, c);
}

function assemble(rows: LoadedTask[], c: ViewContext): TaskView | null {
  const views = new Map<number, TaskView>();
  for (const r of rows) views.set(r.task.id!, { ...taskView(r.task, c, false), childCount: r.childCount });
  let root: TaskView | null = null;
  for (const r of [...rows].sort((a, b) => a.position - b.position)) {
    const view = views.get(r.task.id!)!;
    if (r.parentId === null) root = view;
    else views.get(r.parentId)?.children.push(view);
  }
  for (const v of views.values()) if (v.childCount === v.children.length && v.children.length > 0) delete v.childCount;
  if (root && root.childCount === 0) delete root.childCount;
  return root;
}

/** A page of a task's children, in order, each with its childCount (for `GET /api/rollouts/{id}/tasks?parent=`). */
export async function getTaskChildren(db: Db, idParam: string | number, q: { parent?: string | null; offset?: string | null; limit?: string | null }) {
  const row = await requireRolloutRow(db, parseId(idParam));
  const whole = (v: string | null | undefined, name: string, fallback: number, max: number) => {
    if (v === null || v === undefined || v === "") return fallback;
    if (!/^\d{1,9}$/.test(v)) throw badInput(`${name} must be a whole number`);
    return Math.min(Number(v), max);
  };
  const offset = whole(q.offset, "offset", 0, 1e9);
  const limit = Math.max(1, whole(q.limit, "limit", 100, MAX_PAGE));
  const c = await viewContextOf(db, row);
  if (q.parent === undefined || q.parent === null || q.parent === "") {
    const [root] = await loadTasks(db, row.id, "SELECT id FROM task WHERE rollout_id = ? AND parent_id IS NULL", [row.id]);
    return { parent: null, total: root ? 1 : 0, offset: 0, tasks: root ? [{ ...taskView(root.task, c, false), childCount: root.childCount }] : [] };
  }
  const parent = whole(q.parent, "parent", 0, 1e9);
  const exists = await db.$client.execute({ sql: "SELECT count(*) AS n, (SELECT count(*) FROM task WHERE rollout_id = ? AND parent_id = ?) AS children FROM task WHERE rollout_id = ? AND id = ?", args: [row.id, parent, row.id, parent] });
  if (!Number(exists.rows[0].n)) throw notFound(`Rollout ${row.id} has no task ${parent}`);
  const rows = await loadTasks(
    db,
    row.id,
    "SELECT id FROM task WHERE rollout_id = ? AND parent_id = ? ORDER BY position LIMIT ? OFFSET ?",
    [row.id, parent, limit, offset],
  );
  rows.sort((a, b) => a.position - b.position);
  return { parent, total: Number(exists.rows[0].children), offset, tasks: rows.map((r) => ({ ...taskView(r.task, c, false), childCount: r.childCount })) };
}

/** The view context alone (paused? which tasks await a decision?), without the rest of the header. */
async function viewContextOf(db: Db, row: RolloutRow): Promise<ViewContext> {
  const paused = row.status === "paused";
  const pending = paused ? pendingTasks(await decisionsOf(db, row.id)) : new Set<number>();
  const awaiting = new Set(paused ? (await awaitingTasks(db, row.id)).filter((t) => !pending.has(t)) : []);
  return { at: paused && row.pausedAt ? row.pausedAt : now(), paused, awaiting };
}

/** The records of some tasks (no children), for a change event. */
export async function getTaskRecords(db: Db, row: RolloutRow, ids: number[]): Promise<TaskView[]> {
  if (!ids.length) return [];
  const c = await viewContextOf(db, row);
  const out: TaskView[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = await loadTasks(db, row.id, `SELECT value FROM json_each(?)`, [JSON.stringify(chunk)]);
    for (const r of rows) {
      const v = taskView(r.task, c, false) as Partial<TaskView>;
      delete v.children; // a change says nothing about the shape of the tree
      out.push(v as TaskView);
    }
  }
  return out;
}


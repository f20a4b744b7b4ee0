// Task rows: writing a generated tree and rebuilding it (whole, or some tasks
// for a big tree's pages). The runner's transitions are in task-recorder.ts.
import type { InStatement, InValue } from "@libsql/client";
import type { Db } from "./db";
import { Task, emptyRecords, type Attempt } from "../authoring/task";
import { typeNamesIn, taskClassOf } from "../modules/registry";
import { MissingKindTask } from "../authoring/tasks/missing";

/**
 * Statements that replace a rollout's tasks with `root`'s tree, assigning ids in depth-first order.
 * The rows go in as one JSON array through json_each: one prepared statement for any size of
 * tree (a 100 000-task tree was 1 000 statements of 600 arguments each, and their native memory
 * stayed until a garbage collection freed them).
 */
export async function treeInserts(rolloutId: number, root: Task, nameOf?: (task: Task) => string): Promise<InStatement[]> {
  const typeName = nameOf ?? (await typeNamesIn(root));
  const rows: string[] = [];
  const visit = (task: Task, parentId: number | null, position: number) => {
    const id = rows.length;
    task.id = id;
    rows.push(JSON.stringify([id, parentId, position, typeName(task), JSON.stringify(task.state ?? {})]));
    task.children.forEach((child, i) => visit(child, id, i));
  };
  visit(root, null, 0);
  return [
    { sql: "DELETE FROM log WHERE rollout_id = ? AND task_id IS NOT NULL", args: [rolloutId] },
    { sql: "DELETE FROM task WHERE rollout_id = ?", args: [rolloutId] },
    {
      sql: "INSERT INTO task (rollout_id, id, parent_id, position, type, state) SELECT ?, value->>0, value->>1, value->>2, value->>3, value->>4 FROM json_each(?)",
      args: [rolloutId, `[${rows.join(",")}]`],
    },
  ];
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

// The columns loadTree reads, in this order. The database hands the whole tree
// over as one JSON text (one row, one column): the client's per-row, per-column
// result objects cost far more than the query itself (a 1 000-task tree: ~15 ms
// that way, ~2 ms this way).
const TREE_COLUMNS = [
  "id",
  "parent_id",
  "type",
  "state",
  "run_started_at",
  "run_finished_at",
  "run_result",
  "run_failed_at",
  "run_error",
  "run_trace",
  "revert_started_at",
  "revert_finished_at",
  "revert_result",
  "revert_failed_at",
  "revert_error",
  "revert_trace",
  "attempts",
  "paused_ms",
  "waiting_at",
  "skipped_at",
] as const;
const TREE_SQL = `SELECT json_group_array(json_array(${TREE_COLUMNS.join(", ")})) AS tree FROM (SELECT * FROM task WHERE rollout_id = ? ORDER BY id)`;

/**
 * Rebuilds a rollout's tree from the database (constructors are not called again).
 * Null when it has none. A kind that no longer exists fails the load, unless
 * `forDisplay`: then a MissingKindTask stands in, so the rollout can still be read.
 */
export async function loadTree(db: Db, rolloutId: number, { forDisplay = false } = {}): Promise<Task | null> {
  const rs = await db.$client.execute({ sql: TREE_SQL, args: [rolloutId] });
  const rows = JSON.parse(String(rs.rows[0]?.tree ?? "[]")) as unknown[][];
  // Depth-first ids: parents before children, children in position order.
  for (let i = 1; i < rows.length; i++) {
    if (Number(rows[i - 1][0]) > Number(rows[i][0])) {
      rows.sort((x, y) => Number(x[0]) - Number(y[0]));
      break;
    }
  }
  const byId = new Map<number, Task>();
  let root: Task | null = null;
  const decode = decoder(forDisplay);
  for (const row of rows) {
    const task = await decode(row);
    const parentId = row[1];
    byId.set(task.id!, task);
    if (parentId === null) root = task;
    else {
      const parent = byId.get(Number(parentId));
      if (!parent) throw new Error(`Task ${task.id} of rollout ${rolloutId} has no parent ${parentId}`);
      parent.children.push(task);
    }
  }
  return root;
}

/** A task loaded on its own (no children attached), with where it sits in the tree. */
export type LoadedTask = { task: Task; parentId: number | null; position: number; childCount: number };

/**
 * Some of a rollout's tasks, for display: those whose ids `idsSql` (a SELECT of
 * ids, with `args`) names, each with its parent and how many children it has.
 * For big trees, where the whole tree is more than a page needs.
 */
export async function loadTasks(db: Db, rolloutId: number, idsSql: string, args: InValue[]): Promise<LoadedTask[]> {
  const rs = await db.$client.execute({
    sql: `SELECT json_group_array(json_array(${TREE_COLUMNS.map((c) => `t.${c}`).join(", ")}, t.position,
            (SELECT count(*) FROM task c WHERE c.rollout_id = t.rollout_id AND c.parent_id = t.id))) AS tasks
          FROM (SELECT * FROM task t WHERE t.rollout_id = ? AND t.id IN (${idsSql}) ORDER BY t.id) t`,
    args: [rolloutId, ...args],
  });
  const rows = JSON.parse(String(rs.rows[0]?.tasks ?? "[]")) as unknown[][];
  const decode = decoder(true);
  const out: LoadedTask[] = [];
  for (const row of rows) {
    const n = TREE_COLUMNS.length;
    out.push({ task: await decode(row), parentId: row[1] === null ? null : Number(row[1]), position: Number(row[n]), childCount: Number(row[n + 1]) });
  }
  return out;
}

/** Turns a row of TREE_COLUMNS into a Task of its registered kind (classes looked up once per load). */
function decoder(forDisplay: boolean) {
  const classes = new Map<string, Awaited<ReturnType<typeof taskClassOf>>>();
  return async (row: unknown[]): Promise<Task> => {
    const [id, , type, state, runStartedAt, runFinishedAt, runResult, runFailedAt, runError, runTrace] = row;
    const [revertStartedAt, revertFinishedAt, revertResult, revertFailedAt, revertError, revertTrace, attempts, pausedMs, waitingAt, skippedAt] = row.slice(10);
    const typeName = String(type);
    let cls = classes.get(typeName);
    if (!cls) {
      cls = await taskClassOf(typeName).catch((e) => {
        if (forDisplay) return MissingKindTask;
        throw e;
      });
      classes.set(typeName, cls);
    }
    const task = Object.create(cls.prototype) as Task;
    task.state = JSON.parse(String(state));
    task.children = [];
    task.id = Number(id);
    task.typeName = typeName;
    task.records = {
      ...emptyRecords(),
      runStartedAt: num(runStartedAt),
      runFinishedAt: num(runFinishedAt),
      runResult: str(runResult),
      runFailedAt: num(runFailedAt),
      runError: str(runError),
      runTrace: str(runTrace),
      revertStartedAt: num(revertStartedAt),
      revertFinishedAt: num(revertFinishedAt),
      revertResult: str(revertResult),
      revertFailedAt: num(revertFailedAt),
      revertError: str(revertError),
      revertTrace: str(revertTrace),
      attempts: attempts ? (JSON.parse(String(attempts)) as Attempt[]) : [],
      pausedMs: Number(pausedMs ?? 0),
      waitingAt: num(waitingAt),
      skippedAt: num(skippedAt),
    };
    return task;
  };
}

/** A task's status as SQL over its row (alias t), the same rule as taskStatus(). */
export const TASK_STATUS_SQL = `CASE WHEN t.revert_failed_at IS NOT NULL THEN 'revert_failed' WHEN t.revert_finished_at IS NOT NULL THEN 'rolled_back'
  WHEN t.revert_started_at IS NOT NULL THEN 'rolling_back' WHEN t.skipped_at IS NOT NULL THEN 'skipped' WHEN t.run_failed_at IS NOT NULL THEN 'failed'
  WHEN t.run_finished_at IS NOT NULL THEN 'finished' WHEN t.waiting_at IS NOT NULL THEN 'waiting' WHEN t.run_started_at IS NOT NULL THEN 'started'
  ELSE 'not_started' END`;

/** SQL true for a task (alias t) without children. */
export const IS_LEAF_SQL = "NOT EXISTS (SELECT 1 FROM task c WHERE c.rollout_id = t.rollout_id AND c.parent_id = t.id)";

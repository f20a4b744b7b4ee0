// How far a rollout has got: counts over its leaf tasks (the ones that do the
// work), from a loaded tree or, for trees too big to load, in one pass of SQL.
import type { Db } from "../store/db";
import { IS_LEAF_SQL, TASK_STATUS_SQL } from "../store/tasks";
import type { Task } from "../authoring/task";
import type { TaskStatus } from "../status";

/** Counts over the leaf tasks (the ones that do the work). */
export type Progress = {
  total: number;
  started: number;
  finished: number;
  failed: number;
  reverted: number;
  revertFailed: number;
  /** Leaf tasks by status. */
  byStatus: Partial<Record<TaskStatus, number>>;
};

export function progressOf(leaves: Task[]): Progress {
  const byStatus: Progress["byStatus"] = {};
  let started = 0;
  let finished = 0;
  let failed = 0;
  let reverted = 0;
  let revertFailed = 0;
  for (const t of leaves) {
    const r = t.records;
    byStatus[t.status] = (byStatus[t.status] ?? 0) + 1;
    if (r.runStartedAt) started++;
    if (r.runFinishedAt) finished++;
    if (r.runFailedAt) failed++;
    if (r.revertFinishedAt) reverted++;
    if (r.revertFailedAt) revertFailed++;
  }
  return { total: leaves.length, started, finished, failed, reverted, revertFailed, byStatus };
}

/** The same counts in one pass of SQL over the leaves, for trees too big to load. */
export async function progressFromDb(db: Db, rolloutId: number): Promise<Progress> {
  const rs = await db.$client.execute({
    sql: `SELECT ${TASK_STATUS_SQL} AS status, count(*) AS n, sum(t.run_started_at IS NOT NULL) AS started, sum(t.run_finished_at IS NOT NULL) AS finished,
            sum(t.run_failed_at IS NOT NULL) AS failed, sum(t.revert_finished_at IS NOT NULL) AS reverted, sum(t.revert_failed_at IS NOT NULL) AS revert_failed
          FROM task t WHERE t.rollout_id = ? AND ${IS_LEAF_SQL} GROUP BY 1`,
    args: [rolloutId],
  });
  const p: Progress = { total: 0, started: 0, finished: 0, failed: 0, reverted: 0, revertFailed: 0, byStatus: {} };
  for (const r of rs.rows) {
    const n = Number(r.n);
    p.total += n;
    p.byStatus[String(r.status) as TaskStatus] = n;
    p.started += Number(r.started);
    p.finished += Number(r.finished);
    p.failed += Number(r.failed);
    p.reverted += Number(r.reverted);
    p.revertFailed += Number(r.revert_failed);
  }
  return p;
}

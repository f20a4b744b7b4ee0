// What time left learns from: the recorded durations of the tasks of earlier
// finished rollouts of the same kind (finished rollouts do not change, so what
// was read of each is kept), and the medians the estimate takes of them.
import type { Db } from "../store/db";
import { loadTasks } from "../store/tasks";
import type { Task } from "../authoring/task";

/** Recorded durations (ms) of earlier finished rollouts' tasks, most recent first; `runs`: how many rollouts. */
export type History = { byKey: Map<string, number[]>; byType: Map<string, number[]>; runs: number };

export const emptyHistory = (): History => ({ byKey: new Map(), byType: new Map(), runs: 0 });

export const typeOf = (t: Task) => t.typeName ?? t.constructor.name;
export const keyOf = (t: Task) => `${typeOf(t)}\u0000${t.description()}`;
export const push = (m: Map<string, number[]>, k: string, v: number) => {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
};

/** How long a task's (last) run took, paused time left out; null when it did not finish. */
export function runDuration(t: Task): number | null {
  const r = t.records;
  if (!r.runStartedAt || !r.runFinishedAt || r.skippedAt) return null;
  return Math.max(0, r.runFinishedAt - r.runStartedAt - (r.pausedMs ?? 0));
}

/** Adds a finished rollout's leaf durations to a history. */
export function addToHistory(h: History, leaves: Task[]) {
  h.runs++;
  for (const t of leaves) {
    const d = runDuration(t);
    if (d === null) continue;
    push(h.byKey, keyOf(t), d);
    push(h.byType, typeOf(t), d);
  }
}

function medianOf(xs: number[] | undefined): number | null {
  if (!xs?.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** medianOf, remembered per list: every not-started task of a type asks for the same one (1 000 sorts of 1 000 otherwise). */
export function memoMedian(): (xs: number[] | undefined) => number | null {
  const known = new Map<number[], number | null>();
  return (xs) => {
    if (!xs) return null;
    let m = known.get(xs);
    if (m === undefined) known.set(xs, (m = medianOf(xs)));
    return m;
  };
}

const HISTORY_ROLLOUTS = 10;
/** Per finished rollout: its leaves' [type, key, duration], small enough to keep. */
const cache = new Map<number, [string, string, number][]>();
const CACHE_MAX = 100;

/** The leaf tasks that finished in the last finished rollouts of `kind` (before `beforeId`). */
export async function historyOf(db: Db, kind: string, beforeId: number): Promise<History> {
  const rs = await db.$client.execute({
    sql: "SELECT id FROM rollout WHERE kind = ? AND status = 'finished' AND id < ? ORDER BY id DESC LIMIT ?",
    args: [kind, beforeId, HISTORY_ROLLOUTS],
  });
  const h = emptyHistory();
  h.runs = rs.rows.length;
  for (const r of rs.rows) {
    const id = Number(r.id);
    let durations = cache.get(id);
    if (!durations) {
      const rows = await loadTasks(
        db,
        id,
        `SELECT x.id FROM task x WHERE x.rollout_id = ? AND x.run_finished_at IS NOT NULL AND x.skipped_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM task c WHERE c.rollout_id = x.rollout_id AND c.parent_id = x.id) LIMIT 5000`,
        [id],
      );
      durations = rows.flatMap(({ task }) => {
        const d = runDuration(task);
        return d === null ? [] : [[typeOf(task), keyOf(task), d] as [string, string, number]];
      });
      if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
      cache.set(id, durations);
    }
    for (const [type, key, d] of durations) {
      push(h.byKey, key, d);
      push(h.byType, type, d);
    }
  }
  return h;
}


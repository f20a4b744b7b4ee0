// Time left: an estimate of when a rollout (or its rollback) ends. Each task not
// yet done is expected to take as long as the same task (same type and
// description, else the same type) took in earlier finished rollouts of the same
// kind, then in this run; a delay takes what its state says (what is left of it
// while it runs). A sequence adds up its children, a parallel group takes the
// longest. Paused rollouts and tasks waiting for a person are open-ended: no end
// is guessed. It never claims less than what is known: a task with nothing to
// go by is not counted as instant but leaves the end open (the work known is a
// lower bound), and so does an approval gate still ahead (a person decides when).
// The tree walk is pure (estimateEta); etaOf reads the history.
import type { Db } from "../store/db";
import { loadTasks } from "../store/tasks";
import type { Task } from "../authoring/task";
import type { RolloutStatus } from "../status";
import { revertOrderOf, revertSteps, type PreviewStep } from "../authoring/rollback-plan";

export type Confidence = "high" | "medium" | "low";

export type Eta = {
  /** When it is expected to end (ms since the epoch), or null when open-ended. */
  endsAt: number | null;
  /** Seconds left, or null when open-ended (paused, a person to wait for, or tasks with nothing to go by). */
  secondsLeft: number | null;
  /** high: every task left has a delay or a recorded duration of the same task; medium: some only of the same type; low: some unknown, or open-ended. */
  confidence: Confidence;
  /** What the estimate is of: the run or the rollback ("plan": a rollout not started yet, as if run now). */
  phase: "plan" | "run" | "rollback";
  /** Estimated work left in seconds, not counting the open-ended part (also while paused): at least this long. */
  workSeconds: number;
  /** Approval gates not decided yet (waiting now or still ahead): the end waits for them. */
  approvalsAhead: number;
  /** Tasks left with no duration to go by (not in workSeconds). */
  untimedTasks: number;
  /** How many earlier finished rollouts of the kind it learned from (0: no earlier run to learn from). */
  learnedFrom: number;
  /**
   * Why the end is open: paused; a person must decide now (an approval gate or a failed task waits);
   * approval gates lie ahead; tasks with nothing to go by; the rollout is stopping. null when it is not.
   */
  openEnded: "paused" | "waiting" | "approvals_ahead" | "untimed" | "stopping" | null;
  /** Why the estimate is open-ended or unsure, in words; null when it is not. */
  note: string | null;
  /** Seconds left of each running group (composite task), by task id. */
  groups: { taskId: number; secondsLeft: number | null }[];
};

/** Recorded durations (ms) of earlier finished rollouts' tasks, most recent first; `runs`: how many rollouts. */
export type History = { byKey: Map<string, number[]>; byType: Map<string, number[]>; runs: number };

export const emptyHistory = (): History => ({ byKey: new Map(), byType: new Map(), runs: 0 });

const typeOf = (t: Task) => t.typeName ?? t.constructor.name;
const keyOf = (t: Task) => `${typeOf(t)}\u0000${t.description()}`;
const push = (m: Map<string, number[]>, k: string, v: number) => {
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
function memoMedian(): (xs: number[] | undefined) => number | null {
  const known = new Map<number[], number | null>();
  return (xs) => {
    if (!xs) return null;
    let m = known.get(xs);
    if (m === undefined) known.set(xs, (m = medianOf(xs)));
    return m;
  };
}

const delaySeconds = (t: Task): number | null => {
  const v = (t as Task & { totalSeconds?: unknown }).totalSeconds;
  return typeof v === "number" && !t.children.length ? v : null;
};
const isParallel = (t: Task) => revertOrderOf(t)?.parallel === true;
// By a static marker, not instanceof: the pages' bundle and the server load the engine as separate module copies.
const waitsForPerson = (t: Task) => !t.children.length && (t.constructor as { waitsForPerson?: boolean }).waitsForPerson === true;

type Part = { ms: number; open: boolean; conf: Confidence };
const worst = (a: Confidence, b: Confidence): Confidence => (a === "low" || b === "low" ? "low" : a === "medium" || b === "medium" ? "medium" : "high");

/**
 * The estimate for a rollout in `status` whose whole tree is `root`, at time `at`,
 * from the `history` of earlier finished rollouts of its kind.
 */
export function estimateEta(root: Task | null, history: History, at: number, status: RolloutStatus, opts: { pausedAt?: number | null } = {}): Eta | null {
  if (!root) return null;
  const leaves = [...root.walk()].filter((t) => !t.children.length);
  const here = emptyHistory();
  addToHistory(here, leaves);
  const revertHere = emptyHistory();
  for (const t of leaves) {
    const r = t.records;
    if (r.revertStartedAt && r.revertFinishedAt) {
      const d = r.revertFinishedAt - r.revertStartedAt;
      push(revertHere.byKey, keyOf(t), d);
      push(revertHere.byType, typeOf(t), d);
    }
  }
  const median = memoMedian();
  const paused = status === "paused";
  const clock = paused && opts.pausedAt ? opts.pausedAt : at;
  const groups: Eta["groups"] = [];
  let unknown = 0;
  let waiting = 0;
  let gatesAhead = 0;
  let failedWaiting = false;

  const expectedRun = (t: Task): { ms: number; conf: Confidence } | null => {
    const delay = delaySeconds(t);
    if (delay !== null) return { ms: delay * 1000, conf: "high" };
    const k = keyOf(t);
    const byKey = median(history.byKey.get(k)) ?? median(here.byKey.get(k));
    if (byKey !== null) return { ms: byKey, conf: "high" };
    const byType = median(history.byType.get(typeOf(t))) ?? median(here.byType.get(typeOf(t)));
    if (byType !== null) return { ms: byType, conf: "medium" };
    return null;
  };

  const run = (t: Task): Part => {
    const s = t.status;
    if (s === "finished" || s === "skipped" || s === "rolled_back" || s === "revert_failed" || s === "rolling_back") return { ms: 0, open: false, conf: "high" };
    if (s === "waiting") {
      waiting++;
      return { ms: 0, open: true, conf: "low" };
    }
    if (s === "failed") {
      failedWaiting = true; // waits for a decision (the run is paused)
      return { ms: 0, open: true, conf: "low" };
    }
    // A gate ahead: however long it took before, a person decides when.
    if (waitsForPerson(t)) {
      gatesAhead++;
      return { ms: 0, open: true, conf: "low" };
    }
    if (t.children.length) {
      const parts = t.children.map(run);
      const par = isParallel(t);
      const part = parts.reduce<Part>(
        (acc, p) => ({ ms: par ? Math.max(acc.ms, p.ms) : acc.ms + p.ms, open: acc.open || p.open, conf: worst(acc.conf, p.conf) }),
        { ms: 0, open: false, conf: "high" },
      );
      if (s === "started" && t.id !== null) groups.push({ taskId: t.id, secondsLeft: part.open || paused ? null : Math.ceil(part.ms / 1000) });
      return part;
    }
    const exp = expectedRun(t);
    if (!exp) {
      unknown++;
      return { ms: 0, open: true, conf: "low" }; // not instant: unknown, so the end is too
    }
    if (s === "not_started") return { ms: exp.ms, open: false, conf: exp.conf };
    // running: what is left of it
    const r = t.records;
    const elapsed = Math.max(0, clock - (r.runStartedAt ?? clock) - (r.pausedMs ?? 0));
    const left = exp.ms - elapsed;
    if (left < 0) return { ms: 0, open: false, conf: worst(exp.conf, "medium") }; // taking longer than it used to
    return { ms: left, open: false, conf: exp.conf };
  };

  const expectedRevert = (task: Task): { ms: number; conf: Confidence } | null => {
    const delay = delaySeconds(task);
    if (delay !== null) return { ms: (task.state as { reversible?: boolean }).reversible ? delay * 1000 : 0, conf: "high" };
    const byKey = median(revertHere.byKey.get(keyOf(task)));
    if (byKey !== null) return { ms: byKey, conf: "high" };
    const byType = median(revertHere.byType.get(typeOf(task)));
    if (byType !== null) return { ms: byType, conf: "medium" };
    unknown++;
    return null;
  };

  let phase: Eta["phase"];
  let part: Part;
  let note: string | null = null;
  if (status === "rolling_back" || status === "aborting_rollback" || status === "terminating_rollback") {
    phase = "rollback";
    const byId = new Map([...root.walk()].map((t) => [t.id, t]));
    // the reverts left, plus what is left of the ones under way
    const steps = revertSteps(root);
    const walk = (ss: PreviewStep[], par: boolean): Part =>
      ss.reduce<Part>(
        (acc, st) => {
          let p: Part;
          if ("parallel" in st) p = walk(st.parallel, true);
          else if ("sequence" in st) p = walk(st.sequence, false);
          else {
            const task = byId.get(st.taskId)!;
            const e = expectedRevert(task);
            const started = task.records.revertStartedAt;
            if (!e) p = { ms: 0, open: true, conf: "low" };
            else p = { ms: started ? Math.max(0, e.ms - (clock - started)) : e.ms, open: false, conf: e.conf };
          }
          return { ms: par ? Math.max(acc.ms, p.ms) : acc.ms + p.ms, open: acc.open || p.open, conf: worst(acc.conf, p.conf) };
        },
        { ms: 0, open: false, conf: "high" },
      );
    part = walk(steps, false);
    if (status !== "rolling_back") note = "The rollback is stopping";
  } else if (status === "not_started" || status === "started" || status === "paused") {
    phase = status === "not_started" ? "plan" : "run";
    part = run(root);
    const more = gatesAhead ? `, then ${gatesAhead} more` : "";
    if (paused) {
      part.open = true;
      note = "Paused: open-ended until someone resumes it";
    } else if (waiting) note = `Waiting for ${waiting === 1 ? "an approval" : `${waiting} approvals`}${more}: open-ended until someone decides`;
    else if (failedWaiting) note = "A failed task waits for a decision: open-ended";
    else if (gatesAhead) note = `Then waits for ${gatesAhead === 1 ? "an approval" : `${gatesAhead} approvals`}: open-ended until someone decides`;
  } else if (status === "aborting_rollout" || status === "terminating_rollout") {
    return { ...openEnd("run", "Stopping: the rollback follows", history.runs), workSeconds: 0, groups: [] };
  } else {
    return null;
  }
  if (!note && unknown) {
    note = phase === "rollback"
      ? `${unknown} revert(s) not timed yet: the end is open, at least the work known`
      : history.runs
      ? `${unknown} task(s) have no recorded duration yet: the end is open, at least the work known`
      : `No earlier run to learn from: ${unknown} task(s) not timed yet`;
  }
  const secondsLeft = part.open ? null : Math.ceil(part.ms / 1000);
  const openEnded: Eta["openEnded"] =
    secondsLeft !== null ? null
    : paused ? "paused"
    : waiting || failedWaiting ? "waiting"
    : phase === "rollback" && status !== "rolling_back" ? "stopping"
    : gatesAhead ? "approvals_ahead"
    : "untimed";
  return {
    endsAt: secondsLeft === null ? null : at + part.ms,
    secondsLeft,
    confidence: part.open ? "low" : part.conf,
    phase,
    workSeconds: Math.ceil(part.ms / 1000),
    openEnded,
    approvalsAhead: waiting + gatesAhead,
    untimedTasks: unknown,
    learnedFrom: history.runs,
    note,
    groups: groups.reverse(),
  };
}

const openEnd = (phase: Eta["phase"], note: string, learnedFrom: number) =>
  ({ endsAt: null, secondsLeft: null, confidence: "low", phase, openEnded: "stopping", note, approvalsAhead: 0, untimedTasks: 0, learnedFrom }) as const;

// ---- the history of a kind, read from the database (finished rollouts do not change: cached) ----

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

/** The estimate for a rollout whose tree is loaded; null when it is done. */
export async function etaOf(db: Db, row: { id: number; kind: string; status: string; pausedAt?: number | null }, root: Task | null, at: number): Promise<Eta | null> {
  const status = row.status as RolloutStatus;
  if (!root || ["finished", "rolled_back", "rollback_failed"].includes(status)) return null;
  const history = status === "rolling_back" || status === "aborting_rollback" || status === "terminating_rollback" ? emptyHistory() : await historyOf(db, row.kind, row.id);
  return estimateEta(root, history, at, status, { pausedAt: row.pausedAt });
}

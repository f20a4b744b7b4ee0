// Task transitions as the runner records them: each committed before the
// engine goes on (through the group commit), and fenced by the runner's lease,
// so a runner that lost its lease cannot change a task any more.
import type { InValue as Value } from "@libsql/client";
import type { Db } from "./db";
import type { Task, Attempt } from "../authoring/task";
import { groupCarry, groupUpdate, groupWrite, LEASE_HELD } from "./group-commit";
import { hintChanged } from "../change-hints";

export class LeaseLost extends Error {
  name = "LeaseLost";
}

export type Phase = "run" | "revert";

// Checked once per started row. From the status index alone, not the rollout's row: status
// sits after config there, and a big config's overflow pages were walked once per row.
const NOT_PAUSED = "NOT EXISTS (SELECT 1 FROM rollout INDEXED BY rollout_status_idx WHERE status = 'paused' AND id = task.rollout_id)";

// The embedded libSQL driver is synchronous under its promises, so a run of
// quick tasks is one unbroken chain of microtasks: without a pause, timers
// (signal polling, lease renewal), HTTP requests in the same process and the
// finalizers that free prepared statements (native memory) all wait until the
// whole tree is done. Every few milliseconds, give the event loop a turn.
const BREATHE_EVERY_MS = 10;
let lastBreath = performance.now();
let breath: Promise<void> | undefined;

function breathe(): Promise<void> | undefined {
  return performance.now() - lastBreath < BREATHE_EVERY_MS ? undefined : waitForBreath();
}

async function waitForBreath(): Promise<void> {
  // One turn shared by every waiting task; a big parallel group resumes a slice at a time.
  while (performance.now() - lastBreath >= BREATHE_EVERY_MS) {
    breath ??= new Promise((resolve) =>
      setImmediate(() => {
        breath = undefined;
        lastBreath = performance.now();
        resolve();
      }),
    );
    await breath;
  }
}

/** Task transitions, each committed before the engine goes on; fenced by the runner's lease. */
export class TaskRecorder {
  /** A carried finish that could not be committed: every later transition is refused with it. */
  private carriedFailure: unknown = null;

  constructor(
    private readonly db: Db,
    private readonly rolloutId: number,
    private readonly owner: string,
  ) {}

  private refuseAfterCarriedFailure() {
    if (this.carriedFailure) throw this.carriedFailure;
  }

  /** One transition, committed (with others that arrive meanwhile: see group-commit.ts) before it resolves. */
  private async write(sql: string, args: (string | number | null)[]): Promise<void> {
    this.refuseAfterCarriedFailure();
    const rowsAffected = await groupWrite(this.db, {
      sql: `${sql} AND ${LEASE_HELD}`,
      args: [...args, this.owner, this.rolloutId],
    });
    if (rowsAffected !== 1) throw new LeaseLost(`Lost the lease on rollout ${this.rolloutId}, or the task changed under us`);
    hintChanged(this.rolloutId);
  }

  /** A hot transition (a start, an end): merged with others of its shape into one statement of the group commit. */
  private async update(task: Task, set: Record<string, Value>, guard = "1"): Promise<void> {
    this.refuseAfterCarriedFailure();
    const rowsAffected = await groupUpdate(this.db, { rolloutId: this.rolloutId, owner: this.owner, taskId: task.id!, set, guard });
    if (rowsAffected !== 1) throw new LeaseLost(`Lost the lease on rollout ${this.rolloutId}, or the task changed under us`);
    hintChanged(this.rolloutId);
  }

  /**
   * A task's start, after a pause when one is due, so that the event loop gets
   * its turn even in a long run of quick tasks. The starts of a parallel group
   * wait for the same turn, then share one commit. Ends are never held back.
   */
  private async paced(task: Task, set: Record<string, Value>, guard: string): Promise<void> {
    const turn = breathe();
    if (turn) await turn;
    await this.update(task, set, guard);
  }

  /**
   * A run's start, refused while the rollout is paused: "paused" then, and the
   * caller waits for the resume. (A pause sent a moment ago wins over a start.)
   */
  async startedUnlessPaused(task: Task, at: number): Promise<"ok" | "paused"> {
    try {
      await this.paced(task, { run_started_at: at }, `task.run_started_at IS NULL AND ${NOT_PAUSED}`);
      return "ok";
    } catch (e) {
      if (!(e instanceof LeaseLost)) throw e;
      const rs = await this.db.$client.execute({ sql: "SELECT status, lease_owner FROM rollout WHERE id = ?", args: [this.rolloutId] });
      if (rs.rows[0]?.status === "paused" && rs.rows[0]?.lease_owner === this.owner) return "paused";
      throw e;
    }
  }

  /** A new attempt of a failed run: the last one joins the earlier attempts, and the run starts afresh. */
  newAttempt(task: Task, attempts: Attempt[], at: number) {
    return this.write(
      `UPDATE task SET attempts = ?, run_started_at = ?, run_finished_at = NULL, run_result = NULL, run_failed_at = NULL, run_error = NULL,
         run_trace = NULL, paused_ms = 0, waiting_at = NULL WHERE rollout_id = ? AND id = ?`,
      [JSON.stringify(attempts), at, this.rolloutId, task.id],
    );
  }

  /** An approval gate starts (or stops: null) waiting for a person. */
  waiting(task: Task, at: number | null) {
    return this.write("UPDATE task SET waiting_at = ? WHERE rollout_id = ? AND id = ?", [at, this.rolloutId, task.id]);
  }

  /** An operator skipped the failed task: the run carries on as if it had finished. */
  skipped(task: Task, at: number) {
    return this.write("UPDATE task SET skipped_at = ? WHERE rollout_id = ? AND id = ? AND run_failed_at IS NOT NULL", [at, this.rolloutId, task.id]);
  }

  started(task: Task, phase: Phase, at: number) {
    // Only once: a task that already started cannot start again.
    return this.paced(task, { [`${phase}_started_at`]: at }, `task.${phase}_started_at IS NULL`);
  }

  finished(task: Task, phase: Phase, at: number, result: string | null) {
    return this.update(task, { [`${phase}_finished_at`]: at, [`${phase}_result`]: result });
  }

  /**
   * A leaf's run finished: written with the next transition, in the same commit
   * (one statement when that is the next sibling's start). Returns at once; the
   * caller must let nothing observable depend on it but the recorder's next
   * transition, which is committed with it (or refused, when it could not be).
   */
  finishedCarried(task: Task, at: number, result: string | null): void {
    this.refuseAfterCarriedFailure();
    const update = { rolloutId: this.rolloutId, owner: this.owner, taskId: task.id!, set: { run_finished_at: at, run_result: result }, guard: "1" };
    groupCarry(this.db, update).then(
      (rowsAffected) => {
        if (rowsAffected === 1) hintChanged(this.rolloutId);
        else this.carriedFailure ??= new LeaseLost(`Lost the lease on rollout ${this.rolloutId}, or the task changed under us`);
      },
      (e) => void (this.carriedFailure ??= e),
    );
  }

  failed(task: Task, phase: Phase, at: number, error: string, trace: string | null) {
    return this.write(
      `UPDATE task SET ${phase}_failed_at = ?, ${phase}_error = ?, ${phase}_trace = ? WHERE rollout_id = ? AND id = ?`,
      [at, error, trace, this.rolloutId, task.id],
    );
  }

  /** Forgets an interrupted revert so that it can be done again after a takeover. */
  resetRevert(task: Task) {
    return this.write(
      "UPDATE task SET revert_started_at = NULL, revert_finished_at = NULL, revert_failed_at = NULL, revert_result = NULL, revert_error = NULL, revert_trace = NULL WHERE rollout_id = ? AND id = ?",
      [this.rolloutId, task.id],
    );
  }
}

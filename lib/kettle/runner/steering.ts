// The runner's side of people steering a rollout: whether the run is paused
// (the gate no new task passes while it is), time that stops counting while
// paused, and the decisions (approve, reject, retry, skip) read from the
// database and handed to the task that waits for them. Decisions are marked
// handled only once what they caused has been recorded, so a crash in between
// loses none.
import type { Db } from "../store/db";
import { markHandled, type DecisionRow } from "../store/decisions";
import { controller, sleep, taskSleep } from "./waiting";
import { now } from "../clock";

type Waiter = { actions: string[]; resolve: (d: DecisionRow | null) => void };

export class Steering {
  private paused = false;
  private pausedAt: number | null = null;
  /** Fires when the run becomes paused; replaced after each resume. */
  private pausing = controller();
  private unpaused = controller();
  private readonly seen = new Set<number>();
  /** Task decisions read but not yet taken by a waiting task. */
  private readonly inbox = new Map<number, DecisionRow[]>();
  private readonly waiters = new Map<number, Waiter>();
  /** Decisions a task took, to be marked handled once its outcome is recorded. */
  private readonly taken = new Map<number, DecisionRow[]>();

  constructor(
    private readonly db: Db,
    private readonly rolloutId: number,
    private readonly owner: string,
    private readonly log: (line: string) => void,
  ) {}

  get isPaused(): boolean {
    return this.paused;
  }

  /** When the current pause began (null when not paused). */
  get since(): number | null {
    return this.pausedAt;
  }

  /** What the poll read: the rollout's status and its decisions not yet handled. */
  async observe(status: string, pausedAt: number | null, decisions: DecisionRow[]): Promise<void> {
    this.setPaused(status === "paused", pausedAt);
    for (const d of decisions) {
      if (this.seen.has(d.id)) continue;
      this.seen.add(d.id);
      this.log(describeDecision(d));
      if (d.taskId === null) {
        // pause / resume / retry_rollback: the status change was made with the row; nothing more to do.
        await markHandled(this.db, d.id, this.rolloutId, this.owner, now());
        continue;
      }
      const waiter = this.waiters.get(d.taskId);
      if (waiter?.actions.includes(d.action)) {
        this.waiters.delete(d.taskId);
        this.take(d);
        waiter.resolve(d);
      } else {
        this.inbox.set(d.taskId, [...(this.inbox.get(d.taskId) ?? []), d]);
      }
    }
  }

  /** The runner paused or resumed the run itself (a failed task, a decision carried out). */
  setPaused(paused: boolean, at: number | null): void {
    if (paused === this.paused) return;
    this.paused = paused;
    this.pausedAt = paused ? (at ?? now()) : null;
    if (paused) {
      this.pausing.abort();
      this.unpaused = controller();
    } else {
      this.unpaused.abort();
      this.pausing = controller();
    }
  }

  /** Waits while the run is paused. False when one of `stops` fired first. */
  async gate(...stops: AbortSignal[]): Promise<boolean> {
    while (this.paused) {
      if (stops.some((s) => s.aborted)) return false;
      await sleep(2 ** 31 - 1, this.unpaused.signal, ...stops);
    }
    return !stops.some((s) => s.aborted);
  }

  /** Sleeps `ms` of unpaused time. False as soon as one of `stops` fires. */
  async sleep(ms: number, ...stops: AbortSignal[]): Promise<boolean> {
    const until = () => ms - spent;
    let spent = 0;
    while (until() > 0) {
      if (!(await this.gate(...stops))) return false;
      const from = now();
      await taskSleep(until(), this.pausing.signal, ...stops);
      if (stops.some((s) => s.aborted)) return false;
      spent += now() - from;
    }
    return true;
  }

  /**
   * Waits for one of `actions` on a task. Null when a stop signal fired or the
   * (unpaused) timeout passed first.
   */
  async waitFor(taskId: number, actions: string[], stops: AbortSignal[], timeoutMs?: number): Promise<DecisionRow | null> {
    const queued = this.inbox.get(taskId) ?? [];
    const ready = queued.find((d) => actions.includes(d.action));
    if (ready) {
      this.inbox.set(taskId, queued.filter((d) => d !== ready));
      this.take(ready);
      return ready;
    }
    const gaveUp = controller();
    const decided = new Promise<DecisionRow | null>((resolve) => this.waiters.set(taskId, { actions, resolve }));
    const timeout = timeoutMs === undefined ? new Promise<null>(() => {}) : this.sleep(timeoutMs, gaveUp.signal, ...stops).then(() => null);
    const stopped = sleep(2 ** 31 - 1, gaveUp.signal, ...stops).then(() => null);
    const result = await Promise.race([decided, timeout, stopped]);
    gaveUp.abort();
    if (!result) this.waiters.delete(taskId);
    return result;
  }

  private take(d: DecisionRow) {
    this.taken.set(d.taskId!, [...(this.taken.get(d.taskId!) ?? []), d]);
  }

  /** Marks the decisions a task took as handled: call once what they caused is recorded. */
  /** Whether a decision taken by this task waits to be marked handled (settle). */
  hasTaken(taskId: number): boolean {
    return this.taken.has(taskId);
  }

  async settle(taskId: number): Promise<void> {
    const taken = this.taken.get(taskId);
    if (!taken) return;
    this.taken.delete(taskId);
    for (const d of taken) await markHandled(this.db, d.id, this.rolloutId, this.owner, now());
  }
}

export function describeDecision(d: Pick<DecisionRow, "action" | "by" | "taskId" | "comment">): string {
  const verb: Record<string, string> = {
    pause_rollout: "Paused",
    resume_rollout: "Resumed",
    approve: `Task ${d.taskId} approved`,
    reject: `Task ${d.taskId} rejected`,
    retry: `Task ${d.taskId} retried`,
    skip: `Task ${d.taskId} skipped`,
    retry_rollback: "Rollback retried",
  };
  const what = verb[d.action] ?? `${d.action}${d.taskId === null ? "" : ` task ${d.taskId}`}`;
  return `${what}${d.by ? ` by ${d.by}` : ""}${d.comment ? `: ${d.comment}` : ""}`;
}

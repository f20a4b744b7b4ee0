// What stops an execution, and how it stays alive: the operator's signals read
// from the database (and the ones the runner sends itself) fire the run's and
// the rollback's AbortControllers; a heartbeat polls them and renews the lease;
// losing the lease detaches the execution, after which it writes nothing more.
import type { Db } from "../store/db";
import { LeaseLost } from "../store/task-recorder";
import { insertSignal, signalsAndOwner } from "../store/rollouts";
import { renewLease } from "../store/leases";
import { unhandledDecisions } from "../store/decisions";
import type { Steering } from "./steering";
import { KettleError } from "../errors";
import { now } from "../clock";
import type { SignalName } from "../signals";
import { controller, sleep } from "./waiting";
import { countLeaseRenewal } from "../outbound/metrics";

/** A line for the rollout's own log, in its run or its rollback stream. */
export type RolloutLog = (stream: "rollout" | "rollback", line: string) => void;

export type LivenessOptions = {
  owner: string;
  leaseMs: number;
  signalPollMs: number;
};

export class ExecutionSignals {
  readonly run = { abort: controller(), term: controller() };
  readonly rollback = { abort: controller(), term: controller() };
  /** Fired when this runner must stop touching the rollout (lease lost, shutting down). */
  readonly detached = controller();
  private readonly seen = new Set<string>();
  /** Set by skip_rollback: who asked to keep what ran, for the logs. */
  skipRollback: string | null = null;
  /** What first stopped the run (a signal and who sent it, or a task failure), for the logs. */
  stopCause: string | null = null;
  /** The same for the rollback (abort_rollback / term_rollback). */
  rollbackStopCause: string | null = null;

  constructor(
    private readonly db: Db,
    private readonly rolloutId: number,
    private readonly opts: LivenessOptions,
    private readonly steering: Steering,
    private readonly log: RolloutLog,
  ) {}

  /** Stops the execution without recording anything more (shutdown or lost lease). */
  detach(reason: string): void {
    if (this.detached.signal.aborted) return;
    this.detached.abort(new LeaseLost(reason));
    this.run.term.abort();
    this.rollback.term.abort();
  }

  /** After a lost lease or a shutdown nothing more is written: the caller's step ends here. */
  assertAttached(): void {
    if (this.detached.signal.aborted) throw new LeaseLost("detached");
  }

  /** A failing task stops the run: nothing new starts, delays end, running commands finish. The first cause is kept. */
  stopRun(cause: string): void {
    if (this.stopCause) return;
    this.stopCause = cause;
    this.run.abort.abort();
  }

  async sendOwn(name: SignalName, by: string): Promise<void> {
    try {
      await insertSignal(this.db, this.rolloutId, name, by, now());
    } catch (e) {
      if (!(e instanceof KettleError)) throw e; // already sent or no longer available: fine
    }
    await this.poll();
  }

  /** Reads the signals from the database and fires the matching AbortControllers. */
  async poll(): Promise<void> {
    const [{ owner, status, pausedAt, signals: rows }, decisions] = await Promise.all([
      signalsAndOwner(this.db, this.rolloutId),
      unhandledDecisions(this.db, this.rolloutId),
    ]);
    // Someone else took the rollout over (we were silent too long): stop at once, write nothing more.
    if (owner !== this.opts.owner) this.detach("lease lost");
    for (const s of rows) {
      if (this.seen.has(s.name)) continue;
      this.seen.add(s.name);
      const from = s.sentBy ? ` from ${s.sentBy}` : "";
      const rollbackSignal = s.name === "abort_rollback" || s.name === "term_rollback";
      this.log(rollbackSignal ? "rollback" : "rollout", `Signal ${s.name} received${from}`);
      const cause = `${s.name}${from}`;
      if (s.name === "abort_rollout" || s.name === "term_rollout") this.stopCause ??= cause;
      if (s.name === "abort_rollback" || s.name === "term_rollback") this.rollbackStopCause ??= cause;
      if (s.name === "abort_rollout") this.run.abort.abort();
      if (s.name === "term_rollout") this.run.term.abort();
      if (s.name === "skip_rollback") this.skipRollback = cause;
      if (s.name === "abort_rollback") this.rollback.abort.abort();
      if (s.name === "term_rollback") this.rollback.term.abort();
    }
    if (status && !this.detached.signal.aborted) await this.steering.observe(status, pausedAt, decisions);
  }

  /** Renews the lease and watches for signals until the execution is detached. */
  async heartbeat(): Promise<void> {
    const renewEvery = Math.max(100, Math.floor(this.opts.leaseMs / 3));
    let lastRenew = now();
    while (!this.detached.signal.aborted) {
      await sleep(this.opts.signalPollMs, this.detached.signal);
      if (this.detached.signal.aborted) break;
      try {
        await this.poll();
        if (now() - lastRenew >= renewEvery) {
          lastRenew = now();
          if (!(await renewLease(this.db, this.rolloutId, this.opts.owner, lastRenew, this.opts.leaseMs))) {
            this.detach("lease lost");
          } else countLeaseRenewal(); // metrics (issue 13)
        }
      } catch {
        // A passing database error: try again next beat; the lease covers the gap.
      }
    }
  }

  /** A write guarded by the lease (endPhase) that changed nothing means someone else owns the rollout now. */
  async ensure(ok: Promise<boolean>): Promise<void> {
    if (!(await ok)) throw new LeaseLost(`Lost the lease on rollout ${this.rolloutId}`);
  }
}

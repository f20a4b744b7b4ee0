// runner/: what runs a rollout (this loop, the executor, takeover, signals and
// steering on the runner's side, task contexts, commands, monitors). It imports
// authoring/, modules/, store/, outbound/metrics and the shared leaves; nothing
// on the web side calls into it: requests reach it as rows.
//
// The background runner: claims started rollouts from the database with a
// lease, executes them, renews the lease while it works, and takes over
// rollouts whose runner went silent. Several runners may share one database.
import os from "node:os";
import { randomBytes } from "node:crypto";
import type { Db } from "../store/db";
import { getRolloutRow } from "../store/rollouts";
import { claimableRollouts, claimLease, leasesOfLocalInstances, releaseLease } from "../store/leases";
import { loadTree } from "../store/tasks";
import { appendLog } from "../store/logs";
import { killOrphans } from "./commands";
import { heartbeatInstance, removeInstance } from "../store/instances";
import { resolveRolloutClass } from "../modules/registry";
import { Execution } from "./executor";
import { sleep } from "./waiting";
import { killAllGroups } from "./exec";
import { describeError } from "../errors";
import { now } from "../clock";
import { runPhaseStatuses } from "../status";
import { countLeaseClaim } from "../outbound/metrics";
import { promoteQueued, queuedKinds } from "../store/queue";
import { listFreezeRows } from "../store/freezes";
import { freezeState } from "../schedule/windows";

export type RunnerOptions = {
  /** A readable name for this instance (KETTLE_INSTANCE_NAME); the host name when not given. */
  id?: string;
  leaseMs?: number;
  pollMs?: number;
  signalPollMs?: number;
  log?: (line: string) => void;
};

export class Runner {
  readonly id: string;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly signalPollMs: number;
  private readonly executions = new Map<number, { execution?: Execution; done: Promise<void> }>();
  private readonly stopping = new AbortController();
  private wakeUp = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly say: (line: string) => void;

  constructor(
    private readonly db: Db,
    opts: RunnerOptions = {},
  ) {
    // Unique per process even with a configured name, so a restarted instance never mistakes old leases for its own.
    this.id = `${opts.id ?? os.hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
    this.leaseMs = opts.leaseMs ?? 10_000;
    this.pollMs = opts.pollMs ?? 250;
    this.signalPollMs = opts.signalPollMs ?? 50;
    this.say = opts.log ?? (() => {});
  }

  start(): this {
    this.loop ??= this.main();
    return this;
  }

  /**
   * Looks for work, and reads the signals of running rollouts, now instead of at
   * the next poll: an in-process speed-up after a run request or a signal.
   */
  wake(): void {
    this.wakeUp.abort();
    for (const { execution } of this.executions.values()) void execution?.pollSignals().catch(() => {});
  }

  /** When the loop last went round without an error (0 before it has): readiness asks whether this is within the lease. */
  lastLoopAt = 0;

  /** The lease's length: a loop that has not gone round within it is stuck. */
  get leaseLength(): number {
    return this.leaseMs;
  }

  /** Rollouts this runner is executing now. */
  get running(): number[] {
    return [...this.executions.keys()];
  }

  private async main() {
    let lastBeat = 0;
    while (!this.stopping.signal.aborted) {
      try {
        if (now() - lastBeat > this.leaseMs / 3) {
          lastBeat = now();
          await heartbeatInstance(this.db, this.id, lastBeat);
        }
        await this.claimAll();
        this.lastLoopAt = now();
      } catch (e) {
        this.say(`runner: ${describeError(e).message}`);
      }
      this.wakeUp = new AbortController();
      await sleep(this.pollMs, this.stopping.signal, this.wakeUp.signal);
    }
  }

  /** Starts queued rollouts of kinds with a free slot (not while the kind is frozen): a row change any instance may make. */
  private async promoteQueues(at: number) {
    const kinds = await queuedKinds(this.db);
    if (!kinds.length) return;
    const freezes = await listFreezeRows(this.db);
    for (const kind of kinds) if (!freezeState(freezes, kind, at).frozen) await promoteQueued(this.db, kind, at);
  }

  private async claimAll() {
    const at = now();
    await this.promoteQueues(at);
    const candidates = await claimableRollouts(this.db, at);
    const dead = await this.deadLocalOwners();
    for (const { id, previousOwner, ownerIsDead } of [...candidates.map((c) => ({ ...c, ownerIsDead: false })), ...dead]) {
      if (this.stopping.signal.aborted) return;
      if (this.executions.has(id)) continue;
      if (!(await claimLease(this.db, id, this.id, previousOwner, at, this.leaseMs, ownerIsDead))) continue; // another runner won
      countLeaseClaim(previousOwner !== null); // metrics (issue 13)
      const entry: { execution?: Execution; done: Promise<void> } = { done: Promise.resolve() };
      this.executions.set(id, entry);
      entry.done = this.execute(id, previousOwner, entry)
        .catch((e) => this.say(`runner: rollout ${id}: ${describeError(e).trace ?? e}`))
        .finally(() => this.executions.delete(id));
    }
  }

  /** Leases held by processes on this host that no longer exist (killed, crashed): no need to wait for them to run out. */
  private async deadLocalOwners() {
    if (now() - this.lastDeadCheck < 1000) return [];
    this.lastDeadCheck = now();
    const leases = await leasesOfLocalInstances(this.db, os.hostname(), this.id);
    return leases.filter((l) => !processAlive(l.pid)).map((l) => ({ id: l.id, previousOwner: l.owner, ownerIsDead: true }));
  }
  private lastDeadCheck = 0;
  /** The last reason logged for a rollout this runner could not load. */
  private readonly cannotRun = new Map<number, string>();

  private async execute(id: number, previousOwner: string | null, entry: { execution?: Execution }) {
    const row = await getRolloutRow(this.db, id);
    if (!row) return;
    let execution: Execution;
    try {
      const { cls } = await resolveRolloutClass(row.kind);
      const root = await loadTree(this.db, id);
      if (!root) throw new Error("it has no tasks");
      // A rollout that was started but never touched by a runner is a fresh run, not a takeover.
      const fresh = previousOwner === null && runPhaseStatuses.includes(row.status as never) && !root.records.runStartedAt;
      if (!fresh) {
        const killed = await killOrphans(this.db, id, os.hostname(), this.id);
        if (killed) await appendLog(this.db, id, null, "rollout", `Killed ${killed} command(s) left running by the previous instance`);
      }
      execution = new Execution(this.db, row, cls, root, {
        owner: this.id,
        leaseMs: this.leaseMs,
        signalPollMs: this.signalPollMs,
        takeoverFrom: fresh ? undefined : previousOwner,
      });
    } catch (e) {
      // Cannot load it here (a missing class or task kind): say so, once per reason, and let the
      // lease lapse for a runner that can (or for this one, once the code is back).
      const message = `Instance ${this.id} cannot run this rollout: ${describeError(e).message}`;
      if (this.cannotRun.get(id) !== message) {
        this.cannotRun.set(id, message);
        await appendLog(this.db, id, null, "rollout", message).catch(() => {});
      }
      throw e;
    }
    entry.execution = execution;
    this.say(`runner: executing rollout ${id}${previousOwner ? ` (taken over from ${previousOwner})` : ""}`);
    await execution.execute();
  }

  /**
   * Graceful shutdown: take no new work, stop the running tasks, and give the
   * leases back so the next start (or another instance) carries on at once.
   */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
    const entries = [...this.executions.entries()];
    for (const [, { execution }] of entries) execution?.detach("instance shutting down");
    killAllGroups();
    await Promise.allSettled(entries.map(([, e]) => e.done));
    for (const [id] of entries) {
      await appendLog(this.db, id, null, "rollout", `Instance ${this.id} shut down; the rollout is handed over`).catch(() => {});
      await releaseLease(this.db, id, this.id).catch(() => {});
    }
    await removeInstance(this.db, this.id).catch(() => {});
  }
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

// Starts scheduled runs (issue 21), beside the runner on every instance. Each
// due run is claimed lease style (store/schedules.ts), so one instance starts
// it; its plan is made again from the stored config and compared with the
// finalised one: a changed plan does not run, and says why (the diff) on the
// rollout, in its log, in the audit trail and as the webhook schedule.skipped.
// Otherwise it runs through operations.runRollout: the freeze windows, a kind's
// lock, its concurrency and the plan's approval apply as to any run. A restart
// changes nothing: the schedule is a row.
import type { Db } from "../store/db";
import { claimSchedule, dueSchedules, skipSchedule } from "../store/schedules";
import { requireRolloutRow } from "../store/rollouts";
import { appendLog } from "../store/logs";
import { resolveRolloutClass, typeNamesIn } from "../modules/registry";
import { planTree } from "../store/plans";
import { currentPlan, diffPlans, type PlanDiff } from "../read/plans";
import { generate, runRollout } from "../operations";
import { describeError, KettleError } from "../errors";
import { now } from "../clock";
import { sleep } from "../runner/waiting";
import type { AuditEntry } from "../store/audit";

export type SchedulerOptions = { pollMs?: number; claimMs?: number; log?: (line: string) => void; wake?: () => void };

export class Scheduler {
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly pollMs: number;
  private readonly claimMs: number;

  constructor(
    private readonly db: Db,
    private readonly opts: SchedulerOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? 500;
    this.claimMs = opts.claimMs ?? 60_000;
  }

  start(): this {
    this.loop ??= this.main();
    return this;
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  private async main() {
    while (!this.stopping.signal.aborted) {
      try {
        await this.tick();
      } catch (e) {
        this.opts.log?.(`scheduler: ${describeError(e).message}`);
      }
      await sleep(this.pollMs, this.stopping.signal);
    }
  }

  /** Starts what is due now; returns how many it took. */
  async tick(): Promise<number> {
    const at = now();
    let taken = 0;
    for (const due of await dueSchedules(this.db, at)) {
      if (this.stopping.signal.aborted) break;
      if (!(await claimSchedule(this.db, due.id, due.scheduledAt, at, this.claimMs))) continue; // another instance took it
      taken++;
      await this.start1(due.id, due.scheduledAt, due.by).catch((e) => this.opts.log?.(`scheduler: rollout ${due.id}: ${describeError(e).message}`));
    }
    return taken;
  }

  private async start1(id: number, scheduledFor: number, by: string | null) {
    const audit = (action: string, comment: string, outcome: "ok" | "refused" = "ok"): AuditEntry => ({ at: now(), user: by, role: null, via: "schedule", action, outcome, comment });
    const skip = async (reason: string, diff?: PlanDiff) => {
      await skipSchedule(this.db, id, { at: now(), scheduledFor, reason, ...(diff ? { diff } : {}) }, audit("schedule_skipped", reason, "refused"));
      await appendLog(this.db, id, null, "rollout", `The run scheduled for ${new Date(scheduledFor).toISOString()} did not start: ${reason}`);
    };
    const row = await requireRolloutRow(this.db, id);
    // The stale-plan rule: the plan is made again now; a different tree does not run.
    let diff: PlanDiff;
    try {
      const kind = await resolveRolloutClass(row.kind);
      const root = await generate(kind, id, row.config);
      const fresh = { config: row.config, tree: planTree(root, await typeNamesIn(root)) };
      diff = diffPlans(await currentPlan(this.db, id), fresh);
    } catch (e) {
      return skip(`its plan could not be made again: ${describeError(e).message}`);
    }
    if (!diff.same) {
      const what = [
        ...diff.tasks.added.map((t) => `added ${t.description}`),
        ...diff.tasks.removed.map((t) => `removed ${t.description}`),
        ...diff.tasks.changed.map((t) => `${t.before} → ${t.after}`),
      ];
      return skip(`the plan made now differs from the one finalised (${what.slice(0, 5).join("; ") || "config changed"}${what.length > 5 ? `; and ${what.length - 5} more` : ""}): finalise it again and schedule it again`, diff);
    }
    try {
      await runRollout(this.db, id, by, audit("run", `scheduled for ${new Date(scheduledFor).toISOString()}`), { scheduled: true });
    } catch (e) {
      if (e instanceof KettleError) return skip(e.message.replace(/^Run refused: /, ""));
      throw e;
    }
    await appendLog(this.db, id, null, "rollout", `Started as scheduled for ${new Date(scheduledFor).toISOString()}${by ? ` by ${by}` : ""}`);
    this.opts.wake?.();
  }
}

import { Task, type TaskContext } from "../task";
import { formatDuration } from "./delay";

export type ApprovalState = {
  /** What the approver is asked, shown on the rollout page: "Deploy wave 2 to 10 hosts?" */
  title: string;
  /** Give up waiting after this long (paused time not counted); then `onTimeout` decides. */
  timeoutMinutes?: number;
  /** What a timeout means: "reject" (the default) fails the task; "approve" lets the run carry on. */
  onTimeout?: "reject" | "approve";
};

/**
 * An approval gate: waits (status `waiting`) until someone approves or rejects
 * it on the rollout page or through the API. Approve lets the run continue;
 * reject fails the task (which rolls back, or pauses with onFailure "pause").
 * Survives restarts: it simply keeps waiting.
 */
export class ApprovalTask extends Task<ApprovalState> {
  static resumable = true;
  /** A person decides when it ends: the time-left estimate leaves the end open while one lies ahead. */
  static waitsForPerson = true;

  constructor({ title, timeoutMinutes, onTimeout = "reject" }: ApprovalState) {
    if (!title?.trim()) throw new Error("An approval gate needs a title");
    if (timeoutMinutes !== undefined && !(timeoutMinutes > 0)) throw new Error(`An approval timeout must be positive (got ${timeoutMinutes} min)`);
    super({ title, ...(timeoutMinutes !== undefined ? { timeoutMinutes } : {}), onTimeout });
  }

  async run(ctx: TaskContext) {
    const limit = this.state.timeoutMinutes ? this.state.timeoutMinutes * 60_000 : undefined;
    const left = limit === undefined ? undefined : Math.max(0, limit - ctx.activeMs());
    ctx.log(`Waiting for approval: ${this.state.title}${limit ? ` (times out after ${formatDuration(Math.round(limit / 1000))}: ${this.state.onTimeout ?? "reject"})` : ""}`);
    const answer = await ctx.waitForApproval(left);
    const by = answer?.by ? ` by ${answer.by}` : "";
    const comment = answer?.comment ? `: ${answer.comment}` : "";
    if (answer?.approved) return `Approved${by}${comment}`;
    if (answer) throw new Error(`Rejected${by}${comment}`);
    const timedOut = `No decision within ${formatDuration(Math.round(limit! / 1000))}`;
    if (this.state.onTimeout === "approve") {
      ctx.log(`${timedOut}: approved, as onTimeout says`);
      return `${timedOut}: approved (onTimeout)`;
    }
    ctx.log(`${timedOut}: rejected, as onTimeout says`);
    throw new Error(`${timedOut}: rejected (onTimeout)`);
  }

  description(): string {
    return `Approval: ${this.state.title}`;
  }
}

import { Task, type TaskContext } from "../task";
import { formatDuration } from "./delay";
import { approvalPolicy, describePolicy, type ApprovalPolicy } from "../approvals";

export type ApprovalState = ApprovalPolicy & {
  /** What the approver is asked, shown on the rollout page: "Deploy wave 2 to 10 hosts?" */
  title: string;
  /** Give up waiting after this long (paused time not counted); then `onTimeout` decides. */
  timeoutMinutes?: number;
  /**
   * What a timeout means: "reject" (the default) fails the task; "approve" lets the run
   * carry on; "pause" pauses the rollout for a person, and the gate goes on waiting.
   */
  onTimeout?: "reject" | "approve" | "pause";
};

/**
 * An approval gate: waits (status `waiting`) until enough people approve it, or
 * one rejects it, on the rollout page or through the API. Approve lets the run
 * continue; reject fails the task (which rolls back, or pauses with onFailure
 * "pause"). Who may approve, and how many must, follow `approvals`, `fourEyes`
 * and `approvers`. Survives restarts: the approvals given so far still count.
 */
export class ApprovalTask extends Task<ApprovalState> {
  static resumable = true;
  /** A person decides when it ends: the time-left estimate leaves the end open while one lies ahead. */
  static waitsForPerson = true;

  constructor({ title, timeoutMinutes, onTimeout = "reject", approvals, fourEyes, approvers }: ApprovalState) {
    if (!title?.trim()) throw new Error("An approval gate needs a title");
    if (timeoutMinutes !== undefined && !(timeoutMinutes > 0)) throw new Error(`An approval timeout must be positive (got ${timeoutMinutes} min)`);
    if (!["reject", "approve", "pause"].includes(onTimeout)) throw new Error(`onTimeout is "reject", "approve" or "pause" (got ${JSON.stringify(onTimeout)})`);
    const policy = approvalPolicy({ approvals, fourEyes, approvers }, "ApprovalTask");
    super({
      title,
      ...(timeoutMinutes !== undefined ? { timeoutMinutes } : {}),
      onTimeout,
      ...(policy.approvals > 1 ? { approvals: policy.approvals } : {}),
      ...(policy.fourEyes ? { fourEyes: true } : {}),
      ...(policy.approvers.length ? { approvers: policy.approvers } : {}),
    });
  }

  async run(ctx: TaskContext) {
    const limit = this.state.timeoutMinutes ? this.state.timeoutMinutes * 60_000 : undefined;
    const policy = approvalPolicy(this.state, "ApprovalTask");
    const onTimeout = this.state.onTimeout ?? "reject";
    ctx.log(`Waiting for ${describePolicy(policy)}: ${this.state.title}${limit ? ` (times out after ${formatDuration(Math.round(limit / 1000))}: ${onTimeout})` : ""}`);
    const approvedBy: string[] = [];
    let timing = limit !== undefined;
    while (approvedBy.length < policy.approvals) {
      const answer = await ctx.waitForApproval(timing ? Math.max(0, limit! - ctx.activeMs()) : undefined);
      if (answer === null) {
        const timedOut = `No decision within ${formatDuration(Math.round(limit! / 1000))}`;
        if (onTimeout === "approve") {
          ctx.log(`${timedOut}: approved, as onTimeout says`);
          return `${timedOut}: approved (onTimeout)`;
        }
        if (onTimeout === "pause") {
          ctx.log(`${timedOut}: the rollout is paused, as onTimeout says; the gate goes on waiting`);
          await ctx.pause(`${timedOut} on the approval gate "${this.state.title}"`);
          timing = false;
          continue;
        }
        ctx.log(`${timedOut}: rejected, as onTimeout says`);
        throw new Error(`${timedOut}: rejected (onTimeout)`);
      }
      const by = answer.by ? ` by ${answer.by}` : "";
      const comment = answer.comment ? `: ${answer.comment}` : "";
      if (!answer.approved) throw new Error(`Rejected${by}${comment}`);
      if (policy.approvals === 1) return `Approved${by}${comment}`;
      const who = answer.by ?? "anonymous";
      if (approvedBy.includes(who)) continue; // one person counts once
      approvedBy.push(who);
      if (approvedBy.length < policy.approvals) ctx.log(`Approved${by} (${approvedBy.length} of ${policy.approvals})${comment}`);
    }
    return `Approved by ${approvedBy.join(", ")}`;
  }

  description(): string {
    return `Approval: ${this.state.title}`;
  }
}

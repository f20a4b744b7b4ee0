import { Task, type TaskContext } from "../task";

export type DelayState = { minutes?: number; seconds?: number; reversible?: boolean };

/** Waits. Ends early on abort or term; waits again on revert only when reversible. */
export class DelayTask extends Task<DelayState> {
  /** After a restart it carries on with the time it had left. */
  static resumable = true;

  constructor({ minutes = 0, seconds = 0, reversible = false }: DelayState = {}) {
    if (!(minutes >= 0 && seconds >= 0) || minutes * 60 + seconds <= 0) {
      throw new Error(`A delay needs a positive duration (got ${minutes} min, ${seconds} s)`);
    }
    super({ minutes, seconds, reversible });
  }

  get totalSeconds(): number {
    return (this.state.minutes ?? 0) * 60 + (this.state.seconds ?? 0);
  }

  async run(ctx: TaskContext) {
    return this.wait(ctx);
  }

  async revert(ctx: TaskContext) {
    if (this.state.reversible) return this.wait(ctx);
  }

  private async wait(ctx: TaskContext) {
    // Measured from the recorded start, paused time left out: a resumed delay only waits what is left.
    const total = this.totalSeconds * 1000;
    const left = total - ctx.activeMs();
    ctx.log(left < total - 1000 ? `Waiting ${formatDuration(Math.max(0, Math.ceil(left / 1000)))} more of ${formatDuration(this.totalSeconds)}` : `Waiting ${formatDuration(this.totalSeconds)}`);
    if (left > 0 && !(await ctx.sleep(left))) {
      const waited = Math.round(ctx.activeMs() / 1000);
      const message = `Stopped by ${ctx.term.aborted ? "term" : "abort"} after ${waited} of ${this.totalSeconds} secs`;
      ctx.log(message);
      throw new Error(message);
    }
    return `Waited ${formatDuration(this.totalSeconds)}`;
  }

  description(): string {
    return `Delay for ${formatDuration(this.totalSeconds)}${this.state.reversible ? " (reversible)" : ""}`;
  }

  progress(now: number): string | null {
    const reverting = this.status === "rolling_back";
    if (reverting && !this.state.reversible) return null; // its revert does not wait
    const startedAt = reverting ? this.records.revertStartedAt : this.records.runStartedAt;
    if (!startedAt || (this.status !== "started" && !reverting)) return null;
    const paused = reverting ? 0 : this.records.pausedMs;
    const left = Math.max(0, Math.ceil((startedAt + paused + this.totalSeconds * 1000 - now) / 1000));
    return `${left} secs left`;
  }
}

/** `15 secs`, `1:30 mins`. */
export function formatDuration(totalSeconds: number): string {
  if (totalSeconds < 60) return `${totalSeconds} secs`;
  const m = Math.floor(totalSeconds / 60);
  const s = totalSeconds % 60;
  return `${m}:${String(s).padStart(2, "0")} mins`;
}

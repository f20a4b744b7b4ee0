import { Task, type TaskContext } from "../task";

export type ShellState = { command: string[]; revertCommand?: string[]; cwd?: string; env?: Record<string, string> };

/** Runs a command (an argument array, no shell parsing); the revert command undoes it. */
export class ShellTask extends Task<ShellState> {
  constructor(state: ShellState) {
    if (!Array.isArray(state.command) || state.command.length === 0) throw new Error("ShellTask needs a command: an array of arguments");
    super(state);
  }

  async run(ctx: TaskContext) {
    const { exitCode } = await ctx.exec(this.state.command, { cwd: this.state.cwd, env: this.state.env });
    return `exit ${exitCode}`;
  }

  async revert(ctx: TaskContext) {
    if (!this.state.revertCommand) return "nothing to revert";
    const { exitCode } = await ctx.exec(this.state.revertCommand, { cwd: this.state.cwd, env: this.state.env });
    return `exit ${exitCode}`;
  }

  description(): string {
    const show = (c: string[]) => c.map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(" ");
    return `Run \`${show(this.state.command)}\`` + (this.state.revertCommand ? `, revert with \`${show(this.state.revertCommand)}\`` : "");
  }
}

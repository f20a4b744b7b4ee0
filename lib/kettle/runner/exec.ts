// Runs a command for a task: output lines go to the task's log as they come;
// term kills the whole process group (SIGTERM, then SIGKILL after a grace).
import { spawn } from "node:child_process";
import { simulation, type CommandStub } from "./simulation";

export type ExecOptions = { cwd?: string; env?: Record<string, string>; killGraceMs?: number };
export type ExecResult = { exitCode: number; output: string[] };

const TAIL_LINES = 20;
/** How long to wait for the output pipes to close once the command has exited. */
const STREAM_GRACE_MS = 500;
/** Process groups still running, so a shutting-down runner can stop them all. */
export const runningGroups = new Set<number>();

export class CommandFailed extends Error {
  constructor(
    readonly exitCode: number | null,
    readonly signal: string | null,
    readonly tail: string[],
    command: string[],
  ) {
    const how = exitCode !== null ? `exited with code ${exitCode}` : `was killed by ${signal}`;
    super(`Command \`${command.join(" ")}\` ${how}` + (tail.length ? `; last output:\n${tail.join("\n")}` : ""));
    this.name = "CommandFailed";
  }
}

type ExecHooks = { log: (line: string) => void; term: AbortSignal; onSpawn?: (pgid: number) => void };

export function execCommand(command: string[], { cwd, env, killGraceMs = 2000 }: ExecOptions, { log, term, onSpawn }: ExecHooks): Promise<ExecResult> {
  const stub = simulation()?.commands;
  if (stub) return stubbedCommand(stub, command, { cwd, env }, log, term);
  return new Promise((resolve, reject) => {
    if (term.aborted) return reject(new Error("Terminated before the command started"));
    const child = spawn(command[0], command.slice(1), {
      cwd,
      env: { ...process.env, ...env },
      detached: true, // its own process group, so term reaches grandchildren too
      stdio: ["ignore", "pipe", "pipe"],
    });
    const pid = child.pid;
    const output: string[] = []; // the last 1000 lines
    const onLine = (line: string) => {
      log(line);
      output.push(line);
      if (output.length > 1000) output.shift();
    };
    const partial = ["", ""]; // the unfinished last line of stdout and of stderr
    const flushPartial = (i: number) => {
      if (partial[i]) onLine(partial[i]);
      partial[i] = "";
    };
    for (const [i, stream] of [child.stdout, child.stderr].entries()) {
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        const lines = (partial[i] + chunk).split("\n");
        partial[i] = lines.pop() ?? "";
        lines.forEach(onLine);
      });
      stream.on("end", () => flushPartial(i));
    }
    let killTimer: NodeJS.Timeout | undefined;
    const kill = () => {
      if (pid === undefined) return;
      signalGroup(pid, "SIGTERM");
      killTimer = setTimeout(() => signalGroup(pid, "SIGKILL"), killGraceMs);
    };
    if (pid !== undefined) {
      runningGroups.add(pid);
      onSpawn?.(pid);
    }
    term.addEventListener("abort", kill, { once: true });
    let settled = false;
    child.on("error", (error) => {
      if (settled) return;
      settled = true;
      term.removeEventListener("abort", kill);
      if (pid !== undefined) runningGroups.delete(pid);
      reject(new Error(`Could not start \`${command[0]}\`: ${error.message}`));
    });
    let streamTimer: NodeJS.Timeout | undefined;
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(streamTimer);
      flushPartial(0);
      flushPartial(1);
      term.removeEventListener("abort", kill);
      if (pid !== undefined) {
        // Whatever the command left behind in its group goes with it.
        if (signal || term.aborted) signalGroup(pid, "SIGKILL");
        runningGroups.delete(pid);
      }
      if (killTimer) clearTimeout(killTimer);
      if (exitCode === 0) resolve({ exitCode, output });
      else reject(new CommandFailed(exitCode, signal, output.slice(-TAIL_LINES), command));
    };
    child.on("close", finish);
    child.on("exit", (exitCode, signal) => {
      // The output still in the pipes arrives before "close". But a process the command left
      // running in the background may hold the pipes open: do not wait for it beyond a moment.
      streamTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish(exitCode, signal);
      }, STREAM_GRACE_MS);
    });
  });
}

/** Under testRollout with `commands`: the stand-in says what the command printed and how it exited. */
async function stubbedCommand(stub: CommandStub, command: string[], options: { cwd?: string; env?: Record<string, string> }, log: (line: string) => void, term: AbortSignal): Promise<ExecResult> {
  if (term.aborted) throw new Error("Terminated before the command started");
  const outcome = (await stub(command, options)) ?? {};
  const raw = outcome.output ?? [];
  const output = (typeof raw === "string" ? raw.split("\n").filter((l, i, all) => l || i < all.length - 1) : raw).map(String);
  output.forEach((line) => log(line));
  const exitCode = outcome.exitCode ?? 0;
  if (exitCode !== 0) throw new CommandFailed(exitCode, null, output.slice(-TAIL_LINES), command);
  return { exitCode, output };
}

export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Stops every command this process started (used on shutdown). */
export function killAllGroups(): void {
  for (const pid of runningGroups) signalGroup(pid, "SIGKILL");
}

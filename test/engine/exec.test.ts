// The command helper behind ctx.exec and ShellTask, on its own: streaming,
// cwd and env, failures, and term stopping the whole process group.
import { describe, it, expect } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execCommand, CommandFailed } from "@/lib/kettle/runner/exec";
import { waitFor } from "../helpers/db";
import { alive } from "./harness";

const collect = () => {
  const lines: string[] = [];
  return { lines, log: (l: string) => lines.push(l) };
};

describe.concurrent("execCommand", () => {
  it("runs an argument array (no shell parsing) and returns the exit code and output", async () => {
    const { lines, log } = collect();
    const term = new AbortController();
    const result = await execCommand(["echo", "a b", "$HOME;", "c"], {}, { log, term: term.signal });
    expect(result).toEqual({ exitCode: 0, output: ["a b $HOME; c"] });
    expect(lines).toEqual(["a b $HOME; c"]);
  });

  it("streams each line to the log as it comes, stdout and stderr, before the command ends", async () => {
    const { lines, log } = collect();
    const term = new AbortController();
    let settled = false;
    const running = execCommand(["sh", "-c", "echo first; echo oops >&2; sleep 30; echo never"], {}, { log, term: term.signal }).finally(
      () => (settled = true),
    );
    await waitFor(() => lines.includes("first") && lines.includes("oops"), { what: "the first lines" });
    expect(settled).toBe(false);
    term.abort();
    await expect(running).rejects.toThrow();
    expect(lines).not.toContain("never");
  });

  it("keeps a last line that has no newline", async () => {
    const { lines, log } = collect();
    await execCommand(["printf", "one\\ntwo"], {}, { log, term: new AbortController().signal });
    expect(lines).toEqual(["one", "two"]);
  });

  it("runs in the given cwd with the given env added to the runner's", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kettle-exec-"));
    const { lines, log } = collect();
    await execCommand(["sh", "-c", 'pwd; echo "$KETTLE_TEST_VAR"; test -n "$PATH" && echo has-path'], { cwd: dir, env: { KETTLE_TEST_VAR: "v42" } }, {
      log,
      term: new AbortController().signal,
    });
    expect(lines).toEqual([fs.realpathSync(dir), "v42", "has-path"]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("fails on a non-zero exit with the exit code and the last lines of output", async () => {
    const { log } = collect();
    const script = "for i in $(seq 1 30); do echo line $i; done; echo bad thing >&2; exit 3";
    const error = (await execCommand(["sh", "-c", script], {}, { log, term: new AbortController().signal }).catch((e) => e)) as CommandFailed;
    expect(error).toBeInstanceOf(CommandFailed);
    expect(error.exitCode).toBe(3);
    expect(error.message).toMatch(/exited with code 3/);
    expect(error.message).toContain("bad thing");
    expect(error.message).toContain("line 30");
    expect(error.message).not.toContain("line 5\n"); // only the last lines
    expect(error.tail.at(-1)).toBe("bad thing");
  });

  it("ends when the command exits, even if a process it left in the background still holds its output", async () => {
    const { lines, log } = collect();
    const t0 = Date.now();
    const result = await execCommand(["sh", "-c", "sleep 30 & echo $!; printf 'no newline'"], {}, { log, term: new AbortController().signal });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(result.exitCode).toBe(0);
    expect(lines[1]).toBe("no newline");
    const bg = Number(lines[0]);
    expect(alive(bg)).toBe(true); // left running on purpose (a daemon the command started)
    process.kill(bg, "SIGKILL");
  });

  it("fails clearly when the command does not exist", async () => {
    const { log } = collect();
    await expect(execCommand(["/no/such/command-kettle"], {}, { log, term: new AbortController().signal })).rejects.toThrow(
      /Could not start `\/no\/such\/command-kettle`/,
    );
  });

  it("does not start at all once term is set", async () => {
    const term = new AbortController();
    term.abort();
    const started: number[] = [];
    await expect(execCommand(["true"], {}, { log: () => {}, term: term.signal, onSpawn: (p) => started.push(p) })).rejects.toThrow(/Terminated/);
    expect(started).toEqual([]);
  });

  it("on term, kills the whole process group: the command and what it started", async () => {
    const { lines, log } = collect();
    const term = new AbortController();
    let pgid = 0;
    const running = execCommand(["sh", "-c", "sleep 60 & echo $!; sleep 60; echo never"], {}, { log, term: term.signal, onSpawn: (p) => (pgid = p) });
    const child = Number(await waitFor(() => lines.find((l) => /^\d+$/.test(l)), { what: "the background pid" }));
    expect(alive(pgid) && alive(child)).toBe(true);
    const t0 = Date.now();
    term.abort();
    const error = (await running.catch((e) => e)) as CommandFailed;
    expect(error.signal).toBe("SIGTERM");
    await waitFor(() => !alive(pgid) && !alive(child), { what: "the group to be gone", timeoutMs: 5000 });
    expect(Date.now() - t0).toBeLessThan(1500); // at once: no need for the SIGKILL grace
  });

  it("on term, SIGKILLs a command that ignores SIGTERM once the grace is over", async () => {
    const { lines, log } = collect();
    const term = new AbortController();
    let pgid = 0;
    const running = execCommand(["sh", "-c", "trap '' TERM; echo ready; while true; do sleep 0.05; done"], { killGraceMs: 300 }, {
      log,
      term: term.signal,
      onSpawn: (p) => (pgid = p),
    });
    await waitFor(() => lines.includes("ready"), { what: "the trap to be set" });
    const t0 = Date.now();
    term.abort();
    const error = (await running.catch((e) => e)) as CommandFailed;
    expect(error.signal).toBe("SIGKILL");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    await waitFor(() => !alive(pgid), { what: "the shell to be gone", timeoutMs: 5000 });
  });
});

// ShellTask and ctx.exec inside real rollouts: output into the task's log,
// failures, revert commands, abort letting a command finish, term killing it.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { engine, alive, type Engine } from "./harness";
import { waitFor } from "../helpers/db";

let e: Engine;
beforeAll(async () => {
  e = await engine();
});
afterAll(async () => {
  await e.stop();
});

/** Waits for the task's run log to show a line that is a pid, and returns it. */
const pidFromLog = async (id: number, taskId: number) =>
  Number(await waitFor(async () => (await e.taskLog(id, taskId, "run")).find((l) => /^\d+$/.test(l)), { what: "the command's pid in the log" }));

describe.concurrent("shell commands in rollouts", () => {
  it("a command's output goes to the task's run log line by line while it runs", async () => {
    const id = await e.start({ seq: [{ shell: ["sh", "-c", "echo one; echo two >&2; sleep 0.8; echo three"] }] });
    const lines = await waitFor(async () => {
      const log = await e.taskLog(id, 1, "run");
      return log.includes("two") && log;
    });
    expect(lines).not.toContain("three");
    expect((await e.view(id)).tasks!.children[0].status).toBe("started");
    const v = await e.until(id);
    expect(v.status).toBe("finished");
    expect(v.tasks!.children[0].run.result).toBe("exit 0");
    expect(await e.taskLog(id, 1, "run")).toEqual(["Started", "$ sh -c echo one; echo two >&2; sleep 0.8; echo three", "one", "two", "three", "Finished: exit 0"]);
  });

  it("a command that exits non-zero fails the task with the exit code and the last lines, and is rolled back", async () => {
    const id = await e.start({ shell: ["sh", "-c", "echo checking; echo 'disk full' >&2; exit 3"], revert: ["echo", "cleaned up"] });
    const v = await e.until(id);
    expect(v.status).toBe("rolled_back");
    const t = v.tasks!;
    expect(t.run.error).toBe("Command `sh -c echo checking; echo 'disk full' >&2; exit 3` exited with code 3; last output:\nchecking\ndisk full");
    expect(t.run.trace).toMatch(/CommandFailed/);
    expect(t.revert.result).toBe("exit 0");
    expect(await e.taskLog(id, t.id, "revert")).toEqual(["Revert started", "$ echo cleaned up", "cleaned up", "Reverted: exit 0"]);
    expect(await e.log(id, "rollout")).toContain(`Task 0 (${t.description}) failed: ${t.run.error}`);
  });

  it("the revert command runs on rollback; a shell task without one reverts as a no-op", async () => {
    const id = await e.start({ seq: [{ shell: ["true"], revert: ["sh", "-c", "echo undone"] }, { shell: ["true"] }, { fail: "later step failed" }] });
    const v = await e.until(id);
    expect(v.status).toBe("rolled_back");
    const [withRevert, without] = v.tasks!.children;
    expect(withRevert.revert.result).toBe("exit 0");
    expect(await e.taskLog(id, withRevert.id, "revert")).toContain("undone");
    expect(without.revert.result).toBe("nothing to revert");
  });

  it("a revert command that fails makes the rollback end rollback_failed, the others still reverted", async () => {
    const id = await e.start({ seq: [{ shell: ["true"], revert: ["true"] }, { shell: ["true"], revert: ["sh", "-c", "echo nope; exit 9"] }, { fail: "x" }] });
    const v = await e.until(id);
    expect(v.status).toBe("rollback_failed");
    const [first, second] = v.tasks!.children;
    expect(second.status).toBe("revert_failed");
    expect(second.revert.error).toMatch(/exited with code 9; last output:\nnope$/);
    expect(first.status).toBe("rolled_back");
  });

  it("runs in the task's cwd with its env", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kettle-shell-"));
    const id = await e.startKinds({ type: "ShellTask", state: { command: ["sh", "-c", "pwd; echo $DEPLOY_TARGET"], cwd: dir, env: { DEPLOY_TARGET: "web-7" } } });
    const v = await e.until(id);
    expect(v.status).toBe("finished");
    const log = await e.taskLog(id, 0, "run");
    expect(log.slice(2, 4)).toEqual([fs.realpathSync(dir), "web-7"]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("abort_rollout lets a running command finish, then rolls back", async () => {
    const id = await e.start({ seq: [{ shell: ["sh", "-c", "echo $$; sleep 0.6; echo completed"] }, { shell: ["echo", "never"] }] });
    const pid = await pidFromLog(id, 1);
    await e.signal(id, "abort_rollout");
    const v = await e.until(id);
    expect(v.status).toBe("rolled_back");
    const [cmd, next] = v.tasks!.children;
    expect(cmd.run.result).toBe("exit 0");
    expect(await e.taskLog(id, 1, "run")).toContain("completed");
    expect(next.status).toBe("not_started");
    expect(alive(pid)).toBe(false);
  });

  it("term_rollout kills the command at once: its process is gone, and the rollback follows", async () => {
    const id = await e.start({ seq: [{ shell: ["sh", "-c", "echo $$; exec sleep 60"] }, { shell: ["echo", "never"] }] });
    const pid = await pidFromLog(id, 1);
    expect(alive(pid)).toBe(true);
    await e.signal(id, "term_rollout");
    const v = await e.until(id);
    expect(v.status).toBe("rolled_back");
    await waitFor(() => !alive(pid), { what: `process ${pid} to be gone`, timeoutMs: 3000 });
    const cmd = v.tasks!.children[0];
    expect(cmd.run.error).toBe("Terminated by term_rollout");
    expect(cmd.status).toBe("rolled_back");
    expect(v.rolloutFinishedAt! - v.signals.sent[0].sentAt).toBeLessThan(1000);
  });

  it("term_rollout kills the whole process group, including what the command started", async () => {
    const id = await e.start({ par: [{ shell: ["sh", "-c", "sleep 60 & echo $!; wait"] }, { shell: ["sh", "-c", "echo $$; exec sleep 60"] }] });
    const [bg, other] = [await pidFromLog(id, 1), await pidFromLog(id, 2)];
    expect(alive(bg) && alive(other)).toBe(true);
    await e.signal(id, "term_rollout");
    await e.until(id);
    await waitFor(() => !alive(bg) && !alive(other), { what: "every process to be gone", timeoutMs: 3000 });
  });

  it("abort_rollout does not kill a long command; term_rollout sent after it does", async () => {
    const id = await e.start({ shell: ["sh", "-c", "echo $$; exec sleep 60"] });
    const pid = await pidFromLog(id, 0);
    await e.signal(id, "abort_rollout");
    const aborting = await e.view(id);
    expect(aborting.status).toBe("aborting_rollout");
    expect(aborting.signals.available.map((s) => s.name)).toEqual(["term_rollout", "skip_rollback"]);
    expect(alive(pid)).toBe(true); // graceful: the running command is left to finish
    expect(aborting.tasks!.status).toBe("started");
    await e.signal(id, "term_rollout");
    const v = await e.until(id);
    expect(v.status).toBe("rolled_back");
    await waitFor(() => !alive(pid), { what: `process ${pid} to be gone`, timeoutMs: 3000 });
    expect(v.tasks!.run.error).toBe("Terminated by term_rollout");
    expect(await e.log(id, "rollout")).toContain("Rollout stopped by abort_rollout from operator; rolling back");
  });

  it("term_rollback kills a running revert command", async () => {
    const id = await e.start({ seq: [{ shell: ["true"], revert: ["sh", "-c", "echo $$; exec sleep 60"] }, { fail: "roll back" }] });
    const pid = Number(
      await waitFor(async () => (await e.taskLog(id, 1, "revert")).find((l) => /^\d+$/.test(l)), { what: "the revert command's pid" }),
    );
    expect(alive(pid)).toBe(true);
    await e.signal(id, "term_rollback");
    const v = await e.until(id);
    await waitFor(() => !alive(pid), { what: `process ${pid} to be gone`, timeoutMs: 3000 });
    expect(v.status).toBe("rollback_failed");
    expect(v.tasks!.children[0].revert.error).toBe("Terminated by term_rollback");
  });

  it("term_rollout on a command that ignores SIGTERM: it is SIGKILLed, and its revert starts only once it is gone", async () => {
    const marker = `kettle-marker-${process.pid}-${Date.now()}`;
    const pattern = marker.replace("marker", "mark[e]r"); // matches the command, not the check's own command line
    const id = await e.start({
      shell: ["sh", "-c", `trap '' TERM; echo $$; while true; do sleep 0.05; done # ${marker}`],
      revert: ["sh", "-c", `if pgrep -f '${pattern}' >/dev/null; then echo still-running; else echo all-gone; fi`],
    });
    const pid = await pidFromLog(id, 0);
    await e.signal(id, "term_rollout");
    const v = await e.until(id, undefined, 10_000);
    expect(v.status).toBe("rolled_back");
    expect(alive(pid)).toBe(false);
    expect(await e.taskLog(id, 0, "revert")).toContain("all-gone");
    expect(await e.log(id, "rollout")).toContain("Waiting for 1 terminated command(s) to exit");
    expect(v.tasks!.run.error).toBe("Terminated by term_rollout");
  });

  it("term_rollout with skip_rollback also kills the command, and keeps what ran", async () => {
    const id = await e.start({ seq: [{ shell: ["true"], revert: ["echo", "should not run"] }, { shell: ["sh", "-c", "echo $$; exec sleep 60"] }] });
    const pid = await pidFromLog(id, 2);
    await e.signal(id, "skip_rollback");
    await e.signal(id, "term_rollout");
    const v = await e.until(id);
    expect(v.status).toBe("finished");
    await waitFor(() => !alive(pid), { what: `process ${pid} to be gone`, timeoutMs: 3000 });
    expect(v.tasks!.children.map((t) => t.status)).toEqual(["finished", "failed"]);
  });
});

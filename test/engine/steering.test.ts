// Steering a running rollout by hand: pause and resume, approval gates, pause on
// failure with retry / skip / roll back, automatic retries, monitors that pause,
// and retrying a failed rollback. Real database, real runner.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { randomBytes } from "node:crypto";
import { engine, flatten, leaves, PAUSING, type Engine } from "./harness";
import type { RolloutView } from "@/lib/kettle/operations";
import { KettleError } from "@/lib/kettle/errors";

let e: Engine;
beforeAll(async () => {
  e = await engine();
});
afterAll(async () => {
  await e.stop();
});

const key = () => `k${randomBytes(4).toString("hex")}`;
const task = (v: RolloutView, id: number) => flatten(v.tasks).find((t) => t.id === id)!;
/** Holds on for a while on purpose: these tests check that nothing happens meanwhile. */
const hold = (ms: number) => new Promise((r) => setTimeout(r, ms));
const refused = (kind: KettleError["kind"], message: RegExp) => expect.objectContaining({ kind, message: expect.stringMatching(message) });

describe("pause and resume", () => {
  it("around a sequence of three delays: the second never starts while paused, and the run takes longer by the pause", async () => {
    const id = await e.start({ seq: [{ delay: 1 }, { delay: 1 }, { delay: 1 }] });
    await e.waitView(id, (v) => task(v, 1).status === "started", "the first delay to start");
    await hold(300);
    await e.signal(id, "pause_rollout", "alice", "checking the dashboards");
    const paused = await e.view(id);
    expect(paused.status).toBe("paused");
    expect(paused.pausedReason).toMatchObject({ kind: "signal", by: "alice", message: "Paused by alice: checking the dashboards" });
    expect(paused.signals.available.map((s) => s.name)).toEqual(["resume_rollout", "abort_rollout", "term_rollout", "skip_rollback"]);
    await hold(1500); // far longer than the first delay had left
    const still = await e.view(id);
    expect(task(still, 2).status).toBe("not_started");
    expect(task(still, 1).status).toBe("started");
    expect(task(still, 1).progress).toMatch(/^paused, \d secs left$/);
    const resumedAt = Date.now();
    await e.signal(id, "resume_rollout", "bob");
    const v = await e.until(id);
    expect(v.status).toBe("finished");
    expect(task(v, 2).run.startedAt!).toBeGreaterThanOrEqual(resumedAt);
    // 3 s of delays plus the 1.5 s pause
    expect(v.rolloutFinishedAt! - v.rolloutStartedAt!).toBeGreaterThanOrEqual(4400);
    expect(v.decisions.map((d) => [d.action, d.by])).toEqual([
      ["pause_rollout", "alice"],
      ["resume_rollout", "bob"],
    ]);
    const log = await e.log(id, "rollout");
    expect(log).toContain("Paused by alice: checking the dashboards");
    expect(log).toContain("Resumed by bob");
  });

  it("during a delay: the delay stops counting and then waits only the time it had left", async () => {
    const id = await e.start({ delay: 2 });
    await e.waitView(id, (v) => v.tasks!.status === "started", "the delay to start");
    await hold(500);
    await e.signal(id, "pause_rollout");
    await hold(1000);
    await e.signal(id, "resume_rollout");
    const v = await e.until(id);
    expect(v.status).toBe("finished");
    const ran = v.tasks!.run.finishedAt! - v.tasks!.run.startedAt!;
    expect(ran).toBeGreaterThanOrEqual(2900); // 2 s of delay plus the 1 s pause
    expect(ran).toBeLessThan(4500);
  });

  it("can be sent as often as needed, each recorded; and only when it applies", async () => {
    const id = await e.start({ delay: 3 });
    await e.waitView(id, (v) => v.tasks!.status === "started", "the delay to start");
    await expect(e.signal(id, "resume_rollout")).rejects.toEqual(refused("conflict", /^resume_rollout is not available while the rollout is started$/));
    for (let i = 0; i < 3; i++) {
      await e.signal(id, "pause_rollout", `op${i}`);
      await expect(e.signal(id, "pause_rollout")).rejects.toEqual(refused("conflict", /^pause_rollout is not available while the rollout is paused$/));
      await e.signal(id, "resume_rollout", `op${i}`);
    }
    await e.signal(id, "abort_rollout");
    const v = await e.until(id);
    expect(v.status).toBe("rolled_back");
    expect(v.decisions.filter((d) => d.action === "pause_rollout")).toHaveLength(3);
    expect(v.decisions.filter((d) => d.action === "resume_rollout")).toHaveLength(3);
  });

  it("abort while paused rolls back (the Roll back choice)", async () => {
    const id = await e.start({ seq: [{ delay: 1 }, { delay: 1 }] });
    await e.waitView(id, (v) => task(v, 1).status === "started", "the first delay to start");
    await e.signal(id, "pause_rollout");
    await e.signal(id, "abort_rollout", "carol");
    const v = await e.until(id);
    expect(v.status).toBe("rolled_back");
    expect(task(v, 2).status).toBe("not_started");
    expect(task(v, 1).status).toBe("rolled_back");
  });
});

describe("approval gates", () => {
  it("approve lets the run continue, with who and why on record", async () => {
    const id = await e.start({ seq: [{ approval: "Deploy to the rest?" }, { noop: "after" }] });
    const waiting = await e.waitView(id, (v) => task(v, 1).status === "waiting", "the gate to wait");
    expect(waiting.status).toBe("started");
    expect(waiting.waitingFor).toEqual([{ taskId: 1, kind: "approval", title: "Approval: Deploy to the rest?", approval: expect.objectContaining({ approvals: 1, given: [] }) }]);
    expect(task(waiting, 1).decisions).toEqual(["approve", "reject"]);
    expect(task(waiting, 2).status).toBe("not_started");
    await e.decide(id, 1, "approve", "alice", "canary looks good");
    await expect(e.decide(id, 1, "approve", "bob")).rejects.toEqual(refused("conflict", /already being carried out \(approve by alice\)|no longer waiting/));
    const v = await e.until(id);
    expect(v.status).toBe("finished");
    expect(task(v, 1).run.result).toBe("Approved by alice: canary looks good");
    expect(v.decisions).toEqual([expect.objectContaining({ action: "approve", by: "alice", taskId: 1, comment: "canary looks good" })]);
    expect(await e.log(id, "rollout")).toContain("Task 1 approved by alice: canary looks good");
    await expect(e.decide(id, 1, "reject")).rejects.toEqual(refused("conflict", /^Task 1 is no longer waiting for approval: it has finished$/));
  });

  it("reject fails the task, which rolls back", async () => {
    const id = await e.start({ seq: [{ noop: "before" }, { approval: "Go on?" }, { noop: "after" }] });
    await e.waitView(id, (v) => task(v, 2).status === "waiting", "the gate to wait");
    await e.decide(id, 2, "reject", "bob", "error rate is up");
    const v = await e.until(id);
    expect(v.status).toBe("rolled_back");
    expect(task(v, 2).run.error).toBe("Rejected by bob: error rate is up");
    expect(task(v, 3).status).toBe("not_started");
  });

  it("a timeout rejects by default, or approves when onTimeout says so, and says so in the log", async () => {
    const rejects = await e.start({ approval: "Quick?", timeoutMinutes: 0.01 });
    const approves = await e.start({ approval: "Quick?", timeoutMinutes: 0.01, onTimeout: "approve" });
    const [r, a] = await Promise.all([e.until(rejects), e.until(approves)]);
    expect(r.status).toBe("rolled_back");
    expect(r.tasks!.run.error).toMatch(/^No decision within 0 secs|^No decision within 1 secs/);
    expect(await e.taskLog(rejects, 0, "run")).toContainEqual(expect.stringMatching(/rejected, as onTimeout says$/));
    expect(a.status).toBe("finished");
    expect(await e.taskLog(approves, 0, "run")).toContainEqual(expect.stringMatching(/approved, as onTimeout says$/));
  });
});

describe("pause on failure, then decide", () => {
  it("retry runs the task again as a new attempt, and the run finishes", async () => {
    const k = key();
    const id = await e.startAs(PAUSING, { seq: [{ noop: "one" }, { flaky: k, failTimes: 1 }, { noop: "three" }] });
    const paused = await e.until(id, ["paused"]);
    expect(paused.pausedReason).toMatchObject({ kind: "failure", taskId: 2, message: `Task 2 (Flaky ${k}) failed: ${k}: failure 1 of 1` });
    expect(paused.waitingFor).toEqual([{ taskId: 2, kind: "failure", title: `Flaky ${k}`, error: `${k}: failure 1 of 1` }]);
    expect(task(paused, 2).decisions).toEqual(["retry", "skip"]);
    expect(task(paused, 3).status).toBe("not_started");
    expect(paused.signals.available.map((s) => s.name)).toEqual(["abort_rollout", "term_rollout", "skip_rollback"]); // no resume: decide first
    await expect(e.signal(id, "resume_rollout")).rejects.toEqual(refused("conflict", /^Task 2 failed and waits for a decision/));
    await e.decide(id, 2, "retry", "alice", "flaky network");
    const v = await e.until(id);
    expect(v.status).toBe("finished");
    const t = task(v, 2);
    expect(t.status).toBe("finished");
    expect(t.attempts).toHaveLength(2);
    expect(t.attempts![0]).toMatchObject({ error: `${k}: failure 1 of 1` });
    expect(t.attempts![1].finishedAt).toBeTruthy();
    expect(await e.taskLog(id, 2, "run")).toContainEqual(expect.stringMatching(/^--- Attempt 2 \(retried by a decision\) ---$/));
  });

  it("skip marks the task skipped and carries on as if it had finished", async () => {
    const id = await e.startAs(PAUSING, { seq: [{ flaky: key(), failTimes: 9 }, { noop: "after" }] });
    await e.until(id, ["paused"]);
    await e.decide(id, 1, "skip", "bob");
    const v = await e.until(id);
    expect(v.status).toBe("finished");
    expect(task(v, 1).status).toBe("skipped");
    expect(task(v, 2).status).toBe("finished");
    await expect(e.decide(id, 1, "retry")).rejects.toEqual(refused("conflict", /has not failed/));
  });

  it("roll back: abort while paused on the failure reverts everything that ran, the failed task included", async () => {
    const id = await e.startAs(PAUSING, { seq: [{ noop: "one" }, { fail: "broken" }, { noop: "three" }] });
    await e.until(id, ["paused"]);
    await e.signal(id, "abort_rollout", "carol");
    const v = await e.until(id);
    expect(v.status).toBe("rolled_back");
    expect(leaves(v).map((t) => t.status)).toEqual(["rolled_back", "rolled_back", "not_started"]);
  });

  it("parallel siblings that run finish first; nothing new starts until the decision", async () => {
    const k = key();
    const id = await e.startAs(PAUSING, { seq: [{ par: [{ flaky: k, failTimes: 1 }, { delay: 1 }] }, { noop: "next" }] });
    const paused = await e.until(id, ["paused"]);
    expect(task(paused, 3).status).toBe("started"); // the delay sibling is still there
    await hold(1500);
    expect(task(await e.view(id), 4).status).toBe("not_started");
    await e.decide(id, 2, "retry");
    const v = await e.until(id);
    expect(v.status).toBe("finished");
  });
});

describe("automatic retries", () => {
  it("a failing run is tried again with a doubling backoff, every attempt kept", async () => {
    const id = await e.start({ flaky: key(), failTimes: 2, retry: { attempts: 3, backoffMs: 150 } });
    const v = await e.until(id);
    expect(v.status).toBe("finished");
    const attempts = v.tasks!.attempts!;
    expect(attempts).toHaveLength(3);
    expect(v.tasks!.maxAttempts).toBe(3);
    expect(attempts[1].startedAt - attempts[0].failedAt!).toBeGreaterThanOrEqual(150);
    expect(attempts[2].startedAt - attempts[1].failedAt!).toBeGreaterThanOrEqual(300);
    const log = await e.taskLog(id, 0, "run");
    expect(log).toContain("Attempt 1 of 3 failed; trying again in 150 ms");
    expect(log).toContain("--- Attempt 3 of 3 (automatic retry) ---");
  });

  it("counts as failed once the attempts are used up", async () => {
    const id = await e.start({ flaky: key(), failTimes: 9, retry: { attempts: 2, backoffMs: 10 } });
    const v = await e.until(id);
    expect(v.status).toBe("rolled_back");
    expect(v.tasks!.attempts).toHaveLength(2);
  });
});

describe("monitors", () => {
  it("may pause instead of abort; the rollout resumes and finishes", async () => {
    const id = await e.start({ delay: 1 }, { monitors: ["pauseSoon"], abortAfterMs: 200 });
    const paused = await e.until(id, ["paused"]);
    expect(paused.pausedReason).toMatchObject({ kind: "monitor", by: "monitor:pauseSoon", message: "latency above the limit after 200 ms" });
    await e.signal(id, "resume_rollout", "dave");
    const v = await e.until(id);
    expect(v.status).toBe("finished");
  });
});

describe("retry rollback", () => {
  it("reverts again what failed to revert, and ends rolled_back", async () => {
    const id = await e.start({ seq: [{ flaky: key(), failTimes: 0, failRevertOnce: true }, { noop: "two" }, { fail: "boom" }] });
    const failed = await e.until(id);
    expect(failed.status).toBe("rollback_failed");
    expect(failed.canRetryRollback).toBe(true);
    expect(task(failed, 1).status).toBe("revert_failed");
    expect(task(failed, 2).status).toBe("rolled_back");
    const revertedAt = task(failed, 2).revert.finishedAt;
    await e.retryRollback(id, "erin");
    const v = await e.until(id, ["rolled_back", "rollback_failed"]);
    expect(v.status).toBe("rolled_back");
    expect(task(v, 1).status).toBe("rolled_back");
    expect(task(v, 2).revert.finishedAt).toBe(revertedAt); // done once, kept
    expect(v.decisions.map((d) => [d.action, d.by])).toEqual([["retry_rollback", "erin"]]);
    expect(await e.log(id, "rollout")).toContain("Rollback retried by erin");
    await expect(e.retryRollback(id)).rejects.toEqual(refused("conflict", /^Only a rollout whose rollback failed can retry it \(this one is rolled back\)$/));
  });
});

describe("refusals", () => {
  it("409 for a decision the task's state does not allow, 404 for an unknown task or decision, 400 for a bad comment", async () => {
    const id = await e.start({ seq: [{ delay: 5 }, { noop: "later" }] });
    await e.waitView(id, (v) => task(v, 1).status === "started", "the delay to start");
    await expect(e.decide(id, 1, "approve")).rejects.toEqual(refused("conflict", /^Task 1 is not waiting for approval$/));
    await expect(e.decide(id, 2, "retry")).rejects.toEqual(refused("conflict", /^Task 2 has not failed: only a failed task can be retried$/));
    await expect(e.decide(id, 2, "skip")).rejects.toEqual(refused("conflict", /^Task 2 has not failed: only a failed task can be skipped$/));
    await expect(e.decide(id, 99, "approve")).rejects.toEqual(refused("not_found", /^Rollout \d+ has no task 99$/));
    await expect(e.decide(id, 1, "promote")).rejects.toEqual(refused("not_found", /^No such decision "promote"/));
    await expect(e.decide(id, 1, "approve", "x", "y".repeat(1001))).rejects.toEqual(refused("bad_input", /^comment is too long: at most 1000 characters/));
    await expect(e.retryRollback(id)).rejects.toEqual(refused("conflict", /^Only a rollout whose rollback failed can retry it \(this one is started\)$/));
    await e.signal(id, "abort_rollout");
    const v = await e.until(id);
    expect(v.status).toBe("rolled_back");
  });

  it("retry of a failed task the rollout is not paused on (it rolled back) is refused", async () => {
    const id = await e.start({ seq: [{ fail: "boom" }] });
    await e.until(id);
    await expect(e.decide(id, 1, "retry")).rejects.toEqual(refused("conflict", /has not failed|not paused on task 1/));
  });
});

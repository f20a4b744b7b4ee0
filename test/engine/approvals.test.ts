// Approval gates that need several people, and a gate's timeout with each
// onTimeout. Real database, real runner.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { engine, flatten, type Engine } from "./harness";
import type { RolloutView } from "@/lib/kettle/operations";
import { KettleError } from "@/lib/kettle/errors";

let e: Engine;
beforeAll(async () => {
  e = await engine();
});
afterAll(async () => {
  await e.stop();
});

const task = (v: RolloutView, id: number) => flatten(v.tasks).find((t) => t.id === id)!;
const refused = (kind: KettleError["kind"], message: RegExp) => expect.objectContaining({ kind, message: expect.stringMatching(message) });

describe("a gate that needs two approvals", () => {
  it("waits for two different people, counting each once, then the run goes on", async () => {
    const id = await e.start({ seq: [{ approval: "Two of you?", approvals: 2 }, { noop: "after" }] });
    const waiting = await e.waitView(id, (v) => task(v, 1).status === "waiting", "the gate to wait");
    expect(waiting.waitingFor).toEqual([
      { taskId: 1, kind: "approval", title: "Approval: Two of you?", approval: { approvals: 2, fourEyes: false, approvers: [], given: [], timeoutLeftMs: null, onTimeout: "reject" } },
    ]);
    await e.decide(id, 1, "approve", "alice", "looks fine");
    await expect(e.decide(id, 1, "approve", "alice")).rejects.toEqual(refused("conflict", /^You have approved task 1 already/));
    const one = await e.view(id);
    expect(task(one, 1).status).toBe("waiting");
    expect(one.waitingFor[0].approval?.given).toEqual([expect.objectContaining({ by: "alice", comment: "looks fine" })]);
    await e.waitView(id, async () => (await e.taskLog(id, 1, "run")).some((l) => l === "Approved by alice (1 of 2): looks fine"), "the first approval in the log");
    await e.decide(id, 1, "approve", "bob");
    const done = await e.until(id);
    expect(done.status).toBe("finished");
    expect(task(done, 1).run.result).toBe("Approved by alice, bob");
  });

  it("one rejection after an approval fails the gate", async () => {
    const id = await e.start({ approval: "Two?", approvals: 2 });
    await e.waitView(id, (v) => task(v, 0).status === "waiting", "the gate to wait");
    await e.decide(id, 0, "approve", "alice");
    await e.decide(id, 0, "reject", "carol", "not today");
    const done = await e.until(id);
    expect(done.status).toBe("rolled_back");
    expect(task(done, 0).run.error).toBe("Rejected by carol: not today");
  });
});

describe("a gate's timeout", () => {
  it("rejects (the default), approves, or pauses the rollout and goes on waiting, as onTimeout says", async () => {
    const rejects = await e.start({ approval: "Quick?", timeoutMinutes: 0.01 });
    const approves = await e.start({ approval: "Quick?", timeoutMinutes: 0.01, onTimeout: "approve" });
    const pauses = await e.start({ seq: [{ approval: "Quick?", timeoutMinutes: 0.01, onTimeout: "pause" }, { noop: "after" }] });
    const [r, a] = await Promise.all([e.until(rejects), e.until(approves)]);
    expect(r.status).toBe("rolled_back");
    expect(a.status).toBe("finished");
    const paused = await e.waitView(pauses, (v) => v.status === "paused", "the timeout to pause the rollout");
    expect(paused.pausedReason).toMatchObject({ kind: "task", taskId: 1, message: expect.stringMatching(/^Task 1 \(Approval: Quick\?\): No decision within .* on the approval gate "Quick\?"$/) });
    expect(task(paused, 1).status).toBe("waiting");
    expect(paused.waitingFor[0].approval?.timeoutLeftMs).toBe(0);
    // Still a gate: an approval ends it, and the rollout stays paused until someone resumes it.
    await e.decide(pauses, 1, "approve", "dana");
    await e.waitView(pauses, (v) => task(v, 1).status === "finished", "the gate to finish");
    expect((await e.view(pauses)).status).toBe("paused");
    expect(task(await e.view(pauses), 2).status).toBe("not_started");
    await e.signal(pauses, "resume_rollout", "dana");
    expect((await e.until(pauses)).status).toBe("finished");
  });
});

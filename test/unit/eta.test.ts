// The time-left estimate on recorded histories: pure, no database.
import { describe, it, expect } from "vitest";
import { estimateEta, emptyHistory, addToHistory } from "@/lib/kettle/read/eta";
import { lowerBoundWords } from "@/lib/web/eta-words";
import { Task, DelayTask, SequentialExecTask, ParallelExecTask, ApprovalTask } from "@/lib/kettle";

class Deploy extends Task<{ host: string }> {
  run() {}
  description() {
    return `Deploy to ${this.state.host}`;
  }
}
const T0 = 1_800_000_000_000;
const deploy = (host: string, records: Partial<Task["records"]> = {}) => {
  const t = new Deploy({ host });
  t.typeName = "demo:Deploy";
  Object.assign(t.records, records);
  return t;
};
/** A kind of task never timed anywhere (a shell command, say). */
class Mystery extends Task<{ name?: string }> {
  run() {}
}
const ids = (root: Task) => {
  let i = 1;
  for (const t of root.walk()) t.id = i++;
  return root;
};
/** A history of earlier rollouts where each host took `ms`. */
const history = (runs: Record<string, number>[]) => {
  const h = emptyHistory();
  for (const run of runs) addToHistory(h, Object.entries(run).map(([host, ms]) => deploy(host, { runStartedAt: T0 - 100_000, runFinishedAt: T0 - 100_000 + ms })));
  return h;
};

describe("time left", () => {
  it("is exact when durations repeat: recorded tasks, what is left of a running delay, the longest branch of a parallel group", () => {
    const h = history([{ a: 10_000, b: 20_000, c: 30_000 }, { a: 10_000, b: 20_000, c: 30_000 }]);
    const delay = new DelayTask({ seconds: 5 });
    Object.assign(delay.records, { runStartedAt: T0 - 2000 });
    const root = ids(
      new SequentialExecTask([
        deploy("a", { runStartedAt: T0 - 20_000, runFinishedAt: T0 - 10_000 }),
        delay,
        new ParallelExecTask([deploy("b"), deploy("c")]),
        deploy("a"),
      ]),
    );
    Object.assign(root.records, { runStartedAt: T0 - 20_000 });
    const eta = estimateEta(root, h, T0, "started")!;
    // 3 s of delay left + max(20, 30) + 10
    expect(eta).toEqual({
      endsAt: T0 + 43_000,
      secondsLeft: 43,
      confidence: "high",
      phase: "run",
      workSeconds: 43,
      openEnded: null,
      approvalsAhead: 0,
      untimedTasks: 0,
      learnedFrom: 2,
      note: null,
      groups: [{ taskId: 1, secondsLeft: 43 }],
    });
  });

  it("falls back to the same type, then to this run", () => {
    const h = history([{ a: 10_000, b: 30_000 }]);
    const typeOnly = estimateEta(ids(new SequentialExecTask([deploy("z")])), h, T0, "not_started")!;
    expect(typeOnly).toMatchObject({ secondsLeft: 20, confidence: "medium", phase: "plan" }); // the median of the type

    const thisRun = ids(new SequentialExecTask([deploy("x", { runStartedAt: T0 - 8000, runFinishedAt: T0 - 4000 }), deploy("y")]));
    expect(estimateEta(thisRun, emptyHistory(), T0, "started")).toMatchObject({ secondsLeft: 4, confidence: "medium" });
  });

  it("a task taking longer than it used to counts as nearly done, with less confidence", () => {
    const h = history([{ a: 10_000 }]);
    const root = ids(new SequentialExecTask([deploy("a", { runStartedAt: T0 - 15_000 }), new DelayTask({ seconds: 4 })]));
    expect(estimateEta(root, h, T0, "started")).toMatchObject({ secondsLeft: 4, confidence: "medium" });
  });

  it("is open-ended while paused (the delay stops counting) and while an approval waits", () => {
    const h = history([{ a: 10_000 }]);
    const delay = new DelayTask({ seconds: 60 });
    Object.assign(delay.records, { runStartedAt: T0 - 30_000 });
    const root = ids(new SequentialExecTask([delay, deploy("a")]));
    const paused = estimateEta(root, h, T0 + 600_000, "paused", { pausedAt: T0 })!;
    expect(paused).toMatchObject({ endsAt: null, secondsLeft: null, confidence: "low", workSeconds: 40, note: "Paused: open-ended until someone resumes it" });

    const gate = new ApprovalTask({ title: "Go on?" });
    Object.assign(gate.records, { runStartedAt: T0 - 1000, waitingAt: T0 - 1000 });
    const seq = ids(new SequentialExecTask([gate, deploy("a")]));
    Object.assign(seq.records, { runStartedAt: T0 - 1000 });
    const waiting = estimateEta(seq, h, T0, "started")!;
    expect(waiting).toMatchObject({ endsAt: null, secondsLeft: null, confidence: "low", workSeconds: 10, note: "Waiting for an approval: open-ended until someone decides" });
    expect(waiting.groups).toEqual([{ taskId: 1, secondsLeft: null }]);
  });

  it("in a rollback: reversible delays wait again, others take what reverts took in this run; done rollouts have none", () => {
    const a = deploy("a", { runStartedAt: T0 - 9000, runFinishedAt: T0 - 8000, revertStartedAt: T0 - 3000, revertFinishedAt: T0 - 1000 });
    const b = deploy("b", { runStartedAt: T0 - 8000, runFinishedAt: T0 - 7000 });
    const d = new DelayTask({ seconds: 5, reversible: true });
    Object.assign(d.records, { runStartedAt: T0 - 7000, runFinishedAt: T0 - 2000 });
    const root = ids(new SequentialExecTask([b, a, d]));
    Object.assign(root.records, { runStartedAt: T0 - 9000, runFailedAt: T0 - 2000, revertStartedAt: T0 - 1000 });
    // a's revert is done; d (5 s) and b (2 s, like a's revert) are left
    expect(estimateEta(root, emptyHistory(), T0, "rolling_back")).toMatchObject({ phase: "rollback", secondsLeft: 7, confidence: "medium" });
    expect(estimateEta(root, emptyHistory(), T0, "finished")).toBeNull();
  });

  // Never claim less than what is known: an operator reads "about 0 s left" as "nearly done".
  describe("never less than what is known", () => {
    it("declared delays count in full; tasks never timed leave the end open instead of counting as instant", () => {
      const h = history([{ a: 10_000 }]);
      const running = new DelayTask({ seconds: 30 });
      Object.assign(running.records, { runStartedAt: T0 - 10_000 });
      const root = ids(new SequentialExecTask([running, new DelayTask({ seconds: 15 }), deploy("a"), new Mystery({ name: "smoke test" })]));
      Object.assign(root.records, { runStartedAt: T0 - 10_000 });
      const eta = estimateEta(root, h, T0, "started")!;
      // 20 s left of the running delay + 15 s + 10 s of deploy a; the smoke test: nothing to go by
      expect(eta).toMatchObject({ endsAt: null, secondsLeft: null, workSeconds: 45, openEnded: "untimed", untimedTasks: 1, approvalsAhead: 0, learnedFrom: 1 });
      expect(lowerBoundWords(eta)).toEqual({ text: "at least 45 s left", reason: "1 task never timed before" });
    });

    it("an approval gate ahead makes the end open: the work known, then waits for N approvals", () => {
      const h = history([{ a: 10_000, b: 20_000 }, { a: 10_000, b: 20_000 }]);
      const first = deploy("a", { runStartedAt: T0 - 4000 });
      const root = ids(
        new SequentialExecTask([first, new ApprovalTask({ title: "Wave 2?" }), deploy("b"), new ApprovalTask({ title: "Wave 3?" }), new DelayTask({ seconds: 5 })]),
      );
      Object.assign(root.records, { runStartedAt: T0 - 4000 });
      const eta = estimateEta(root, h, T0, "started")!;
      expect(eta).toMatchObject({ endsAt: null, secondsLeft: null, workSeconds: 31, openEnded: "approvals_ahead", approvalsAhead: 2, untimedTasks: 0 });
      expect(eta.note).toBe("Then waits for 2 approvals: open-ended until someone decides");
      expect(lowerBoundWords(eta)).toEqual({ text: "about 31 s left, then waits for 2 approvals", reason: null });
      expect(eta.groups).toEqual([{ taskId: 1, secondsLeft: null }]);

      // The first gate waits now: it says so, and that one more lies ahead.
      const gate = root.children[1];
      Object.assign(first.records, { runFinishedAt: T0 - 1000 });
      Object.assign(gate.records, { runStartedAt: T0 - 1000, waitingAt: T0 - 1000 });
      const waiting = estimateEta(root, h, T0, "started")!;
      expect(waiting).toMatchObject({ openEnded: "waiting", approvalsAhead: 2, note: "Waiting for an approval, then 1 more: open-ended until someone decides" });
    });

    it("a kind with no earlier run says so, before Run and during it, instead of a number near zero", () => {
      // The careful demo's shape: shell commands, approval gates between waves.
      const plan = ids(
        new SequentialExecTask([
          new Mystery({ name: "deploy web-1" }),
          new ApprovalTask({ title: "Wave 2?" }),
          new ParallelExecTask([new Mystery({ name: "deploy web-2" }), new Mystery({ name: "deploy web-3" })]),
        ]),
      );
      const before = estimateEta(plan, emptyHistory(), T0, "not_started")!;
      expect(before).toMatchObject({ phase: "plan", endsAt: null, secondsLeft: null, workSeconds: 0, openEnded: "approvals_ahead", untimedTasks: 3, approvalsAhead: 1, learnedFrom: 0 });
      expect(lowerBoundWords(before)).toEqual({ text: "Takes an unknown time, then waits for an approval", reason: "no earlier run to learn from" });

      const onlyUntimed = ids(new SequentialExecTask([new Mystery({ name: "x" }), new DelayTask({ seconds: 90 })]));
      const during = estimateEta(onlyUntimed, emptyHistory(), T0, "started")!;
      expect(during).toMatchObject({ secondsLeft: null, workSeconds: 90, openEnded: "untimed", note: "No earlier run to learn from: 1 task(s) not timed yet" });
      expect(lowerBoundWords(during)).toEqual({ text: "at least 2 min left", reason: "no earlier run to learn from" });
    });
  });
});

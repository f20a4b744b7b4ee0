// The time-left estimate on recorded histories: pure, no database.
import { describe, it, expect } from "vitest";
import { estimateEta, emptyHistory, addToHistory } from "@/lib/kettle/read/eta";
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
    expect(eta).toEqual({ endsAt: T0 + 43_000, secondsLeft: 43, confidence: "high", phase: "run", workSeconds: 43, note: null, groups: [{ taskId: 1, secondsLeft: 43 }] });
  });

  it("falls back to the same type, then to this run; unknown tasks lower the confidence", () => {
    const h = history([{ a: 10_000, b: 30_000 }]);
    const typeOnly = estimateEta(ids(new SequentialExecTask([deploy("z")])), h, T0, "not_started")!;
    expect(typeOnly).toMatchObject({ secondsLeft: 20, confidence: "medium", phase: "plan" }); // the median of the type

    const thisRun = ids(new SequentialExecTask([deploy("x", { runStartedAt: T0 - 8000, runFinishedAt: T0 - 4000 }), deploy("y")]));
    expect(estimateEta(thisRun, emptyHistory(), T0, "started")).toMatchObject({ secondsLeft: 4, confidence: "medium" });

    class Mystery extends Task {
      run() {}
    }
    const unknown = ids(new SequentialExecTask([new DelayTask({ seconds: 3 }), new Mystery({})]));
    expect(estimateEta(unknown, emptyHistory(), T0, "started")).toMatchObject({ secondsLeft: 3, confidence: "low", note: "1 task(s) have no recorded duration yet: counted as instant" });
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
});

// Task kinds on their own: descriptions, countdowns, statuses derived from the
// records, gradual rollouts' shapes, signal availability, and the registry.
import { describe, it, expect, vi } from "vitest";
import {
  Task,
  DelayTask,
  SequentialExecTask,
  ParallelExecTask,
  ShellTask,
  formatDuration,
  gradualExec,
  gradualSequentialExec,
  gradualGroups,
} from "@/lib/kettle";
import { emptyRecords } from "@/lib/kettle/authoring/task";
import { taskStatus, type TaskRecords } from "@/lib/kettle/status";
import { availableSignals, signals, signalNames } from "@/lib/kettle/signals";
import { typeNameOf, taskClassOf } from "@/lib/kettle/modules/registry";
import { NoopTask } from "@/rollouts/fixtures";
import { sleep } from "@/lib/kettle/runner/waiting";
import { kindsReady, CountTask } from "./harness";

describe("DelayTask descriptions", () => {
  it.each([
    [{ seconds: 15 }, "Delay for 15 secs"],
    [{ seconds: 90 }, "Delay for 1:30 mins"],
    [{ minutes: 1, seconds: 30 }, "Delay for 1:30 mins"],
    [{ minutes: 2 }, "Delay for 2:00 mins"],
    [{ minutes: 1, seconds: 5 }, "Delay for 1:05 mins"],
    [{ seconds: 59 }, "Delay for 59 secs"],
    [{ seconds: 15, reversible: true }, "Delay for 15 secs (reversible)"],
    [{ minutes: 1, seconds: 30, reversible: true }, "Delay for 1:30 mins (reversible)"],
  ])("%j is shown as %s", (state, text) => {
    expect(new DelayTask(state).description()).toBe(text);
  });

  it("formats durations the way the descriptions do", () => {
    expect(formatDuration(15)).toBe("15 secs");
    expect(formatDuration(60)).toBe("1:00 mins");
    expect(formatDuration(90)).toBe("1:30 mins");
    expect(formatDuration(3600 + 9)).toBe("60:09 mins");
  });

  it("refuses a delay without a positive duration", () => {
    expect(() => new DelayTask({})).toThrow(/positive duration/);
    expect(() => new DelayTask({ seconds: -5 })).toThrow(/positive duration/);
    expect(() => new DelayTask({ minutes: 0, seconds: 0 })).toThrow(/positive duration/);
  });

  it("counts down while it runs, from the recorded start, and says nothing once done", () => {
    const delay = new DelayTask({ seconds: 15 });
    const t0 = 1_000_000;
    expect(delay.progress(t0)).toBeNull();
    expect(delay.label(t0)).toBe("Delay for 15 secs");
    delay.records.runStartedAt = t0;
    expect(delay.status).toBe("started");
    expect(delay.progress(t0)).toBe("15 secs left");
    expect(delay.progress(t0 + 1000)).toBe("14 secs left");
    expect(delay.label(t0 + 1000)).toBe("Delay for 15 secs (14 secs left)");
    expect(delay.progress(t0 + 14_500)).toBe("1 secs left");
    expect(delay.progress(t0 + 20_000)).toBe("0 secs left");
    delay.records.runFinishedAt = t0 + 15_000;
    expect(delay.progress(t0 + 15_000)).toBeNull();
    expect(delay.label(t0 + 15_000)).toBe("Delay for 15 secs");
  });

  it("counts down while a reversible delay reverts, but not for one whose revert does not wait", () => {
    const t0 = 2_000_000;
    for (const reversible of [true, false]) {
      const delay = new DelayTask({ minutes: 1, reversible });
      Object.assign(delay.records, { runStartedAt: t0, runFinishedAt: t0 + 60_000, revertStartedAt: t0 + 70_000 });
      expect(delay.status).toBe("rolling_back");
      expect(delay.progress(t0 + 80_000)).toBe(reversible ? "50 secs left" : null);
    }
  });
});

describe("other built-in kinds", () => {
  it("describe themselves", () => {
    expect(new SequentialExecTask([]).description()).toBe("Execute in sequence:");
    expect(new ParallelExecTask([]).description()).toBe("Execute in parallel:");
    expect(new ShellTask({ command: ["echo", "hi there"] }).description()).toBe('Run `echo "hi there"`');
    expect(new ShellTask({ command: ["deploy", "web1"], revertCommand: ["undeploy", "web1"] }).description()).toBe(
      "Run `deploy web1`, revert with `undeploy web1`",
    );
  });

  it("keep their parameters in JSON state and their children as children", () => {
    const a = new DelayTask({ seconds: 1 });
    const b = new ShellTask({ command: ["true"], cwd: "/tmp", env: { A: "1" } });
    const seq = new SequentialExecTask([a, new ParallelExecTask([b])]);
    expect(JSON.parse(JSON.stringify(a.state))).toEqual({ minutes: 0, seconds: 1, reversible: false });
    expect(JSON.parse(JSON.stringify(b.state))).toEqual({ command: ["true"], cwd: "/tmp", env: { A: "1" } });
    expect([...seq.walk()].map((t) => t.constructor.name)).toEqual(["SequentialExecTask", "DelayTask", "ParallelExecTask", "ShellTask"]);
  });

  it("refuse a shell task without a command", () => {
    expect(() => new ShellTask({ command: [] })).toThrow(/needs a command/);
    expect(() => new ShellTask({ command: "echo hi" as unknown as string[] })).toThrow(/array of arguments/);
  });
});

describe("task status, derived from the records", () => {
  const at = (r: Partial<TaskRecords>) => taskStatus({ ...emptyRecords(), ...r });
  it.each([
    [{}, "not_started"],
    [{ runStartedAt: 1 }, "started"],
    [{ runStartedAt: 1, runFinishedAt: 2 }, "finished"],
    [{ runStartedAt: 1, runFailedAt: 2 }, "failed"],
    [{ runStartedAt: 1, runFailedAt: 2, revertStartedAt: 3 }, "rolling_back"],
    [{ runStartedAt: 1, runFinishedAt: 2, revertStartedAt: 3, revertFinishedAt: 4 }, "rolled_back"],
    [{ runStartedAt: 1, runFailedAt: 2, revertStartedAt: 3, revertFailedAt: 4 }, "revert_failed"],
  ] as const)("%j → %s", (records, status) => {
    expect(at(records)).toBe(status);
  });
});

describe("gradual rollouts", () => {
  // A tree as a nested array: ["seq", ...] / ["par", ...], "delay", or the item's label.
  type Shape = string | Shape[];
  const shape = (t: Task): Shape =>
    t instanceof SequentialExecTask
      ? ["seq", ...t.children.map(shape)]
      : t instanceof ParallelExecTask
        ? ["par", ...t.children.map(shape)]
        : t instanceof DelayTask
          ? "delay"
          : (t as NoopTask).state.label!;
  const items = (n: number) => Array.from({ length: n }, (_, i) => `h${i + 1}`);
  const make = (item: string) => new NoopTask({ label: item });

  it.each([
    [0, []],
    [1, [["h1"]]],
    [2, [["h1"], ["h2"]]],
    [3, [["h1"], ["h2", "h3"]]],
    [10, [["h1"], ["h2", "h3", "h4", "h5"], ["h6", "h7", "h8", "h9", "h10"]]],
  ])("groups %i items as one, up to half, the rest (empty groups dropped)", (n, groups) => {
    expect(gradualGroups(items(n))).toEqual(groups);
  });

  it.each([
    [0, ["seq"]],
    [1, ["seq", "h1"]],
    [2, ["seq", "h1", "delay", "h2"]],
    [3, ["seq", "h1", "delay", ["par", "h2", "h3"]]],
    [10, ["seq", "h1", "delay", ["par", "h2", "h3", "h4", "h5"], "delay", ["par", "h6", "h7", "h8", "h9", "h10"]]],
  ])("gradualExec over %i items", (n, expected) => {
    expect(shape(gradualExec(items(n), make, { seconds: 30 }))).toEqual(expected);
  });

  it.each([
    [0, ["seq"]],
    [1, ["seq", "h1"]],
    [2, ["seq", "h1", "delay", "h2"]],
    [3, ["seq", "h1", "delay", ["seq", "h2", "h3"]]],
    [10, ["seq", "h1", "delay", ["seq", "h2", "h3", "h4", "h5"], "delay", ["seq", "h6", "h7", "h8", "h9", "h10"]]],
  ])("gradualSequentialExec over %i items", (n, expected) => {
    expect(shape(gradualSequentialExec(items(n), make, { seconds: 30 }))).toEqual(expected);
  });

  it("puts the given delay between the groups", () => {
    const root = gradualExec(items(10), make, { minutes: 1, seconds: 30, reversible: true });
    const delays = root.children.filter((c) => c instanceof DelayTask);
    expect(delays.map((d) => d.description())).toEqual(["Delay for 1:30 mins (reversible)", "Delay for 1:30 mins (reversible)"]);
    // A fresh task per gap: a task is one node of the tree.
    expect(delays[0]).not.toBe(delays[1]);
  });
});

describe("signals", () => {
  it("are available exactly where KETTLE.md says", () => {
    const table = {
      not_started: [],
      started: ["pause_rollout", "abort_rollout", "term_rollout", "skip_rollback"],
      paused: ["resume_rollout", "abort_rollout", "term_rollout", "skip_rollback"],
      aborting_rollout: ["term_rollout", "skip_rollback"],
      terminating_rollout: ["skip_rollback"],
      finished: [],
      rolling_back: ["abort_rollback", "term_rollback"],
      aborting_rollback: ["term_rollback"],
      terminating_rollback: [],
      rolled_back: [],
      rollback_failed: [],
    } as const;
    for (const [status, names] of Object.entries(table)) {
      expect(availableSignals(status as keyof typeof table, []), status).toEqual(names);
    }
  });

  it("are offered once: one already sent is not offered again", () => {
    expect(availableSignals("started", ["skip_rollback"])).toEqual(["pause_rollout", "abort_rollout", "term_rollout"]);
    // pause and resume may be sent again and again; resume waits while a failed task needs a decision
    expect(availableSignals("started", ["pause_rollout", "resume_rollout"])).toContain("pause_rollout");
    expect(availableSignals("paused", ["pause_rollout", "resume_rollout"])).toContain("resume_rollout");
    expect(availableSignals("paused", [], true)).not.toContain("resume_rollout");
    expect(availableSignals("rolling_back", ["abort_rollback", "term_rollback"])).toEqual([]);
  });

  it("each have a description, and the term ones ask for confirmation", () => {
    for (const name of signalNames) expect(signals[name].description.length, name).toBeGreaterThan(10);
    expect(signalNames.filter((n) => signals[n].dangerous)).toEqual(["term_rollout", "term_rollback"]);
  });
});

describe("task kinds by name", () => {
  it("names built-ins by export and user kinds by module:Export, and finds them again", async () => {
    await kindsReady;
    expect(await typeNameOf(new DelayTask({ seconds: 1 }))).toBe("DelayTask");
    expect(await typeNameOf(new NoopTask({}))).toBe("fixtures:NoopTask");
    expect(await typeNameOf(new CountTask({ key: "x" }))).toBe("test:Count");
    expect(await taskClassOf("fixtures:NoopTask")).toBe(NoopTask);
    expect(await taskClassOf("ShellTask")).toBe(ShellTask);
  });

  it("a kind without a description() is shown by its export name, which survives minified builds", async () => {
    const { ContextTask } = await import("./harness");
    const t = new ContextTask({});
    expect(t.description()).toBe("ContextTask");
    t.typeName = "test:Context"; // as when rebuilt from the database
    expect(t.description()).toBe("Context");
  });

  it("refuses a task kind that cannot be rebuilt, saying what to do", async () => {
    class Hidden extends Task {
      run() {}
    }
    await expect(typeNameOf(new Hidden({}))).rejects.toThrow(/Hidden is not exported from a module in rollouts\//);
    await expect(taskClassOf("fixtures:Nope")).rejects.toThrow(/Unknown task type "fixtures:Nope"/);
  });
});

describe("sleep (behind ctx.sleep and delays)", () => {
  it("ends early, with false, when one of its signals fires", async () => {
    const a = new AbortController();
    const b = new AbortController();
    const t0 = Date.now();
    const waiting = sleep(60_000, a.signal, b.signal);
    b.abort();
    expect(await waiting).toBe(false);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(await sleep(10, a.signal)).toBe(true);
    a.abort();
    expect(await sleep(60_000, a.signal)).toBe(false);
  });

  it("waits longer than a single timer can (about 24.8 days)", async () => {
    vi.useFakeTimers();
    try {
      const day = 24 * 3600 * 1000;
      let result: boolean | null = null;
      void sleep(40 * day).then((r) => (result = r));
      await vi.advanceTimersByTimeAsync(30 * day);
      expect(result).toBeNull();
      await vi.advanceTimersByTimeAsync(10 * day + 1);
      expect(result).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});

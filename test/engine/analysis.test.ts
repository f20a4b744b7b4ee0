// Health analysis in testRollout with fake time and a custom measure: the verdict
// rules (README "Health analysis"), the effects on the run (finish, roll back,
// pause for Retry / Skip / Roll back), dry runs, gradualExec's option, the rows.
import { beforeAll, expect, test } from "vitest";
import { loadTaskKinds } from "@/lib/kettle/modules/registry";
import { testRollout } from "@/lib/kettle/testing";
import { AnalysisTask, DelayTask, Rollout, SequentialExecTask, gradualExec, type MetricSpec, type Task, type TaskContext } from "@/lib/kettle";

beforeAll(() => loadTaskKinds());

/** The values the custom measure answers, in order (a thrown Error is a provider error). */
let values: (number | number[] | null | Error)[] = [];
let measuredAt: number[] = [];



class Analysed extends Rollout<{ metric?: Partial<MetricSpec>; metrics?: Partial<MetricSpec>[]; onFailed?: "pause"; waves?: boolean }> {
  static measures = {
    next: () => {
      measuredAt.push(Date.now());
      const v = values.shift();
      if (v instanceof Error) throw v;
      return v === undefined ? null : v;
    },
  };
  generateTasks(): Task {
    const metrics = (this.config.metrics ?? [this.config.metric ?? {}]).map((m, i) => ({ name: `m${i}`, provider: { custom: "next" }, successCondition: "result < 1", failureCondition: "result >= 5", ...m }));
    if (this.config.waves) return gradualExec(["a", "b", "c"], () => new DelayTask({ seconds: 1 }), null, { analysis: { metrics: metrics as MetricSpec[] } });
    return new SequentialExecTask([new AnalysisTask({ title: "health", metrics: metrics as MetricSpec[], ...(this.config.onFailed ? { onFailed: this.config.onFailed } : {}) }), new DelayTask({ seconds: 1 })]);
  }
}

const run = (config: Record<string, unknown>, vs: typeof values, opts: Parameters<typeof testRollout>[2] = {}) => {
  values = [...vs];
  measuredAt = [];
  return testRollout(Analysed, config, opts);
};
const outcomes = (r: Awaited<ReturnType<typeof testRollout>>, run = 0) => r.analysis.runs[run].metrics[0].measurements.map((m) => m.outcome);

test("healthy: every measurement successful → the step finishes, each measurement a row, on the engine's (fake) clock", async () => {
  const r = await run({ metric: { interval: "10s", count: 6 } }, [0.1, 0.2, 0.3, 0.2, 0.1, 0.5]);
  expect(r.status).toBe("finished");
  expect(outcomes(r)).toEqual(Array(6).fill("successful"));
  const at = r.analysis.runs[0].metrics[0].measurements.map((m) => m.at);
  expect(at[5] - at[0]).toBeGreaterThanOrEqual(50_000); // 5 intervals of fake time
  expect(r.analysis.runs[0].verdict).toBe("successful");
  expect(r.logs.rollout.join("\n")).toMatch(/Analysis "health" \(task \d+\): Successful/);
});

test("failureLimit 0: the first failed measurement fails the step and rolls back, the value and the condition in the reason", async () => {
  const r = await run({ metric: { interval: "10s", count: 6 } }, [0.1, 7.25, 0.1]);
  expect(r.status).toBe("rolled_back");
  expect(outcomes(r)).toEqual(["successful", "failed"]);
  const step = r.task("Analysis: health")!;
  expect(step.run.error).toMatch(/Analysis failed: m0: 2nd measurement 7.25 meets the failure condition result >= 5: failed \(1 failed, failureLimit 0\)/);
});

test("failureLimit 1 tolerates one failure; failure wins when both conditions hold", async () => {
  const r = await run({ metric: { count: 3, interval: "1s", failureLimit: 1, successCondition: "result > 0" } }, [6, 0.5, 0.5]);
  expect(r.status).toBe("finished");
  expect(outcomes(r)).toEqual(["failed", "successful", "successful"]);
});

test("inconclusive pauses the rollout on the step (kind task); Skip accepts it and the run goes on", async () => {
  const r = await run({ metric: {} }, [3], {
    during: async (c) => {
      const v = await c.until((v) => v.status === "paused");
      expect(v.pausedReason).toMatchObject({ kind: "task", message: expect.stringMatching(/Analysis inconclusive: m0: 1st measurement 3 meets neither result < 1 nor the failure condition result >= 5/) });
      await c.decide(v.pausedReason!.taskId!, "skip");
    },
  });
  expect(r.status).toBe("finished");
  expect(r.task("Analysis: health")!.status).toBe("skipped");
});

test("Retry measures again from zero (a new run of the next attempt)", async () => {
  const r = await run({ metric: { count: 2, interval: "100ms" } }, [0.1, 3, 0.1, 0.2], {
    during: async (c) => {
      const v = await c.until((v) => v.status === "paused");
      await c.decide(v.pausedReason!.taskId!, "retry");
    },
  });
  expect(r.status).toBe("finished");
  expect(r.analysis.runs.map((x) => [x.attempt, x.verdict])).toEqual([[0, "inconclusive"], [1, "successful"]]);
  expect(outcomes(r, 1)).toEqual(["successful", "successful"]);
});

test("Roll back (abort_rollout) while paused on an inconclusive analysis rolls back", async () => {
  const r = await run({ metric: {} }, [3], {
    during: async (c) => {
      await c.until((v) => v.status === "paused");
      await c.signal("abort_rollout");
    },
  });
  expect(r.status).toBe("rolled_back");
});

test("onFailed pause: a failed analysis pauses instead of rolling back", async () => {
  const r = await run({ metric: {}, onFailed: "pause" }, [9], {
    during: async (c) => {
      const v = await c.until((v) => v.status === "paused");
      expect(v.pausedReason?.message).toMatch(/Analysis failed \(onFailed: pause\)/);
      await c.decide(v.pausedReason!.taskId!, "skip");
    },
  });
  expect(r.status).toBe("finished");
});

test("no data: inconclusive by default, fail or pass as noData says", async () => {
  expect((await run({ metric: { noData: "fail" } }, [null])).status).toBe("rolled_back");
  const passed = await run({ metric: { noData: "pass" } }, [[]]);
  expect(passed.status).toBe("finished");
  expect(passed.analysis.runs[0].metrics[0].measurements[0].message).toMatch(/no data: successful \(noData "pass"\)/);
});

test("errors in a row past consecutiveErrorLimit fail the analysis; an error between values resets the count", async () => {
  const boom = () => new Error("connection refused");
  const failed = await run({ metric: { count: 10, interval: "1s", consecutiveErrorLimit: 2 } }, [boom(), boom(), boom()]);
  expect(failed.status).toBe("rolled_back");
  expect(failed.task("Analysis: health")!.run.error).toMatch(/3 errors in a row, consecutiveErrorLimit 2/);
  const ok = await run({ metric: { count: 5, interval: "1s", consecutiveErrorLimit: 1 } }, [boom(), 0.1, boom(), 0.1, 0.1]);
  expect(ok.status).toBe("finished");
});

test("a dry-run metric that fails is recorded and shown, and changes nothing", async () => {
  const r = await run({ metrics: [{ dryRun: true, failureCondition: "result > -1" }, { provider: { custom: "next" } }] }, [0.5, 0.5]);
  expect(r.status).toBe("finished");
  const [dry, real] = r.analysis.runs[0].metrics;
  expect([dry.dryRun, dry.verdict, real.verdict]).toEqual([true, "failed", "successful"]);
});

test("initialDelay waits on the engine's clock before the first measurement", async () => {
  const r = await run({ metric: { initialDelay: "30s" } }, [0.1]);
  const a = r.analysis.runs[0];
  expect(a.metrics[0].measurements[0].at - a.startedAt).toBeGreaterThanOrEqual(30_000);
});

test("gradualExec's analysis option: an analysis after each wave; a bad wave stops the next", async () => {
  const r = await run({ waves: true }, [0.1, 9]);
  expect(r.status).toBe("rolled_back");
  expect(r.tasks.filter((t) => t.type === "AnalysisTask").map((t) => [t.description, t.run.error ?? "ok"])).toEqual([
    ["Analysis: Health after wave 1 of 2", "ok"],
    ["Analysis: Health after wave 2 of 2", expect.stringMatching(/^Analysis failed: m0: 1st measurement 9 meets the failure condition/)],
  ]);
});

test("a spec with no condition, or a condition that does not parse or names anything but result, is refused at finalise naming the field", async () => {
  await expect(run({ metric: { successCondition: undefined, failureCondition: undefined } }, [])).rejects.toThrow(/metrics\[0\]\.successCondition: a metric needs a successCondition or a failureCondition/);
  await expect(run({ metric: { successCondition: "result <" } }, [])).rejects.toThrow(/metrics\[0\]\.successCondition: does not parse/);
  await expect(run({ metric: { failureCondition: "process.exit(1)" } }, [])).rejects.toThrow(/metrics\[0\]\.failureCondition: (only "result" may be named|unknown function)/);
  await expect(run({ metric: { interval: "10s" } }, [])).rejects.toThrow(/metrics\[0\]\.count: a step's metric with an interval needs a count/);
});

void (null as unknown as TaskContext);

/** Background analysis: the class's static analysis, selected by config.analysis. */
class Watched extends Rollout<{ analysis?: string[] }> {
  static measures = Analysed.measures;
  static analysis = {
    errors: { metrics: [{ name: "errors", provider: { custom: "next" }, interval: "10s", count: 3, successCondition: "result < 1", failureCondition: "result >= 5" }] },
  };
  generateTasks(): Task {
    return new SequentialExecTask([new DelayTask({ seconds: 60 }), new DelayTask({ seconds: 1 })]);
  }
}

test("a background analysis runs beside the run from its start: Failed aborts the rollout (rolled back)", async () => {
  values = [0.1, 7];
  measuredAt = [];
  const r = await testRollout(Watched, { analysis: ["errors"] });
  expect(r.status).toBe("rolled_back");
  expect(r.analysis.runs).toMatchObject([{ taskId: null, name: "errors", verdict: "failed" }]);
  expect(r.logs.rollout.join("\n")).toMatch(/Monitor analysis:errors aborts the rollout: analysis "errors" failed: errors: 2nd measurement 7 meets the failure condition/);
});

test("a background analysis that is inconclusive pauses the rollout (a monitor's pause); a resume carries on", async () => {
  values = [3];
  measuredAt = [];
  const r = await testRollout(Watched, { analysis: ["errors"] }, {
    during: async (c) => {
      const v = await c.until((v) => v.status === "paused");
      expect(v.pausedReason).toMatchObject({ kind: "monitor", message: expect.stringMatching(/analysis "errors" is inconclusive: errors: 1st measurement 3 meets neither/) });
      await c.signal("resume_rollout");
    },
  });
  expect(r.status).toBe("finished");
  expect(r.analysis.runs[0].verdict).toBe("inconclusive");
});

test("with no config.analysis, the class's analyses do not run", async () => {
  values = [9];
  const r = await testRollout(Watched, {});
  expect(r.status).toBe("finished");
  expect(r.analysis.runs).toEqual([]);
});

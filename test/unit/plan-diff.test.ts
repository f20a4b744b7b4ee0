// The difference between two plans: config fields, tasks added, removed, changed.
import { describe, it, expect } from "vitest";
import { diffPlans, type PlanTask } from "@/lib/kettle/read/plans";

const t = (description: string, children: PlanTask[] = [], type = "demo:Deploy"): PlanTask => ({ type, description, children });
const seq = (...c: PlanTask[]) => t("Execute in sequence:", c, "SequentialExecTask");
const par = (...c: PlanTask[]) => t("Execute in parallel:", c, "ParallelExecTask");

describe("plan diff", () => {
  it("a host added to the last wave: one task added, the config field shown before and after", () => {
    const a = { config: { version: "1.0", hosts: ["a", "b", "c"] }, tree: seq(t("Deploy to a"), par(t("Deploy to b"), t("Deploy to c"))) };
    const b = { config: { version: "1.0", hosts: ["a", "b", "c", "d"] }, tree: seq(t("Deploy to a"), par(t("Deploy to b"), t("Deploy to c"), t("Deploy to d"))) };
    expect(diffPlans(a, b)).toEqual({
      config: [{ field: "hosts", before: ["a", "b", "c"], after: ["a", "b", "c", "d"] }],
      tasks: { added: [{ type: "demo:Deploy", description: "Deploy to d", path: "0.1.2" }], removed: [], changed: [] },
      same: false,
    });
  });

  it("a task of the same type in the same group with another description is changed; a task gone is removed; the same plan is the same", () => {
    const a = { config: { v: 1 }, tree: seq(t("Deploy 1 to a"), t("Wait", [], "DelayTask"), t("Deploy 1 to b")) };
    const b = { config: { v: 2, extra: true }, tree: seq(t("Deploy 2 to a"), t("Deploy 2 to b")) };
    const d = diffPlans(a, b);
    expect(d.config).toEqual([
      { field: "v", before: 1, after: 2 },
      { field: "extra", before: undefined, after: true },
    ]);
    expect(d.tasks.changed).toEqual([
      { type: "demo:Deploy", before: "Deploy 1 to a", after: "Deploy 2 to a", path: "0.0" },
      { type: "demo:Deploy", before: "Deploy 1 to b", after: "Deploy 2 to b", path: "0.1" },
    ]);
    expect(d.tasks.removed.map((x) => x.description)).toEqual(["Wait"]);
    expect(d.tasks.added).toEqual([]);
    expect(diffPlans(a, a)).toMatchObject({ same: true, config: [], tasks: { added: [], removed: [], changed: [] } });
  });

  it("repeated tasks count as many times as they occur", () => {
    const a = { config: {}, tree: seq(t("Wait", [], "DelayTask")) };
    const b = { config: {}, tree: seq(t("Wait", [], "DelayTask"), t("Wait", [], "DelayTask")) };
    expect(diffPlans(a, b).tasks.added).toEqual([{ type: "DelayTask", description: "Wait", path: "0.1" }]);
  });
});

// The rollback preview from a tree's records alone (pure): grouping, what is
// left out, a user's composite, and the cap on what is listed.
import { describe, it, expect } from "vitest";
import { rollbackPreview, previewTasks } from "@/lib/kettle/authoring/rollback-plan";
import { Task, SequentialExecTask, ParallelExecTask } from "@/lib/kettle";

class Step extends Task<{ name: string }> {
  run() {}
  description() {
    return this.state.name;
  }
}
class MyGroup extends Task {
  run() {}
}
const T0 = 1_800_000_000_000;
const ran = <T extends Task>(t: T, more: Partial<Task["records"]> = {}): T => {
  Object.assign(t.records, { runStartedAt: T0, runFinishedAt: T0 + 1, ...more });
  return t;
};
const step = (name: string) => new Step({ name });
const number = (root: Task) => {
  let i = 0;
  for (const t of root.walk()) t.id = i++;
  return root;
};
const names = (root: Task, max?: number) => previewTasks(rollbackPreview(root, false, max).steps).map((t) => t.description);

describe("rollback preview (pure)", () => {
  it("leaves out tasks that never started and those already reverted; a parallel group with one started branch is no group", () => {
    const root = number(
      ran(
        new SequentialExecTask([
          ran(step("a"), { revertStartedAt: T0 + 5, revertFinishedAt: T0 + 6 }),
          ran(step("b")),
          ran(new ParallelExecTask([ran(step("c")), step("d")])),
          step("e"),
        ]),
        { runFinishedAt: null },
      ),
    );
    const p = rollbackPreview(root, false);
    expect(p).toMatchObject({ count: 2, shown: 2, skipRollback: false });
    expect(p.steps).toEqual([expect.objectContaining({ description: "c" }), expect.objectContaining({ description: "b" })]);
  });

  it("a user's composite without revertOrder() is one step that reverts its children its own way", () => {
    const root = number(ran(new SequentialExecTask([ran(step("a")), ran(new MyGroup({}, [ran(step("x")), ran(step("y"))]))])));
    const p = rollbackPreview(root, false);
    expect(p.steps[0]).toMatchObject({ description: "MyGroup", own: true });
    expect(p.count).toBe(2);
  });

  it("lists at most the first N in order, keeping the grouping, and counts them all", () => {
    const root = number(ran(new SequentialExecTask([ran(step("a")), ran(new ParallelExecTask([ran(step("b")), ran(step("c")), ran(step("d"))]))])));
    expect(names(root)).toEqual(["b", "c", "d", "a"]);
    const p = rollbackPreview(root, false, 2);
    expect(p).toMatchObject({ count: 4, shown: 2 });
    expect(p.steps).toEqual([{ parallel: [expect.objectContaining({ description: "b" }), expect.objectContaining({ description: "c" })] }]);
  });
});

// The server loads rollouts/ once and the web bundle's copy of the engine uses those
// classes: `instanceof Task` / `instanceof Rollout` must hold across copies of the modules.
import { expect, test, vi } from "vitest";

test("a task or rollout made by one copy of the engine is recognised by another", async () => {
  const a = await import("@/lib/kettle");
  vi.resetModules();
  const b = await import("@/lib/kettle");
  expect(a.Task).not.toBe(b.Task); // two copies, as in the server and the bundle

  class Step extends a.Task<{ n: number }> {
    run() {
      return this.state.n;
    }
  }
  class Plan extends a.Rollout {
    generateTasks() {
      return new Step({ n: 1 });
    }
  }
  const step = new Step({ n: 1 });
  expect(step instanceof b.Task).toBe(true);
  expect(Step.prototype instanceof b.Task).toBe(true); // the registry's subclass check
  expect(new a.DelayTask({ seconds: 1 }) instanceof b.Task).toBe(true);
  expect(Plan.prototype instanceof b.Rollout).toBe(true);
  expect(new Plan(1, {}) instanceof b.Rollout).toBe(true);
  // Subclasses keep the ordinary check, and the base classes are not their own subclasses.
  expect(step instanceof b.DelayTask).toBe(false);
  expect(step instanceof a.DelayTask).toBe(false);
  expect(a.Task.prototype instanceof b.Task).toBe(false);
  expect(b.Rollout.prototype instanceof a.Rollout).toBe(false);
  expect({} instanceof b.Task).toBe(false);
  expect(new Plan(1, {}) instanceof b.Task).toBe(false);
});

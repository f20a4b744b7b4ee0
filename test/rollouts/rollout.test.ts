// The example rollout (rollouts/rollout.ts), tested the way the README shows authors.
import { beforeAll, expect, test } from "vitest";
import { loadTaskKinds } from "@/lib/kettle/modules/registry";
import { testRollout } from "@/lib/kettle/testing";
import { MyRollout } from "@/rollouts/rollout";

// Loading the modules in rollouts/ happens once per process; the timings below are of the runs.
beforeAll(() => loadTaskKinds());

test("MyRollout waits 15 seconds, in fake time", async () => {
  const started = performance.now();
  const r = await testRollout(MyRollout);
  expect(r.status).toBe("finished");
  expect(r.kind).toBe("rollout:MyRollout");
  expect(r.root?.description).toBe("Delay for 15 secs");
  expect(r.root?.run.result).toBe("Waited 15 secs");
  expect(r.root?.logs.run).toContain("Waiting 15 secs");
  expect(r.logs.rollout.at(-1)).toBe("Rollout finished");
  expect(r.elapsedMs).toBeGreaterThanOrEqual(15_000); // the full delay passed, in fake time
  expect(performance.now() - started).toBeLessThan(1000);
});

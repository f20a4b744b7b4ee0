// Bounded work per finalise: a plan may have at most KETTLE_MAX_PLAN_TASKS tasks
// and KETTLE_MAX_PLAN_STATE_BYTES of task state (the JSON stored with each task),
// checked on the generated tree before anything is written or answered. A small
// request could otherwise make a plan of any size (a 54 KB config once made
// 100 MB of task state, a 1 MB one took the server down), and every later read
// of the rollout would pay for it again.
import { KettleError } from "./errors";
import { settings } from "./settings";
import type { Task } from "./authoring/task";

export type PlanLimits = { tasks: number; stateBytes: number };

const n = (x: number) => x.toLocaleString("en-US");

/** Refuses (422, naming the limit and by how much) a tree over the plan limits. */
export function checkPlanLimits(root: Task, limits: PlanLimits = settings().planLimits): void {
  // Iterative walks: a generated tree may be deeper than the stack.
  let tasks = 0;
  for (const stack: Task[] = [root]; stack.length; ) {
    const task = stack.pop()!;
    tasks++;
    for (const child of task.children) stack.push(child);
  }
  if (tasks > limits.tasks) {
    throw new KettleError("unprocessable", `The plan has ${n(tasks)} tasks: ${n(tasks - limits.tasks)} over the limit of ${n(limits.tasks)} (KETTLE_MAX_PLAN_TASKS)`);
  }
  // Counting stops at twice the limit: past that, "at least" says enough, and the
  // work stays bounded whatever each task holds.
  let bytes = 0;
  for (const stack: Task[] = [root]; stack.length && bytes <= 2 * limits.stateBytes; ) {
    const task = stack.pop()!;
    let json: string;
    try {
      json = JSON.stringify(task.state ?? {});
    } catch (e) {
      throw new KettleError("unprocessable", `A task's state cannot be stored as JSON (${task.constructor.name}): ${(e as Error).message}`);
    }
    bytes += Buffer.byteLength(json);
    for (const child of task.children) stack.push(child);
  }
  if (bytes > limits.stateBytes) {
    const atLeast = bytes > 2 * limits.stateBytes ? "at least " : "";
    throw new KettleError(
      "unprocessable",
      `The plan's task state is ${atLeast}${n(bytes)} bytes: ${atLeast}${n(bytes - limits.stateBytes)} over the limit of ${n(limits.stateBytes)} (KETTLE_MAX_PLAN_STATE_BYTES)`,
    );
  }
}

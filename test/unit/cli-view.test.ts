// The CLI's progress line and durations (pure functions of the API's rollout view).
import { describe, expect, it } from "vitest";
import { duration, progressLine, type RolloutJson } from "@/cli/view";

const task = (id: number, status: string, description: string, progress: string | null = null, children: RolloutJson["tasks"][] = []) =>
  ({ id, type: "T", description, status, progress, children }) as NonNullable<RolloutJson["tasks"]>;
const view = (over: Partial<RolloutJson>): RolloutJson => ({
  id: 7,
  kind: "k:K",
  status: "started",
  user: null,
  createdAt: 0,
  rolloutStartedAt: 0,
  rolloutFinishedAt: null,
  rollbackStartedAt: null,
  rollbackFinishedAt: null,
  tasks: task(0, "started", "seq", null, [task(1, "finished", "Deploy a"), task(2, "started", "Delay for 1:30 mins", "75 secs left"), task(3, "not_started", "Deploy b")]),
  ...over,
});

describe("kettle progress line", () => {
  it("tasks done of total, what runs with its countdown, the elapsed time", () => {
    expect(progressLine(view({}), 65_000)).toBe("#7 started · 1/3 tasks done · running: Delay for 1:30 mins (75 secs left) · 1m05s");
  });
  it("the time left when the server estimates it; what waits for a person", () => {
    const waiting = view({ eta: { secondsLeft: 200, confidence: "high" }, waitingFor: [{ taskId: 3, kind: "approval", title: "Approval: Go?" }] });
    expect(progressLine(waiting, 1000)).toBe(
      "#7 started · 1/3 tasks done · running: Delay for 1:30 mins (75 secs left) · task 3 waits for approval: Approval: Go? (kettle approve 7 3) · about 3m20s left · 1s",
    );
  });
  it("during a rollback: reverted of started", () => {
    const tree = task(0, "rolling_back", "seq", null, [task(1, "rolled_back", "a"), task(2, "rolling_back", "b"), task(3, "not_started", "c")]);
    expect(progressLine(view({ status: "rolling_back", tasks: tree }), 0)).toBe("#7 rolling back · 1/2 reverted · running: b · 0s");
  });
  it("durations", () => {
    expect([duration(0), duration(59_400), duration(61_000), duration(3_725_000)]).toEqual(["0s", "59s", "1m01s", "1h02m"]);
  });
});

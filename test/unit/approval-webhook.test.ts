// approval.requested says what is asked and by when: the standard body carries
// the gate's ask, the Slack message names it.
import { describe, expect, it } from "vitest";
import { deliveryBody } from "@/lib/kettle/outbound/webhooks";

const waitingSince = Date.UTC(2026, 11, 3, 14, 0);
const event = (state: Record<string, unknown>) =>
  JSON.stringify({
    type: "approval.requested",
    timestamp: "2026-12-03T14:00:00.000Z",
    data: { rollout: { id: 7, kind: "demo:DemoRollout", status: "started", user: "alice" }, task: { id: 3, type: "ApprovalTask", title: "Wave 2?", state, waitingSince } },
  });

describe("approval.requested", () => {
  it("carries the link, how many approvals from whom, and when the timeout applies", () => {
    const body = JSON.parse(deliveryBody(event({ title: "Wave 2?", approvals: 2, fourEyes: true, approvers: ["group:sre"], timeoutMinutes: 30, onTimeout: "pause" }), "standard"));
    expect(body.data.url).toMatch(/\/rollouts\/7$/);
    expect(body.data.approval).toEqual({ approvals: 2, fourEyes: true, approvers: ["group:sre"], timesOutAt: "2026-12-03T14:30:00.000Z", onTimeout: "pause" });
  });

  it("in Slack's format names what is asked and by when", () => {
    const slack = JSON.parse(deliveryBody(event({ title: "Wave 2?", approvals: 2, fourEyes: true, approvers: ["group:sre"], timeoutMinutes: 30 }), "slack"));
    expect(slack.text).toMatch(/^:raised_hand: <[^|]+\/rollouts\/7\|Rollout 7> \(demo:DemoRollout\) waits for 2 approvals \(four eyes\) from group:sre by 2026-12-03 14:30 UTC \(then it is rejected\): Wave 2\?$/);
    const plain = JSON.parse(deliveryBody(event({ title: "Wave 2?" }), "slack"));
    expect(plain.text).toMatch(/waits for an approval: Wave 2\?$/);
  });
});

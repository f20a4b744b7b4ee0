// An approval gate as the page and the API read it while it waits: the approvals
// given (one per person, not yet carried out), whether its decision is under way,
// and how long it may still wait.
import type { Task } from "../authoring/task";
import { approvalPolicy } from "../authoring/approvals";
import type { DecisionRow } from "../store/decisions";
import type { GateView } from "./view-types";

/** Unhandled approvals of a gate, one per person. */
const gateApprovals = (t: Task, decisions: DecisionRow[]) => {
  const mine = decisions.filter((d) => d.taskId === t.id && d.handledAt === null && d.action === "approve");
  return mine.filter((d, i) => mine.findIndex((e) => e.by === d.by) === i);
};

/** A waiting gate whose decision is being carried out: a rejection, or all the approvals it needs. */
export function gateDecided(t: Task, decisions: DecisionRow[]): boolean {
  if (decisions.some((d) => d.taskId === t.id && d.handledAt === null && d.action === "reject")) return true;
  return gateApprovals(t, decisions).length >= approvalPolicy(t.state, "ApprovalTask").approvals;
}

/** What a waiting gate needs, has, and how long it may still wait (paused time not counted). */
export function gateView(t: Task, decisions: DecisionRow[], at: number): GateView {
  const policy = approvalPolicy(t.state, "ApprovalTask");
  const minutes = typeof t.state.timeoutMinutes === "number" ? t.state.timeoutMinutes : null;
  const active = t.records.runStartedAt ? Math.max(0, at - t.records.runStartedAt - t.records.pausedMs) : 0;
  return {
    ...policy,
    given: gateApprovals(t, decisions).map((d) => ({ by: d.by, at: d.at, ...(d.comment ? { comment: d.comment } : {}) })),
    timeoutLeftMs: minutes === null ? null : Math.max(0, minutes * 60_000 - active),
    onTimeout: (t.state.onTimeout as GateView["onTimeout"]) ?? "reject",
  };
}

// Operator signals: names, what they do, and when each is available.
import type { RolloutStatus } from "./status";

export const signalNames = [
  "pause_rollout",
  "resume_rollout",
  "abort_rollout",
  "term_rollout",
  "skip_rollback",
  "abort_rollback",
  "term_rollback",
] as const;
export type SignalName = (typeof signalNames)[number];

export type SignalSpec = {
  description: string;
  /** Statuses in which it may be sent. */
  availableIn: RolloutStatus[];
  /** The status the rollout shows once it is sent, if it changes. */
  setsStatus?: RolloutStatus;
  /** Asks for confirmation in the UI. */
  dangerous?: boolean;
  /**
   * May be sent again and again (pause, resume): each is a decision row, not a
   * signal row. The others can be sent once per rollout.
   */
  repeatable?: boolean;
};

export const signals: Record<SignalName, SignalSpec> = {
  pause_rollout: {
    description: "Pause: no new task starts and delays stop counting; running commands finish. Resume when ready.",
    availableIn: ["started"],
    setsStatus: "paused",
    repeatable: true,
  },
  resume_rollout: {
    description: "Carry on where the rollout paused: delays wait only the time they had left.",
    availableIn: ["paused"],
    setsStatus: "started",
    repeatable: true,
  },
  abort_rollout: {
    description: "Graceful stop: no new task starts, delays end, running commands finish; then roll back.",
    availableIn: ["started", "paused"],
    setsStatus: "aborting_rollout",
  },
  term_rollout: {
    description: "Immediate stop, like kill -9 for the running commands; then roll back.",
    availableIn: ["started", "paused", "aborting_rollout"],
    setsStatus: "terminating_rollout",
    dangerous: true,
  },
  skip_rollback: {
    description: "Once the run stops, for any reason, do not roll back: keep what was deployed.",
    availableIn: ["started", "paused", "aborting_rollout", "terminating_rollout"],
  },
  abort_rollback: {
    description: "Graceful stop of the rollback after the current revert.",
    availableIn: ["rolling_back"],
    setsStatus: "aborting_rollback",
  },
  term_rollback: {
    description: "Immediate stop of the rollback.",
    availableIn: ["rolling_back", "aborting_rollback"],
    setsStatus: "terminating_rollback",
    dangerous: true,
  },
};

export const isSignalName = (name: string): name is SignalName => (signalNames as readonly string[]).includes(name);

/**
 * The signals that can be sent now, given the status and those already sent.
 * `awaitingDecision`: a task failed and waits for retry / skip / roll back, so resume is not offered.
 */
export function availableSignals(status: RolloutStatus, sent: Iterable<string>, awaitingDecision = false): SignalName[] {
  const already = new Set(sent);
  return signalNames.filter(
    (n) =>
      signals[n].availableIn.includes(status) &&
      (signals[n].repeatable || !already.has(n)) &&
      !(n === "resume_rollout" && awaitingDecision),
  );
}

// The time-left estimate in words, for the end that cannot be told: never a
// number that claims less than what is known. "at least 45 s left, then waits
// for 2 approvals (no earlier run to learn from)".
import type { Eta } from "@/lib/kettle/read/eta";

/** `45 s`, `4 min`, `1 h 05 min`. */
export function formatLeft(seconds: number): string {
  if (seconds < 59.5) return `${Math.max(0, Math.round(seconds))} s`;
  const min = Math.round(seconds / 60);
  if (min < 60) return `${min} min`;
  return `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, "0")} min`;
}

const approvals = (n: number) => (n === 1 ? "an approval" : `${n} approvals`);

/**
 * An estimate whose end is open because approval gates lie ahead or some tasks
 * have nothing to go by: the work known (a lower bound), what it then waits for,
 * and why it cannot say more. `reason` is left out when compact.
 */
export function lowerBoundWords(eta: Eta): { text: string; reason: string | null } {
  const work = formatLeft(eta.workSeconds);
  const untimed = eta.untimedTasks > 0;
  const amount = untimed ? (eta.workSeconds > 0 ? `at least ${work}` : null) : eta.workSeconds > 0 ? `about ${work}` : null;
  const plan = eta.phase === "plan";
  let text: string;
  if (amount) text = plan ? `Takes ${amount}` : `${amount} ${eta.phase === "rollback" ? "of the rollback " : ""}left`;
  else if (untimed) text = plan ? "Takes an unknown time" : "Time left unknown";
  else text = plan ? "Takes no time of its own" : "No work left";
  if (eta.approvalsAhead) text += amount || untimed ? `, then waits for ${approvals(eta.approvalsAhead)}` : `; waits for ${approvals(eta.approvalsAhead)}`;
  const n = eta.untimedTasks;
  const reason = !untimed
    ? null
    : eta.phase === "rollback"
      ? `${n} revert${n === 1 ? "" : "s"} not timed yet`
      : eta.learnedFrom === 0
        ? "no earlier run to learn from"
        : `${n} task${n === 1 ? "" : "s"} never timed before`;
  return { text, reason };
}

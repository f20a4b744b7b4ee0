"use client";
// Time left, shown near the status: "about 4 min left, ends 14:32"; open-ended
// (paused, waiting for a person) says so instead of guessing; an end that is
// not known (approval gates ahead, tasks never timed) gives the work known as a
// lower bound: "at least 45 s left, then waits for 2 approvals".
import type { Eta } from "@/lib/kettle/read/eta";
import { Time, useNow } from "../app-context";
import { ui } from "@/lib/web/ui";
import { formatLeft, lowerBoundWords } from "@/lib/web/eta-words";

export { formatLeft };

const confidenceText = { high: "", medium: " (rough: from similar tasks)", low: " (unsure)" } as const;

export function EtaText({ eta, compact = false }: { eta: Eta | null; compact?: boolean }) {
  const clock = useNow();
  if (!eta) return null;
  const what = eta.phase === "rollback" ? "of the rollback " : eta.phase === "plan" ? "" : "";
  if ((eta.endsAt === null || eta.secondsLeft === null) && (eta.openEnded === "approvals_ahead" || eta.openEnded === "untimed")) {
    // Not blocked now, but the end is not known: the work known as a lower bound, and why.
    const { text, reason } = lowerBoundWords(eta);
    return (
      <span className={`text-sm ${ui.muted}`} data-testid="eta" data-open-ended="true" title={eta.note ?? undefined}>
        {text}
        {!compact && reason && ` (${reason})`}
      </span>
    );
  }
  if (eta.endsAt === null || eta.secondsLeft === null) {
    return (
      <span className={`text-sm ${ui.muted}`} data-testid="eta" data-open-ended="true" title={eta.note ?? undefined}>
        Time left: open-ended{compact ? "" : ` (${eta.note ?? "cannot be estimated"}${eta.workSeconds ? `; about ${formatLeft(eta.workSeconds)} of work left` : ""})`}
      </span>
    );
  }
  if (eta.phase === "plan") {
    return (
      <span className={`text-sm ${ui.muted}`} data-testid="eta">
        Takes about {formatLeft(eta.secondsLeft)}
        {confidenceText[eta.confidence]}
      </span>
    );
  }
  // Counts down between refreshes.
  const left = clock ? Math.max(0, (eta.endsAt - clock) / 1000) : eta.secondsLeft;
  return (
    <span className="text-sm text-slate-700 dark:text-slate-300" data-testid="eta" title={eta.note ?? undefined}>
      about {formatLeft(left)} {what}left, ends <Time at={eta.endsAt} timeOnly />
      {!compact && <span className={ui.muted}>{confidenceText[eta.confidence]}</span>}
    </span>
  );
}

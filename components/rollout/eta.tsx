"use client";
// Time left, shown near the status: "about 4 min left, ends 14:32"; open-ended
// (paused, waiting for a person) says so instead of guessing.
import type { Eta } from "@/lib/kettle/read/eta";
import { Time, useNow } from "../app-context";
import { ui } from "@/lib/web/ui";

/** `45 s`, `4 min`, `1 h 05 min`. */
export function formatLeft(seconds: number): string {
  if (seconds < 59.5) return `${Math.max(0, Math.round(seconds))} s`;
  const min = Math.round(seconds / 60);
  if (min < 60) return `${min} min`;
  return `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, "0")} min`;
}

const confidenceText = { high: "", medium: " (rough: from similar tasks)", low: " (unsure)" } as const;

export function EtaText({ eta, compact = false }: { eta: Eta | null; compact?: boolean }) {
  const clock = useNow();
  if (!eta) return null;
  const what = eta.phase === "rollback" ? "of the rollback " : eta.phase === "plan" ? "" : "";
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

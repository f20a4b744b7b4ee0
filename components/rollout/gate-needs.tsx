"use client";
// What a waiting approval gate needs: how many approvals from whom, which it
// has, and how long it may still wait before its timeout applies (counting down;
// frozen while the rollout is paused, since paused time does not count).
import type { LiveView } from "@/lib/kettle/operations";
import { useNow } from "../app-context";
import { formatLeft } from "./eta";
import { ui } from "@/lib/web/ui";

type Gate = NonNullable<LiveView["waitingFor"][number]["approval"]>;

const timeoutWord = { reject: "rejects", approve: "approves", pause: "pauses the rollout" } as const;

export function GateNeeds({ gate, paused, serverNow }: { gate: Gate; paused: boolean; serverNow: number }) {
  const clock = useNow();
  const given = gate.given.map((g) => g.by ?? "anonymous");
  const left = gate.timeoutLeftMs === null ? null : paused || !clock ? gate.timeoutLeftMs : Math.max(0, gate.timeoutLeftMs - (clock - serverNow));
  return (
    <div className={`mt-2 space-y-0.5 text-sm ${ui.muted}`} data-testid="gate-needs">
      {(gate.approvals > 1 || gate.fourEyes || gate.approvers.length > 0) && (
        <p>
          Needs {gate.approvals} approval{gate.approvals === 1 ? "" : "s"}
          {gate.fourEyes ? " (four eyes: not only the person who ran it)" : ""}
          {gate.approvers.length ? ` from ${gate.approvers.join(" or ")}` : ""}
          {given.length ? `; ${given.length} given: ${given.join(", ")}` : ""}
        </p>
      )}
      {left !== null && (
        <p data-testid="gate-timeout">
          {left > 0 ? `Times out in ${formatLeft(left / 1000)}${paused ? " (paused: not counting)" : ""}, then ${timeoutWord[gate.onTimeout]}` : gate.onTimeout === "pause" ? "Timed out: the rollout was paused; still waiting for approval" : "Timing out now"}
        </p>
      )}
    </div>
  );
}

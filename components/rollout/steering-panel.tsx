"use client";
// What a person is asked to decide now: why the rollout is paused, approval
// gates that wait (Approve / Reject), failed tasks the run is paused on
// (Retry / Skip / Roll back), and Retry rollback after a failed rollback.
import { useState } from "react";
import type { LiveView } from "@/lib/kettle/operations";
import { Ago, Time, refusalText, useMe, useRefusal } from "../app-context";
import { GateNeeds } from "./gate-needs";
import { ui } from "@/lib/web/ui";
import { CommentField } from "./comment-field";

type Waiting = LiveView["waitingFor"][number];
/** Sends a decision: the API path and an optional comment; resolves once the page has refreshed. */
export type Decide = (name: string, path: string, body?: { comment?: string; planHash?: string }) => Promise<void>;

export function SteeringPanel({ view, busy, decide }: { view: LiveView; busy: string | null; decide: Decide }) {
  const retryRefused = useRefusal()("retry_rollback");
  const paused = view.status === "paused" && view.pausedReason;
  if (!paused && !view.waitingFor.length && !view.canRetryRollback) return null;
  return (
    <section aria-label="Decisions needed" className="space-y-3" data-testid="steering">
      {paused && (
        <div role="status" className="flex gap-3 rounded-xl border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950/50 dark:text-amber-100" data-testid="paused-banner">
          <svg aria-hidden="true" viewBox="0 0 16 16" className="mt-0.5 h-4 w-4 shrink-0" fill="currentColor">
            <path d="M4 2.5h2.5v11H4zM9.5 2.5H12v11H9.5z" />
          </svg>
          <div>
            <p className="font-semibold">Paused: no new task starts{["signal", "monitor", "task"].includes(view.pausedReason!.kind) ? " until someone resumes it" : " until someone decides"}.</p>
            <p className="mt-0.5 break-words">
              {view.pausedReason!.message}
              {view.pausedReason!.since ? (
                <span className="text-amber-800/80 dark:text-amber-200/70">
                  {" "}
                  · <Ago at={view.pausedReason!.since} />
                </span>
              ) : null}
            </p>
          </div>
        </div>
      )}
      {view.waitingFor.map((w) => (
        <WaitingCard key={`${w.kind}-${w.taskId}`} waiting={w} rolloutId={view.id} busy={busy} decide={decide} paused={view.status === "paused"} serverNow={view.now} />
      ))}
      {view.canRetryRollback && (
        <div className={`${ui.card} flex flex-wrap items-center gap-3 p-4`}>
          <button
            type="button"
            className={ui.btnWarn}
            disabled={busy !== null || !!retryRefused}
            onClick={() => void decide("retry_rollback", `/api/rollouts/${view.id}/rollback/retry`)}
            data-testid="retry-rollback"
          >
            {busy === "retry_rollback" ? "Retrying…" : "Retry rollback"}
          </button>
          <p className={`text-sm ${ui.muted}`}>
            {retryRefused ? refusalText(retryRefused) : "Reverts again only the tasks whose revert failed or never ran; the reverts that worked are kept."}
          </p>
        </div>
      )}
    </section>
  );
}

function WaitingCard({ waiting, rolloutId, busy, decide, paused, serverNow }: { waiting: Waiting; rolloutId: number; busy: string | null; decide: Decide; paused: boolean; serverNow: number }) {
  const [comment, setComment] = useState("");
  const approval = waiting.kind === "approval";
  const base = `/api/rollouts/${rolloutId}/tasks/${waiting.taskId}`;
  const send = (action: string) => decide(`${action}-${waiting.taskId}`, `${base}/${action}`, comment.trim() ? { comment: comment.trim() } : undefined);
  const label = (action: string, text: string, doing: string) => (busy === `${action}-${waiting.taskId}` ? doing : text);
  const refusal = useRefusal();
  // Who may not decide sees the buttons disabled, with the reason (never hidden).
  const me = useMe();
  // One person counts once on a gate that needs several approvals.
  const approvedAlready = !!me && !!waiting.approval?.given.some((g) => g.by === me.user);
  const refused = (approval ? ["approve", "reject"] : ["retry", "skip", "abort_rollout"]).map(refusal).find((r) => r) ?? (approvedAlready ? "You have approved it: it needs approvals from other people" : null);
  return (
    <div
      className={`${ui.card} space-y-3 border-l-4 p-4 ${approval ? "border-l-amber-400" : "border-l-rose-500"}`}
      data-testid={approval ? "approval" : "failure-decision"}
      data-task-id={waiting.taskId}
    >
      <div>
        <p className={`text-xs font-medium uppercase tracking-wide ${ui.muted}`}>
          {approval ? "Waiting for approval" : "Failed: the run is paused on it"} · task {waiting.taskId}
        </p>
        <p className="mt-1 text-base font-semibold break-words">{waiting.title}</p>
        {waiting.error && <p className="mt-1 font-mono text-xs whitespace-pre-wrap break-words text-rose-700 dark:text-rose-400">{waiting.error}</p>}
        {waiting.approval && <GateNeeds gate={waiting.approval} paused={paused} serverNow={serverNow} />}
      </div>
      <CommentField value={comment} onChange={setComment} />
      <div className="flex flex-wrap items-center gap-2">
        {approval ? (
          <>
            <button type="button" className={ui.btnPrimary} disabled={busy !== null || !!refusal("approve") || approvedAlready} onClick={() => void send("approve")}>
              {label("approve", "Approve", "Approving…")}
            </button>
            <button type="button" className={ui.btnDanger} disabled={busy !== null || !!refusal("reject")} onClick={() => void send("reject")}>
              {label("reject", "Reject", "Rejecting…")}
            </button>
          </>
        ) : (
          <>
            <button type="button" className={ui.btnPrimary} disabled={busy !== null || !!refusal("retry")} onClick={() => void send("retry")}>
              {label("retry", "Retry", "Retrying…")}
            </button>
            <button type="button" className={ui.btnSecondary} disabled={busy !== null || !!refusal("skip")} onClick={() => void send("skip")}>
              {label("skip", "Skip", "Skipping…")}
            </button>
            <button
              type="button"
              className={ui.btnWarn}
              disabled={busy !== null || !!refusal("abort_rollout")}
              onClick={() => void decide("abort_rollout", `/api/rollouts/${rolloutId}/signals/abort_rollout`, comment.trim() ? { comment: comment.trim() } : undefined)}
            >
              {busy === "abort_rollout" ? "Rolling back…" : "Roll back"}
            </button>
          </>
        )}
        {refused && <p className="text-xs text-amber-800 dark:text-amber-300">{refusalText(refused)}</p>}
      </div>
    </div>
  );
}

const actionNames: Record<string, string> = {
  pause_rollout: "paused",
  resume_rollout: "resumed",
  approve: "approved",
  reject: "rejected",
  retry: "retried",
  skip: "skipped",
  retry_rollback: "retried the rollback",
};

/** Every decision on record, oldest first. */
export function DecisionList({ decisions }: { decisions: LiveView["decisions"] }) {
  return (
    <ul className="space-y-0.5" data-testid="decisions">
      {decisions.map((d, i) => (
        <li key={i} className="break-words">
          <span className="font-medium">{d.by ?? "anonymous"}</span> {actionNames[d.action] ?? d.action}
          {d.taskId !== undefined ? ` task ${d.taskId}` : ""}
          {d.comment ? <span className={ui.muted}>: “{d.comment}”</span> : null}
          <span className={ui.muted}>, </span>
          <Time at={d.at} />
        </li>
      ))}
    </ul>
  );
}

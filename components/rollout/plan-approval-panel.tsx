"use client";
// A plan that must be approved before it runs (its kind's requiresApproval): who
// approved or rejected this very plan and when, what is missing and from whom,
// what changed since a plan that was approved, and Approve / Reject bound to the
// plan's hash (a plan changed meanwhile is refused by the server).
import { useState } from "react";
import type { LiveView } from "@/lib/kettle/operations";
import { Time, refusalText, useMe, useRefusal } from "../app-context";
import { PlanDiffView } from "./plan-diff";
import type { Decide } from "./steering-panel";
import { ui } from "@/lib/web/ui";
import { CommentField } from "./comment-field";

type Approval = NonNullable<LiveView["planApproval"]>;

export function PlanApprovalPanel({ view, busy, decide }: { view: LiveView; busy: string | null; decide: Decide }) {
  const a = view.planApproval;
  const [comment, setComment] = useState("");
  const me = useMe();
  const refusal = useRefusal();
  if (!a || view.status !== "not_started") return null;
  const given = a.required - a.missing;
  const rejected = a.rejections.length > 0;
  // The server decides; the page says beforehand what it will say.
  const setAside = a.fourEyes && me?.user ? (me.user === a.createdBy ? "you created the rollout" : me.user === a.finalisedBy ? "you finalised this plan" : null) : null;
  const decided = me && [...a.approvals, ...a.rejections].some((d) => d.by === me.user);
  const approveRefused = refusal("approve_plan") ?? (setAside ? `Four eyes: ${setAside}, so someone else must approve it` : decided ? "You have decided on this plan already" : null);
  const send = (d: "approve" | "reject") => decide(`${d}-plan`, `/api/rollouts/${view.id}/plan/${d}`, { planHash: a.planHash, ...(comment.trim() ? { comment: comment.trim() } : {}) });
  return (
    <section aria-labelledby="plan-approval-heading" className={`${ui.card} space-y-4 border-l-4 p-4 sm:p-5 ${rejected ? "border-l-rose-500" : a.missing ? "border-l-amber-400" : "border-l-emerald-500"}`} data-testid="plan-approval">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="plan-approval-heading" className={ui.h2}>
          Plan approval
        </h2>
        <p className="text-sm font-medium" data-testid="plan-approval-state">
          {rejected ? "Rejected: it cannot run until the plan changes" : a.missing ? `${given} of ${a.required} approvals: ${a.missing} missing` : "Approved: it may run"}
        </p>
      </div>
      <p className={`text-sm ${ui.muted}`}>
        This kind runs only a plan that {a.required === 1 ? "someone has" : `${a.required} different people have`} approved
        {a.fourEyes ? ", not its own makers (four eyes)" : ""}
        {a.approvers.length ? `; approvers: ${a.approvers.join(", ")}` : ""}. Plan <span className="font-mono text-xs">{a.planHash.slice(0, 12)}</span>, finalised by {a.finalisedBy ?? "anonymous"}.
      </p>
      <Decisions title="Approved by" list={a.approvals} testId="plan-approvals" />
      <Decisions title="Rejected by" list={a.rejections} testId="plan-rejections" />
      {a.sinceApproved && <PlanDiffView diff={a.sinceApproved} title="Changed since the plan that was approved (its approvals no longer count)" />}
      <CommentField value={comment} onChange={setComment} />
      <div className="flex flex-wrap items-center gap-2">
        <button type="button" className={ui.btnPrimary} disabled={busy !== null || !!approveRefused} onClick={() => void send("approve")} data-testid="approve-plan">
          {busy === "approve-plan" ? "Approving…" : "Approve this plan"}
        </button>
        <button type="button" className={ui.btnDanger} disabled={busy !== null || !!refusal("reject_plan") || !!decided} onClick={() => void send("reject")} data-testid="reject-plan">
          {busy === "reject-plan" ? "Rejecting…" : "Reject"}
        </button>
        {approveRefused && <p className="text-xs text-amber-800 dark:text-amber-300">{refusalText(approveRefused)}</p>}
      </div>
    </section>
  );
}

function Decisions({ title, list, testId }: { title: string; list: Approval["approvals"]; testId: string }) {
  if (!list.length) return null;
  return (
    <div>
      <h3 className={`text-xs font-medium uppercase tracking-wide ${ui.muted}`}>{title}</h3>
      <ul className="mt-1 space-y-0.5 text-sm" data-testid={testId}>
        {list.map((d, i) => (
          <li key={i} className="break-words">
            <span className="font-medium">{d.by ?? "anonymous"}</span>
            {d.comment ? <span className={ui.muted}>: “{d.comment}”</span> : null}
            <span className={ui.muted}>, </span>
            <Time at={d.at} />
          </li>
        ))}
      </ul>
    </div>
  );
}

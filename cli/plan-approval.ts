// `kettle approve-plan ID` / `kettle reject-plan ID`: decide on the plan a rollout
// will run (its kind's requiresApproval), bound to the plan's hash as the server
// shows it now; a plan that changes meanwhile is refused by the server (409).
import { CliError, EXIT, type Client } from "./client";

type PlanApproval = { required: number; planHash: string; approvals: { by: string | null }[]; rejections: { by: string | null }[]; missing: number } | null;
type WithApproval = { id: number; status: string; planApproval?: PlanApproval };

export async function decidePlan(client: Client, id: string, decision: "approve" | "reject", comment?: string): Promise<{ rollout: WithApproval; line: string }> {
  const before = await client.request<WithApproval>("GET", `/api/rollouts/${id}?tasks=summary`);
  if (!before.planApproval) throw new CliError(EXIT.refused, `Rollout ${before.id} needs no approval of its plan (status: ${before.status.replace(/_/g, " ")})`);
  const rollout = await client.request<WithApproval>("POST", `/api/rollouts/${before.id}/plan/${decision}?tasks=summary`, { planHash: before.planApproval.planHash, ...(comment ? { comment } : {}) });
  const a = rollout.planApproval!;
  const state = a.rejections.length ? "rejected: it cannot run until the plan changes" : a.missing ? `${a.required - a.missing} of ${a.required} approvals, ${a.missing} missing` : "approved: it may run";
  return { rollout, line: `${decision === "approve" ? "Approved" : "Rejected"} the plan of rollout ${rollout.id} (${before.planApproval.planHash.slice(0, 12)}): ${state}` };
}

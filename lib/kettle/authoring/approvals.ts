// Who must agree, and how many: the one shape for a plan's approval before it
// runs (a class's `requiresApproval`) and for an approval gate mid-run
// (ApprovalTask). Whether a given person may approve is lib/auth's to say
// (lib/auth/approvals.ts); this only states and checks the rule.

export type ApprovalPolicy = {
  /** How many different people must approve (1 by default). */
  approvals?: number;
  /**
   * Four eyes: for a plan, whoever created or finalised it may not approve it, and
   * whoever runs it may not be its only approver; for a gate, whoever ran the
   * rollout may not approve it alone.
   */
  fourEyes?: boolean;
  /** Who may approve, spelt as the role settings are: user names, `group:NAME`, or `role:operator` / `role:admin`. Anyone allowed to approve when empty. */
  approvers?: string[];
};

export type Policy = { approvals: number; fourEyes: boolean; approvers: string[] };

/** The policy with its defaults, or an error naming what is wrong (`where`: "requiresApproval", "ApprovalTask"). */
export function approvalPolicy(p: ApprovalPolicy | undefined, where: string): Policy {
  const approvals = p?.approvals ?? 1;
  if (!Number.isInteger(approvals) || approvals < 1 || approvals > 20) throw new Error(`${where}.approvals must be a whole number from 1 to 20 (got ${approvals})`);
  const approvers = p?.approvers ?? [];
  if (!Array.isArray(approvers) || approvers.some((a) => typeof a !== "string" || !a.trim() || a.length > 200)) {
    throw new Error(`${where}.approvers must be a list of user names, group:NAME or role:ROLE entries`);
  }
  const badRole = approvers.find((a) => a.startsWith("role:") && !["role:viewer", "role:operator", "role:admin"].includes(a));
  if (badRole) throw new Error(`${where}.approvers: "${badRole}" is not a role (role:viewer, role:operator or role:admin)`);
  return { approvals, fourEyes: p?.fourEyes === true, approvers: approvers.map((a) => a.trim()) };
}

/** "2 approvals (four eyes) from group:sre or alice" */
export function describePolicy(p: Policy): string {
  const n = `${p.approvals} approval${p.approvals === 1 ? "" : "s"}`;
  return `${n}${p.fourEyes ? " (four eyes)" : ""}${p.approvers.length ? ` from ${p.approvers.join(" or ")}` : ""}`;
}

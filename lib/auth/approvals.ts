// Who may approve a plan or an approval gate, beyond the role the action needs:
// the rule's `approvers` (user names, group:NAME, role:ROLE, spelt as the role
// settings are) and four eyes (not the people the rule sets aside). Pure
// functions: the routes ask, then call the engine.
import type { Policy } from "@/lib/kettle/authoring/approvals";
import { isRole, roleRank } from "./roles";
import type { Identity } from "./identity";

/** Someone four eyes sets aside, and why ("created the rollout"). */
export type SetAside = { user: string | null; why: string };

function matches(who: Identity, entry: string): boolean {
  if (entry.startsWith("group:")) return who.groups.includes(entry.slice(6));
  if (entry.startsWith("role:")) {
    const role = entry.slice(5);
    return isRole(role) && who.role !== null && roleRank[who.role] >= roleRank[role];
  }
  return who.user !== null && who.user === entry;
}

/** Why `who` may not approve under `policy`; null when they may. `setAside`: who four eyes excludes. */
export function approverRefusal(who: Identity, policy: Policy, setAside: SetAside[]): string | null {
  if (policy.approvers.length && !policy.approvers.some((entry) => matches(who, entry))) {
    return `Only ${policy.approvers.join(" or ")} may approve this`;
  }
  if (!policy.fourEyes) return null;
  if (who.user === null) return "Four eyes needs approvers signed in by name: approve as a named user";
  const aside = setAside.find((s) => s.user === who.user);
  return aside ? `Four eyes: you ${aside.why}, so someone else must approve it` : null;
}

/** Who may give the missing approvals, in words: "operators other than alice (created the rollout)". */
export function whoMayApprove(policy: Policy, setAside: SetAside[]): string {
  const base = policy.approvers.length ? policy.approvers.join(" or ") : "anyone allowed to approve";
  const others = policy.fourEyes ? setAside.filter((s) => s.user) : [];
  return others.length ? `${base}, other than ${[...new Set(others.map((s) => s.user))].join(" and ")}` : base;
}

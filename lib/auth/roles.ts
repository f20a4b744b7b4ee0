// Roles and what each may do. Pure functions of the settings: no I/O.
import type { Settings } from "@/lib/kettle/settings";

export const roles = ["viewer", "operator", "admin"] as const;
export type Role = (typeof roles)[number];
export const roleRank: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };
export const isRole = (r: unknown): r is Role => typeof r === "string" && (roles as readonly string[]).includes(r);
export const lowerRole = (a: Role, b: Role): Role => (roleRank[a] <= roleRank[b] ? a : b);

/**
 * Every action a route may declare, with the lowest role allowed to do it.
 * KETTLE_ADMIN_ONLY moves any of them up to admin. Reading (pages, the read
 * API, logs) needs only a role, i.e. viewer.
 */
export const actionRoles = {
  read: "viewer",
  token_create: "viewer", // a token never outranks its creator
  token_revoke: "viewer", // one's own; other people's need admin (token_revoke_any)
  token_revoke_any: "admin",
  token_list_all: "admin",
  audit_read: "admin",
  backup: "admin", // a copy of everything, secrets sealed but there
  // webhooks (their URLs and deliveries may reveal secrets): admins only
  webhook_read: "admin",
  webhook_create: "admin",
  webhook_update: "admin",
  webhook_delete: "admin",
  metrics_read: "viewer",
  // when rollouts may run (issue 21): freeze windows and their override are admins' to decide
  freeze_create: "admin",
  freeze_delete: "admin",
  freeze_override: "admin",
  schedule: "operator",
  schedule_cancel: "operator",
  queue_cancel: "operator",
  queue_front: "admin",
  create: "operator",
  finalise: "operator",
  run: "operator",
  hide: "operator",
  lock: "operator",
  unlock: "operator",
  approve: "operator",
  reject: "operator",
  approve_plan: "operator",
  reject_plan: "operator",
  retry: "operator",
  skip: "operator",
  retry_rollback: "operator",
  abort_rollout: "operator",
  term_rollout: "operator",
  skip_rollback: "operator",
  abort_rollback: "operator",
  term_rollback: "operator",
  pause_rollout: "operator",
  resume_rollout: "operator",
} as const satisfies Record<string, Role>;
export type Action = keyof typeof actionRoles;
export const isAction = (a: string): a is Action => Object.hasOwn(actionRoles, a);

/** Audit-only action names (not permissions). */
export type AuditAction = Action | "sign_in" | "sign_out" | "refused";

/** The role an action needs under these settings; an unknown action needs operator. */
export function requiredRole(action: string, auth: Pick<Settings["auth"], "adminOnly">): Role {
  if (auth.adminOnly.includes(action)) return "admin";
  return isAction(action) ? actionRoles[action] : "operator";
}

/** What anyone identified may do, even with no role: see who they are, sign out. */
const forAnyone = new Set(["me", "sign_out"]);

export function allowed(role: Role | null, action: string, auth: Pick<Settings["auth"], "adminOnly">): boolean {
  if (forAnyone.has(action)) return true;
  return role !== null && roleRank[role] >= roleRank[requiredRole(action, auth)];
}

/** Why an action is refused, in words the page and the API show alike; null when allowed. */
export function refusal(role: Role | null, action: string, auth: Pick<Settings["auth"], "adminOnly">): string | null {
  if (allowed(role, action, auth)) return null;
  const needed = requiredRole(action, auth);
  return `${action} needs the ${needed} role${role ? ` (you are ${/^[aeiou]/.test(role) ? "an" : "a"} ${role})` : " (you have none)"}`;
}

/**
 * The role of a signed-in user: the highest list (KETTLE_ADMINS, _OPERATORS,
 * _VIEWERS) that names them or one of their groups (`group:NAME`); otherwise
 * KETTLE_DEFAULT_ROLE (null when that is `none`).
 */
export function roleFor(user: string, groups: string[], auth: Pick<Settings["auth"], "admins" | "operators" | "viewers" | "defaultRole">): Role | null {
  const names = new Set([user, ...groups.map((g) => `group:${g}`)]);
  const listed = (list: string[]) => list.some((entry) => names.has(entry));
  if (listed(auth.admins)) return "admin";
  if (listed(auth.operators)) return "operator";
  if (listed(auth.viewers)) return "viewer";
  return auth.defaultRole === "none" ? null : auth.defaultRole;
}

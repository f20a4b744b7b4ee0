// API tokens for pipelines: made by a signed-in user, never above their role.
import type { Db } from "@/lib/kettle/store/db";
import { insertToken, listTokens, newTokenSecret, revokeToken, tokenById, type TokenRow } from "@/lib/kettle/store/tokens";
import { auditStatement, type AuditEntry } from "@/lib/kettle/store/audit";
import { badInput, conflict, notFound } from "@/lib/kettle/errors";
import { now } from "@/lib/kettle/clock";
import { refuseBadText } from "@/lib/kettle/text";
import { settings } from "@/lib/kettle/settings";
import { isRole, roleRank, type Role } from "./roles";
import type { Identity } from "./identity";

export const DEFAULT_TOKEN_DAYS = 30;
export const MAX_TOKEN_DAYS = 365;
const DAY = 86_400_000;

export type TokenView = Omit<TokenRow, "userGroups"> & { status: "active" | "expired" | "revoked" };

export function tokenView(t: TokenRow, at = now()): TokenView {
  const { userGroups: _, ...rest } = t;
  return { ...rest, status: t.revokedAt ? "revoked" : t.expiresAt <= at ? "expired" : "active" };
}

export async function createToken(db: Db, actor: Identity, body: Record<string, unknown>, audit: AuditEntry) {
  if (settings().auth.mode === "none") throw conflict("API tokens are for KETTLE_AUTH=proxy or oidc: with no sign-in, every request may do anything");
  if (!actor.user || !actor.role) throw badInput("Only a signed-in user with a role can make a token");
  if (actor.via === "token") throw badInput("A token cannot make another token: sign in to make one");
  const name = typeof body.name === "string" ? body.name.trim() : "";
  if (!name || name.length > 100) throw badInput("name: give the token a name (1 to 100 characters), e.g. the pipeline that uses it", { name: ["1 to 100 characters"] });
  refuseBadText("name", name);
  const role: Role = body.role === undefined ? actor.role : (body.role as Role);
  if (!isRole(role)) throw badInput("role must be viewer, operator or admin", { role: ["viewer, operator or admin"] });
  if (roleRank[role] > roleRank[actor.role]) throw badInput(`role: a token cannot have more than your own role (${actor.role})`, { role: [`at most ${actor.role}`] });
  const days = body.expiresInDays === undefined ? DEFAULT_TOKEN_DAYS : body.expiresInDays;
  if (typeof days !== "number" || !Number.isFinite(days) || days <= 0 || days > MAX_TOKEN_DAYS) {
    throw badInput(`expiresInDays must be a number of days from more than 0 to ${MAX_TOKEN_DAYS}`, { expiresInDays: [`more than 0, at most ${MAX_TOKEN_DAYS}`] });
  }
  const at = now();
  const secret = newTokenSecret();
  const row = { name, role, user: actor.user, userGroups: actor.groups, createdAt: at, expiresAt: at + Math.round(days * DAY), secret };
  const id = await insertToken(db, row, auditStatement({ ...audit, comment: `token "${name}" (${role}, ${days} days)` }));
  const made = await tokenById(db, id);
  return { ...tokenView(made!, at), token: secret };
}

/** Own tokens; admins see everyone's (`all`). */
export async function tokensFor(db: Db, actor: Identity, all: boolean): Promise<TokenView[]> {
  const at = now();
  return (await listTokens(db, all ? null : (actor.user ?? ""))).map((t) => tokenView(t, at));
}

/**
 * Revokes a token. Someone else's needs `authorizeOthers` to let it through: it
 * throws (403, audited) for anyone who may not (token_revoke_any), as the README's
 * roles table has always said.
 */
export async function revoke(db: Db, actor: Identity, id: number, audit: AuditEntry, authorizeOthers: () => Promise<void>): Promise<TokenView> {
  const t = await tokenById(db, id);
  if (!t) throw notFound(`No token with id ${id}`);
  if (t.user !== actor.user) await authorizeOthers();
  if (t.revokedAt) throw conflict(`The token "${t.name}" was already revoked${t.revokedBy ? ` by ${t.revokedBy}` : ""}`);
  const done = await revokeToken(db, id, actor.user, now(), auditStatement({ ...audit, comment: `token "${t.name}" of ${t.user}` }, { ifChanged: true }));
  if (!done) throw conflict(`The token "${t.name}" was already revoked`);
  return tokenView((await tokenById(db, id))!);
}

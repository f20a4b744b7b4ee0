// Who is this? One answer per request, from the active mode only:
//   none   everyone is "anonymous" with the admin role
//   proxy  KETTLE_USER_HEADER (and KETTLE_GROUPS_HEADER) set by a trusted proxy
//   oidc   the sealed session cookie set at sign-in
// and, in proxy and oidc modes, `Authorization: Bearer kettle_…` API tokens.
import { settings } from "@/lib/kettle/settings";
import type { Db } from "@/lib/kettle/store/db";
import { hashToken, tokenByHash, touchToken } from "@/lib/kettle/store/tokens";
import { sessionIsLive } from "@/lib/kettle/store/sessions";
import { now } from "@/lib/kettle/clock";
import { lowerRole, isRole, refusal, roleFor, actionRoles, type Role } from "./roles";
import { cookieFrom, SESSION_COOKIE, unseal, type SessionPayload } from "./session";

export type Via = "none" | "proxy" | "session" | "token";

export type Identity = {
  /** The name recorded as who did it; null in mode none (shown as "anonymous"). */
  user: string | null;
  groups: string[];
  /** null: signed in but given no role (KETTLE_DEFAULT_ROLE=none and not listed). */
  role: Role | null;
  via: Via;
  tokenName?: string;
  tokenId?: number;
  /** The browser session's id (mode oidc). */
  sessionId?: string;
  address: string | null;
};

/** Not identified: `reason` says why (401). */
export type Anonymous = { reason: string; address: string | null };

/** The header server.ts sets to the peer's address (any value a client sent is replaced). */
export const ADDRESS_HEADER = "x-kettle-remote-address";
/** The header server.ts sets to the request's path (for the sign-in redirect's way back). */
export const PATH_HEADER = "x-kettle-path";

function clientAddress(headers: Headers): string | null {
  const peer = headers.get(ADDRESS_HEADER);
  // Behind the trusted proxy, the client is the address the proxy saw.
  if (settings().auth.mode === "proxy") {
    const forwarded = headers.get("x-forwarded-for")?.split(",").map((s) => s.trim()).filter(Boolean);
    if (forwarded?.length) return forwarded[forwarded.length - 1];
  }
  return peer;
}

export async function identify(db: Db, headers: Headers): Promise<Identity | Anonymous> {
  const s = settings();
  const address = clientAddress(headers);
  const mode = s.auth.mode;
  if (mode === "none") return { user: null, groups: [], role: "admin", via: "none", address };

  // Only Kettle's own tokens count: a proxy may pass on an Authorization header of its own (its provider's token).
  const m = /^Bearer\s+(kettle_\S+)\s*$/i.exec(headers.get("authorization") ?? "");
  if (m) {
    const token = await tokenByHash(db, hashToken(m[1]));
    const at = now();
    if (!token) return { reason: "Unknown API token", address };
    if (token.revokedAt) return { reason: `The API token "${token.name}" was revoked`, address };
    if (token.expiresAt <= at) return { reason: `The API token "${token.name}" has expired`, address };
    await touchToken(db, token.id, at);
    // Never more than the token was made with, nor than its creator has now.
    const creatorRole = roleFor(token.user, token.userGroups, s.auth);
    const role = isRole(token.role) && creatorRole ? lowerRole(token.role, creatorRole) : null;
    return { user: token.user, groups: token.userGroups, role, via: "token", tokenName: token.name, tokenId: token.id, address };
  }

  if (mode === "proxy") {
    const user = headers.get(s.userHeader!)?.trim().slice(0, 200);
    if (!user) return { reason: `Not signed in: the proxy sent no ${s.userHeader} header`, address };
    const groups = s.auth.groupsHeader
      ? (headers.get(s.auth.groupsHeader) ?? "").split(",").map((g) => g.trim()).filter(Boolean).slice(0, 500)
      : [];
    return { user, groups, role: roleFor(user, groups, s.auth), via: "proxy", address };
  }

  const session = await unseal<SessionPayload>("session", cookieFrom(headers.get("cookie"), SESSION_COOKIE));
  if (!session || typeof session.user !== "string" || typeof session.sid !== "string") return { reason: "Not signed in: sign in first, or send an API token", address };
  if (!(await sessionIsLive(db, session.sid, now()))) return { reason: "Your session has ended: sign in again", address };
  const groups = Array.isArray(session.groups) ? session.groups.map(String) : [];
  return { user: session.user, groups, role: roleFor(session.user, groups, s.auth), via: "session", sessionId: session.sid, address };
}

export const isIdentified = (x: Identity | Anonymous): x is Identity => !("reason" in x);

/** What the UI needs to know about the current user: who, which role, and why each action would be refused. */
export type Me = {
  mode: "none" | "proxy" | "oidc";
  user: string | null;
  groups: string[];
  role: Role | null;
  via: Via;
  tokenName?: string;
  /** action → the reason it is refused, or null when allowed */
  refused: Record<string, string | null>;
};

export function meOf(id: Identity): Me {
  const auth = settings().auth;
  return {
    mode: auth.mode,
    user: id.user,
    groups: id.groups,
    role: id.role,
    via: id.via,
    ...(id.tokenName ? { tokenName: id.tokenName } : {}),
    refused: Object.fromEntries(Object.keys(actionRoles).map((a) => [a, refusal(id.role, a, auth)])),
  };
}

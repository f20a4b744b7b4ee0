import { NextResponse, type NextRequest } from "next/server";
import { settings } from "@/lib/kettle/settings";
import { database } from "@/lib/kettle/operations";
import { recordRefusedSignIn, startSession } from "@/lib/kettle/sessions";
import { now } from "@/lib/kettle/clock";
import { finishSignIn, publicBase } from "@/lib/auth/oidc";
import { cookieOptions, seal, SESSION_COOKIE, SIGN_IN_COOKIE } from "@/lib/auth/session";
import { roleFor } from "@/lib/auth/roles";
import { ADDRESS_HEADER } from "@/lib/auth/identity";

export const dynamic = "force-dynamic";

/** The provider sends the browser back here with a code: exchange it, start the session, record the sign-in. */
export async function GET(req: NextRequest) {
  const base = publicBase(req.headers, req.nextUrl);
  const s = settings();
  if (s.auth.mode !== "oidc") return NextResponse.redirect(base + "/", 303);
  const secure = base.startsWith("https:");
  const db = await database();
  const address = req.headers.get(ADDRESS_HEADER);
  try {
    const who = await finishSignIn(req.cookies.get(SIGN_IN_COOKIE)?.value ?? null, req.nextUrl.search);
    const role = roleFor(who.user, who.groups, s.auth);
    const at = now();
    const audit = { at, user: who.user, role, via: "session", action: "sign_in", address, comment: who.groups.length ? `groups: ${who.groups.join(", ")}` : null };
    const sid = await startSession(db, { user: who.user, at, expiresAt: at + s.auth.sessionMs }, audit);
    const session = await seal("session", { sid, user: who.user, groups: who.groups }, s.auth.sessionMs);
    const res = NextResponse.redirect(base + who.next, 303);
    res.cookies.set(SESSION_COOKIE, session, cookieOptions(secure, s.auth.sessionMs));
    res.cookies.set(SIGN_IN_COOKIE, "", cookieOptions(secure, 0));
    return res;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    await recordRefusedSignIn(db, { at: now(), user: null, role: null, via: "session", action: "sign_in", outcome: "refused", address, comment: `401: ${message}` });
    const res = new NextResponse(`Sign-in failed: ${message}\n\nSign in again: ${base}/auth/sign-in\n`, { status: 401, headers: { "content-type": "text/plain; charset=utf-8" } });
    res.cookies.set(SIGN_IN_COOKIE, "", cookieOptions(secure, 0));
    return res;
  }
}

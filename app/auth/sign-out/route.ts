import { NextResponse } from "next/server";
import { route } from "@/lib/web/http";
import { publicBase } from "@/lib/auth/oidc";
import { finishSession } from "@/lib/kettle/sessions";
import { now } from "@/lib/kettle/clock";
import { cookieOptions, SESSION_COOKIE } from "@/lib/auth/session";

export const dynamic = "force-dynamic";

/** Ends the browser session (a POST from the page, same-origin only) and records it. */
export const POST = route(
  async ({ req, db, audit, actor }) => {
    const base = publicBase(req.headers, req.nextUrl);
    if (actor.sessionId) await finishSession(db, actor.sessionId, now(), audit("sign_out"));
    const res = NextResponse.redirect(`${base}/auth/signed-out`, 303);
    res.cookies.set(SESSION_COOKIE, "", cookieOptions(base.startsWith("https:"), 0));
    return res;
  },
  { mutation: true, action: "sign_out" },
);

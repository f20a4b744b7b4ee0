import { NextResponse, type NextRequest } from "next/server";
import { settings } from "@/lib/kettle/settings";
import { publicBase, safeNext, startSignIn } from "@/lib/auth/oidc";
import { cookieOptions, SIGN_IN_COOKIE } from "@/lib/auth/session";

export const dynamic = "force-dynamic";

/** Starts the OpenID Connect sign-in: to the provider, with PKCE, state and nonce kept in a sealed cookie. */
export async function GET(req: NextRequest) {
  const base = publicBase(req.headers, req.nextUrl);
  const next = safeNext(req.nextUrl.searchParams.get("next"));
  if (settings().auth.mode !== "oidc") return NextResponse.redirect(base + next, 303);
  try {
    const { url, cookie, maxAgeMs } = await startSignIn(base, next);
    const res = NextResponse.redirect(url, 303);
    res.cookies.set(SIGN_IN_COOKIE, cookie, cookieOptions(base.startsWith("https:"), maxAgeMs));
    return res;
  } catch (e) {
    console.error("Sign-in could not start:", e);
    return new NextResponse(`Sign-in could not start: the identity provider (${settings().auth.oidc?.issuer}) did not answer. Try again later.`, {
      status: 502,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  }
}

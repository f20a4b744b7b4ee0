// OpenID Connect sign-in (authorization code flow with PKCE, state and nonce)
// by openid-client: discovery, the code exchange and the ID token's validation
// are the library's; this module only keeps the flow's state in a sealed cookie
// and turns the claims into a Kettle session.
import * as oidc from "openid-client";
import { settings } from "@/lib/kettle/settings";
import { seal, unseal } from "./session";

const SIGN_IN_MS = 10 * 60_000;

let configuration: Promise<oidc.Configuration> | undefined;
/** The provider's configuration, discovered once per process (a failure is retried at the next sign-in). */
function provider(): Promise<oidc.Configuration> {
  const o = settings().auth.oidc!;
  configuration ??= oidc
    .discovery(
      new URL(o.issuer),
      o.clientId,
      undefined,
      o.clientSecret ? oidc.ClientSecretPost(o.clientSecret) : oidc.None(),
      // plain http only for a provider on this machine (development, tests)
      new URL(o.issuer).protocol === "http:" && isLoopback(new URL(o.issuer).hostname) ? { execute: [oidc.allowInsecureRequests] } : undefined,
    )
    .catch((e) => {
      configuration = undefined;
      throw e;
    });
  return configuration;
}

const isLoopback = (host: string) => host === "localhost" || host === "127.0.0.1" || host === "[::1]" || host === "::1";

/** Where the app is reached: KETTLE_PUBLIC_URL, or the request's own origin and the base path. */
export function publicBase(headers: Headers, requestUrl: URL): string {
  const configured = settings().auth.publicUrl;
  if (configured) return configured;
  const proto = headers.get("x-forwarded-proto")?.split(",")[0].trim() || requestUrl.protocol.replace(":", "");
  const host = headers.get("x-forwarded-host") ?? headers.get("host") ?? requestUrl.host;
  return `${proto}://${host}${settings().basePath}`;
}

/** Only a path on this site (no //host, no scheme) may be the way back after sign-in. */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\") || /[\r\n]/.test(next)) return "/";
  return next.startsWith("/auth/") ? "/" : next;
}

type SignInState = { verifier: string; state: string; nonce: string; next: string; redirectUri: string };

/** The provider's authorization URL, and the sealed state to keep in a cookie until the callback. */
export async function startSignIn(base: string, next: string): Promise<{ url: URL; cookie: string; maxAgeMs: number }> {
  const config = await provider();
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const redirectUri = `${base}/auth/callback`;
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: settings().auth.oidc!.scopes,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
  });
  const cookie = await seal("sign-in", { verifier, state, nonce, next: safeNext(next), redirectUri } satisfies SignInState, SIGN_IN_MS);
  return { url, cookie, maxAgeMs: SIGN_IN_MS };
}

/** Exchanges the code (checking state, PKCE and nonce) and returns who signed in. */
export async function finishSignIn(sealedState: string | null, search: string): Promise<{ user: string; groups: string[]; next: string }> {
  const st = await unseal<SignInState>("sign-in", sealedState);
  if (!st) throw new Error("The sign-in took too long or was started in another browser: sign in again");
  const config = await provider();
  const tokens = await oidc.authorizationCodeGrant(config, new URL(st.redirectUri + search), {
    pkceCodeVerifier: st.verifier,
    expectedState: st.state,
    expectedNonce: st.nonce,
    idTokenExpected: true,
  });
  const idClaims = tokens.claims()!;
  let claims: Record<string, unknown> = { ...idClaims };
  const groupsClaim = settings().auth.oidc!.groupsClaim;
  // Many providers put groups (and names) only in the userinfo response.
  if (!(groupsClaim in claims) || !("preferred_username" in claims || "email" in claims)) {
    try {
      const info = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
      claims = { ...info, ...claims };
    } catch {
      // no userinfo endpoint: the ID token's claims are all there is
    }
  }
  const name = [claims.preferred_username, claims.email, idClaims.sub].find((v) => typeof v === "string" && v.trim()) as string;
  const raw = claims[groupsClaim];
  const groups = (Array.isArray(raw) ? raw : typeof raw === "string" ? raw.split(",") : []).map((g) => String(g).trim()).filter(Boolean).slice(0, 500);
  return { user: name.trim().slice(0, 200), groups, next: st.next };
}

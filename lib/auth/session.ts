// Sealed cookies: the browser session and the short-lived sign-in state, both
// encrypted and authenticated (JWE, dir + A256GCM, by jose) with a key derived
// from KETTLE_SECRET_KEY. A cookie sealed for one purpose cannot pass for the other.
import { hkdfSync } from "node:crypto";
import { EncryptJWT, jwtDecrypt, type JWTPayload } from "jose";
import { settings } from "@/lib/kettle/settings";

export const SESSION_COOKIE = "kettle_session";
export const SIGN_IN_COOKIE = "kettle_sign_in";

type Purpose = "session" | "sign-in";
const keys = new Map<string, Uint8Array>();
function key(purpose: Purpose): Uint8Array {
  const secret = settings().secretKey;
  const id = `${purpose}\0${secret}`;
  let k = keys.get(id);
  if (!k) keys.set(id, (k = new Uint8Array(hkdfSync("sha256", secret, "kettle", `kettle ${purpose} cookie`, 32))));
  return k;
}

export async function seal(purpose: Purpose, payload: JWTPayload, maxAgeMs: number): Promise<string> {
  return new EncryptJWT(payload)
    .setProtectedHeader({ alg: "dir", enc: "A256GCM", typ: purpose })
    .setIssuedAt()
    .setExpirationTime(Math.floor((Date.now() + maxAgeMs) / 1000))
    .encrypt(key(purpose));
}

/** The payload, or null when the cookie is missing, forged, sealed for another purpose or expired. */
export async function unseal<T extends JWTPayload>(purpose: Purpose, sealed: string | undefined | null): Promise<T | null> {
  if (!sealed) return null;
  try {
    const { payload, protectedHeader } = await jwtDecrypt(sealed, key(purpose));
    if (protectedHeader.typ !== purpose) return null;
    return payload as T;
  } catch {
    return null;
  }
}

export type SessionPayload = JWTPayload & { sid: string; user: string; groups: string[] };

/** Cookie attributes: HttpOnly, SameSite=Lax, Secure when the app is reached over https, scoped to the base path. */
export function cookieOptions(secure: boolean, maxAgeMs?: number) {
  return {
    httpOnly: true,
    sameSite: "lax" as const,
    secure,
    path: settings().basePath || "/",
    ...(maxAgeMs === undefined ? {} : { maxAge: Math.floor(maxAgeMs / 1000) }),
  };
}

/** Reads a cookie from a Cookie header. */
export function cookieFrom(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return null;
}

// Secrets Kettle must read back (a webhook's signing secret): kept sealed in the
// database (JWE, dir + A256GCM, by jose) with a key derived from KETTLE_SECRET_KEY,
// so a copy of the database alone does not give them away.
import { hkdfSync } from "node:crypto";
import { CompactEncrypt, compactDecrypt } from "jose";
import { settings } from "./settings";

const keys = new Map<string, Uint8Array>();
function key(purpose: string): Uint8Array {
  const secret = settings().secretKey;
  const id = `${purpose}\0${secret}`;
  let k = keys.get(id);
  if (!k) keys.set(id, (k = new Uint8Array(hkdfSync("sha256", secret, "kettle", `kettle ${purpose}`, 32))));
  return k;
}

export async function sealSecret(purpose: string, plain: string): Promise<string> {
  return new CompactEncrypt(new TextEncoder().encode(plain)).setProtectedHeader({ alg: "dir", enc: "A256GCM", cty: purpose }).encrypt(key(purpose));
}

/** The secret, or null when it was sealed with another KETTLE_SECRET_KEY (or for another purpose). */
export async function unsealSecret(purpose: string, sealed: string): Promise<string | null> {
  try {
    const { plaintext, protectedHeader } = await compactDecrypt(sealed, key(purpose));
    if (protectedHeader.cty !== purpose) return null;
    return new TextDecoder().decode(plaintext);
  } catch {
    return null;
  }
}

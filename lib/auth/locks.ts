// Deploy locks: an operator locks a rollout kind with a reason; Run is refused until unlocked.
import type { Db } from "@/lib/kettle/store/db";
import { allLocks, deleteLock, insertLock, lockOf, type KindLock } from "@/lib/kettle/store/locks";
import { auditStatement, type AuditEntry } from "@/lib/kettle/store/audit";
import { badInput, conflict, notFound } from "@/lib/kettle/errors";
import { now } from "@/lib/kettle/clock";
import { refuseBadText } from "@/lib/kettle/text";
import { settings } from "@/lib/kettle/settings";

export { lockOf, allLocks, type KindLock };

/** The kind named in a URL, which must be one this deployment offers. */
export function offeredKind(param: string): string {
  let kind = param;
  try {
    kind = decodeURIComponent(param);
  } catch {
    // keep it as it came
  }
  if (!settings().rolloutClasses.includes(kind)) throw notFound(`No rollout kind "${kind.slice(0, 100)}"; this deployment offers: ${settings().rolloutClasses.join(", ")}`);
  return kind;
}

export async function lockKind(db: Db, kind: string, reason: unknown, user: string | null, audit: AuditEntry): Promise<KindLock> {
  const why = typeof reason === "string" ? reason.trim() : "";
  if (!why || why.length > 500) throw badInput("reason: say why Run is locked (1 to 500 characters)", { reason: ["1 to 500 characters"] });
  refuseBadText("reason", why);
  const lock = { kind, reason: why, lockedBy: user, lockedAt: now() };
  await insertLock(db, lock, auditStatement({ ...audit, kind, comment: why }, { ifChanged: true }));
  return lock;
}

export async function unlockKind(db: Db, kind: string, audit: AuditEntry): Promise<void> {
  const held = await lockOf(db, kind);
  if (!held) throw conflict(`${kind} is not locked`);
  const done = await deleteLock(db, kind, auditStatement({ ...audit, kind, comment: `was locked by ${held.lockedBy ?? "anonymous"}: ${held.reason}` }, { ifChanged: true }));
  if (!done) throw conflict(`${kind} is not locked`);
}

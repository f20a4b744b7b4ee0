// Browser sessions as the web side starts and ends them: each with its audit
// row in the same batch (store/sessions.ts holds the SQL).
import type { Db } from "./store/db";
import { auditStatement, writeAudit, type AuditEntry } from "./store/audit";
import { endSession, insertSession, newSessionId } from "./store/sessions";

/** Starts a session for a signed-in user and records the sign-in; returns the session's id. */
export async function startSession(db: Db, s: { user: string; at: number; expiresAt: number }, audit: AuditEntry): Promise<string> {
  const id = newSessionId();
  await insertSession(db, { id, user: s.user, createdAt: s.at, expiresAt: s.expiresAt }, auditStatement(audit));
  return id;
}

/** Ends a session and records the sign-out (nothing is recorded when it had already ended). */
export async function finishSession(db: Db, id: string, at: number, audit: AuditEntry): Promise<void> {
  await endSession(db, id, at, auditStatement(audit, { ifChanged: true }));
}

/** Records a sign-in that failed (no session to attach it to). */
export async function recordRefusedSignIn(db: Db, audit: AuditEntry): Promise<void> {
  await writeAudit(db, audit);
}

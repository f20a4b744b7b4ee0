// Whether this instance should get traffic (GET /readyz): its database answers
// and is at this code's schema, its runner loop goes round, and it is not
// shutting down. Each problem is a short sentence with no paths or versions:
// the answer is public.
import type { Db } from "../store/db";
import { migrationStatus } from "../store/migrations";
import { now } from "../clock";
import type { Runner } from "./runner";

const DB_TIMEOUT_MS = 2000;

export async function readinessProblems(db: Db, runner: Runner, state: { stopping: boolean }): Promise<string[]> {
  if (state.stopping) return ["shutting down: rollouts are being handed over"];
  const problems: string[] = [];
  try {
    const status = await withTimeout(migrationStatus(db), DB_TIMEOUT_MS);
    if (status.pending.length) problems.push(`database: ${status.pending.length} migration(s) not applied`);
    if (status.unknown) problems.push("database: migrated by a newer Kettle");
  } catch {
    problems.push(`database: no answer within ${DB_TIMEOUT_MS / 1000} s`);
  }
  const since = now() - runner.lastLoopAt;
  if (since > runner.leaseLength) {
    problems.push(runner.lastLoopAt ? `runner: its loop last went round ${Math.round(since / 1000)} s ago (lease ${runner.leaseLength / 1000} s)` : "runner: its loop has not gone round yet");
  }
  return problems;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("timeout")), ms)))]).finally(() => clearTimeout(timer));
}

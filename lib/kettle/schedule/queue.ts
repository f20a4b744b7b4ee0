// The queue per kind as the web side steers it (issue 21): an operator cancels a
// queued run (it goes back to not started), an admin moves one to the front.
// Queueing itself happens in operations.runRollout; starting the head of the
// queue is the runner's (runner/runner.ts). Re-exported by operations.ts.
import type { Db } from "../store/db";
import { requireRolloutRow } from "../store/rollouts";
import { cancelQueued, moveToFront } from "../store/queue";
import type { AuditEntry } from "../store/audit";

export async function cancelQueuedRun(db: Db, id: number, audit: AuditEntry): Promise<void> {
  const row = await requireRolloutRow(db, id);
  await cancelQueued(db, id, { ...audit, kind: row.kind });
}

export async function moveQueuedToFront(db: Db, id: number, audit: AuditEntry): Promise<void> {
  const row = await requireRolloutRow(db, id);
  await moveToFront(db, id, { ...audit, kind: row.kind });
}

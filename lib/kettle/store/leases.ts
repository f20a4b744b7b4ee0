// Runners' leases on rollouts: which rollouts may be claimed, claiming one,
// renewing and releasing the lease, and the leases of this host's other
// instances (a dead one's need not run out).
import type { Db } from "./db";
import { activeStatuses } from "../status";
import { hintChanged } from "../change-hints";

/** Active rollouts no live runner holds: never claimed, released, or whose lease expired. */
export async function claimableRollouts(db: Db, at: number, limit = 20) {
  const statuses = activeStatuses.map(() => "?").join(", ");
  const rs = await db.$client.execute({
    sql: `SELECT id, lease_owner FROM rollout WHERE status IN (${statuses})
          AND (lease_owner IS NULL OR lease_expires_at < ?) ORDER BY id LIMIT ?`,
    args: [...activeStatuses, at, limit],
  });
  return rs.rows.map((r) => ({ id: Number(r.id), previousOwner: r.lease_owner === null ? null : String(r.lease_owner) }));
}

/**
 * Active rollouts leased by instances on this host, with their pids: when such a
 * process is gone, its leases need not run out before someone takes over.
 */
export async function leasesOfLocalInstances(db: Db, host: string, exceptOwner: string) {
  const statuses = activeStatuses.map(() => "?").join(", ");
  const rs = await db.$client.execute({
    sql: `SELECT r.id, r.lease_owner, i.pid FROM rollout r JOIN instance i ON i.id = r.lease_owner
          WHERE r.status IN (${statuses}) AND i.host = ? AND r.lease_owner != ?`,
    args: [...activeStatuses, host, exceptOwner],
  });
  return rs.rows.map((r) => ({ id: Number(r.id), owner: String(r.lease_owner), pid: Number(r.pid) }));
}

/**
 * Takes the lease if it is still free: a compare-and-swap on the previous owner,
 * so two claimers can never both win. `ownerIsDead` skips the expiry check, for
 * an owner known to be gone.
 */
export async function claimLease(
  db: Db,
  id: number,
  owner: string,
  previousOwner: string | null,
  at: number,
  leaseMs: number,
  ownerIsDead = false,
): Promise<boolean> {
  const statuses = activeStatuses.map(() => "?").join(", ");
  const free = ownerIsDead ? "" : "AND (lease_owner IS NULL OR lease_expires_at < ?)";
  const rs = await db.$client.execute({
    sql: `UPDATE rollout SET lease_owner = ?, lease_expires_at = ?, heartbeat_at = ?
          WHERE id = ? AND status IN (${statuses}) AND lease_owner IS ? ${free}`,
    args: [owner, at + leaseMs, at, id, ...activeStatuses, previousOwner, ...(ownerIsDead ? [] : [at])],
  });
  if (rs.rowsAffected === 1) hintChanged(id, "rollout");
  return rs.rowsAffected === 1;
}

export async function renewLease(db: Db, id: number, owner: string, at: number, leaseMs: number): Promise<boolean> {
  const rs = await db.$client.execute({
    sql: "UPDATE rollout SET lease_expires_at = ?, heartbeat_at = ? WHERE id = ? AND lease_owner = ?",
    args: [at + leaseMs, at, id, owner],
  });
  return rs.rowsAffected === 1;
}

/** Gives the lease back without finishing (shutdown), so the next runner carries on at once. */
export async function releaseLease(db: Db, id: number, owner: string): Promise<void> {
  await db.$client.execute({
    sql: "UPDATE rollout SET lease_owner = NULL, lease_expires_at = NULL WHERE id = ? AND lease_owner = ?",
    args: [id, owner],
  });
}

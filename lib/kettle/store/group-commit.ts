// Group commit for task transitions. Each transition is still committed before
// its caller goes on, but the ones that arrive while a commit is under way (the
// starts of a parallel group's children, their ends) go into the next commit
// together: one transaction for a thousand rows instead of a thousand.
import type { InStatement } from "@libsql/client";
import type { Db } from "./db";

type Pending = { stmt: InStatement; resolve(rowsAffected: number): void; reject(e: unknown): void };

/** Statements per transaction at most, so that one commit never holds the event loop for long. */
const MAX_GROUP = 1000;

class GroupCommit {
  private queue: Pending[] = [];
  private draining = false;

  constructor(private readonly db: Db) {}

  /** Resolves with the statement's rowsAffected once it is committed. */
  write(stmt: InStatement): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ stmt, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        // After the current synchronous run, so that a loop issuing many writes lands in one group.
        queueMicrotask(() => void this.drain());
      }
    });
  }

  private async drain() {
    try {
      while (this.queue.length) {
        const group = this.queue.splice(0, MAX_GROUP);
        try {
          const counts =
            group.length === 1
              ? [(await this.db.$client.execute(group[0].stmt)).rowsAffected]
              : (await this.db.$client.batch(group.map((g) => g.stmt), "write")).map((r) => r.rowsAffected);
          group.forEach((g, i) => g.resolve(counts[i]));
        } catch (e) {
          // A failed transaction changed nothing: every caller in it hears why.
          for (const g of group) g.reject(e);
        }
        // Give the event loop a turn between groups (timers, requests, the next group's callers).
        if (this.queue.length) await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.draining = false;
      if (this.queue.length) {
        this.draining = true;
        queueMicrotask(() => void this.drain());
      }
    }
  }
}

const groups = new WeakMap<Db, GroupCommit>();

/** Writes one statement through the database's group commit. */
export function groupWrite(db: Db, stmt: InStatement): Promise<number> {
  let g = groups.get(db);
  if (!g) groups.set(db, (g = new GroupCommit(db)));
  return g.write(stmt);
}

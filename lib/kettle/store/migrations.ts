// Migrations: applied once even when several instances start together on an
// old database (a lock row in the database itself, so it holds across hosts),
// and refused when the database was migrated by a newer Kettle than this code.
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { migrate } from "drizzle-orm/libsql/migrator";
import { readMigrationFiles } from "drizzle-orm/migrator";
import type { Db } from "./db";
import { SettingsError } from "../settings";

const LOCK_TTL_MS = 60_000;
const LOCK_WAIT_MS = 120_000;

function migrationsFolder(): string {
  return path.join(process.cwd(), "drizzle");
}

type Journal = { entries: { when: number; tag: string }[] };
function journal(folder: string): Journal {
  return JSON.parse(fs.readFileSync(path.join(folder, "meta", "_journal.json"), "utf8")) as Journal;
}

/** Applies pending migrations, one instance at a time; refuses a database a newer Kettle migrated. */
export async function migrateDb(db: Db, folder = migrationsFolder()): Promise<void> {
  await refuseNewerDatabase(db, folder);
  await withMigrationLock(db, async () => {
    await migrate(db, { migrationsFolder: folder });
    await applySkipped(db, folder);
  });
}

/** What the database lacks (`pending`, by tag) or has that this code does not know (`unknown`). */
export async function migrationStatus(db: Db, folder = migrationsFolder()): Promise<{ pending: string[]; unknown: number }> {
  const known = journal(folder).entries;
  const recorded = await recordedMigrations(db);
  const knownWhen = new Set(known.map((e) => e.when));
  return {
    pending: known.filter((e) => !recorded.has(e.when)).map((e) => e.tag),
    unknown: [...recorded].filter((when) => !knownWhen.has(when)).length,
  };
}

/** The `created_at` (the journal's `when`) of each recorded migration; none before the first start. */
async function recordedMigrations(db: Db): Promise<Set<number>> {
  try {
    return new Set((await db.$client.execute("SELECT created_at FROM __drizzle_migrations")).rows.map((r) => Number(r.created_at)));
  } catch (e) {
    if (/no such table/i.test(String((e as Error).message))) return new Set();
    throw e;
  }
}

async function refuseNewerDatabase(db: Db, folder: string): Promise<void> {
  const { unknown } = await migrationStatus(db, folder);
  if (!unknown) return;
  throw new SettingsError(
    `KETTLE_DATABASE_URL: this database was migrated by a newer Kettle (${unknown} migration${unknown === 1 ? "" : "s"} this version does not know). ` +
      "Run the newer version, or restore the backup taken before the upgrade; this version will not run against a schema it does not know.",
  );
}

/**
 * Runs `fn` holding the database's migration lock: one row that a starting
 * instance inserts, or takes over when its holder died more than a minute ago.
 * Another instance waits for it and then finds nothing left to apply.
 */
async function withMigrationLock(db: Db, fn: () => Promise<void>): Promise<void> {
  const holder = randomBytes(8).toString("hex");
  await db.$client.execute(
    "CREATE TABLE IF NOT EXISTS __kettle_migration_lock (id INTEGER PRIMARY KEY CHECK (id = 1), holder TEXT NOT NULL, expires_at INTEGER NOT NULL)",
  );
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let wait = 20; ; wait = Math.min(wait * 2, 500)) {
    const at = Date.now();
    const rs = await db.$client.execute({
      sql: `INSERT INTO __kettle_migration_lock (id, holder, expires_at) VALUES (1, ?, ?)
            ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at WHERE __kettle_migration_lock.expires_at < ?`,
      args: [holder, at + LOCK_TTL_MS, at],
    });
    if (rs.rowsAffected === 1) break;
    if (Date.now() > deadline) throw new Error("Another instance has been migrating the database for over two minutes: is it stuck?");
    await new Promise((r) => setTimeout(r, wait));
  }
  try {
    await fn();
  } finally {
    await db.$client.execute({ sql: "DELETE FROM __kettle_migration_lock WHERE holder = ?", args: [holder] });
  }
}

/**
 * Drizzle applies only the migrations newer than the last one recorded, so one
 * merged from a branch after a later-numbered one had already run here would be
 * skipped for good (seen while developing: a database without the outbox
 * table). Any migration of the journal whose hash is not recorded runs here, in
 * journal order, with its record in the same batch.
 */
async function applySkipped(db: Db, folder: string): Promise<void> {
  const recorded = new Set((await db.$client.execute("SELECT hash FROM __drizzle_migrations")).rows.map((r) => String(r.hash)));
  const tagOf = new Map(journal(folder).entries.map((e) => [e.when, e.tag]));
  for (const m of readMigrationFiles({ migrationsFolder: folder })) {
    if (recorded.has(m.hash)) continue;
    console.warn(`> Applying migration ${tagOf.get(m.folderMillis) ?? m.folderMillis}, skipped before (a later one had run first)`);
    await db.$client.batch(
      [...m.sql.filter((s) => s.trim()), { sql: "INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)", args: [m.hash, m.folderMillis] }],
      "write",
    );
  }
}

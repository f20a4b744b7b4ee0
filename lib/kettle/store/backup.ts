// Online backups: a consistent copy of the live database, taken while Kettle
// runs. SQLite's VACUUM INTO reads one snapshot (WAL: writers go on meanwhile)
// and writes a compact, self-contained database file.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Db } from "./db";
import { KettleError } from "../errors";

/** Why a database that is a libSQL server is not backed up here, and what to use instead. */
export const REMOTE_BACKUP_ADVICE =
  "KETTLE_DATABASE_URL names a libSQL server: back it up with the server's own tools (sqld's snapshots or bottomless replication; for Turso, `turso db shell NAME .dump` or its point-in-time restore)";

/** Writes a consistent copy of the database to `file` (which must not exist yet). */
export async function backupDatabase(db: Db, databaseUrl: string, file: string): Promise<{ file: string; bytes: number; tookMs: number }> {
  if (!databaseUrl.startsWith("file:")) throw new KettleError("unprocessable", REMOTE_BACKUP_ADVICE);
  const target = path.resolve(file);
  if (fs.existsSync(target)) throw new KettleError("conflict", `${file} exists already: a backup never overwrites a file`);
  const t0 = Date.now();
  await db.$client.execute({ sql: "VACUUM INTO ?", args: [target] });
  return { file: target, bytes: fs.statSync(target).size, tookMs: Date.now() - t0 };
}

/** A backup into a fresh temporary file, for the API to stream; `remove()` deletes it. */
export async function backupToTemp(db: Db, databaseUrl: string): Promise<{ file: string; bytes: number; remove(): void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kettle-backup-"));
  try {
    const { file, bytes } = await backupDatabase(db, databaseUrl, path.join(dir, "kettle.sqlite"));
    return { file, bytes, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

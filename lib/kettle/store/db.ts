// One libSQL client per database URL and process. For the embedded file we
// turn on WAL and a busy timeout so the web side, the runner and other local
// processes never fail with SQLITE_BUSY in normal use.
import { createClient, type Client } from "@libsql/client";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import path from "node:path";
import * as schema from "./schema";
import { settings } from "../settings";

export type Db = LibSQLDatabase<typeof schema> & { $client: Client };

type Opened = { db: Db; ready: Promise<void> };
const globalKey = Symbol.for("kettle.databases");
const opened: Map<string, Opened> = ((globalThis as Record<symbol, unknown>)[globalKey] ??= new Map()) as Map<string, Opened>;

export function openDb(url: string, authToken?: string): Db {
  let entry = opened.get(url);
  if (!entry) {
    const client = createClient({ url, authToken });
    const db = drizzle(client, { schema }) as Db;
    const ready = url.startsWith("file:")
      ? client
          .executeMultiple("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
          .then(() => undefined)
      : Promise.resolve();
    entry = { db, ready };
    opened.set(url, entry);
  }
  return entry.db;
}

/** The database named by the settings, with its connection set up. */
export async function database(): Promise<Db> {
  const s = settings();
  const db = openDb(s.databaseUrl, s.databaseAuthToken);
  await opened.get(s.databaseUrl)!.ready;
  return db;
}

export async function readyDb(url: string, authToken?: string): Promise<Db> {
  const db = openDb(url, authToken);
  await opened.get(url)!.ready;
  return db;
}

export async function migrateDb(db: Db): Promise<void> {
  await migrate(db, { migrationsFolder: path.join(process.cwd(), "drizzle") });
}

export function closeDb(url: string): void {
  const entry = opened.get(url);
  if (entry) {
    entry.db.$client.close();
    opened.delete(url);
  }
}

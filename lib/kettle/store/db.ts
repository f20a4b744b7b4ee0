// One libSQL client per database URL and process. For the embedded file we
// turn on WAL and a busy timeout so the web side, the runner and other local
// processes never fail with SQLITE_BUSY in normal use.
import { createClient, type Client } from "@libsql/client";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import * as schema from "./schema";
import { settings } from "../settings";

export type Db = LibSQLDatabase<typeof schema> & { $client: Client };

type Opened = { db: Db; ready: Promise<void> };
const globalKey = Symbol.for("kettle.databases");
const opened: Map<string, Opened> = ((globalThis as Record<symbol, unknown>)[globalKey] ??= new Map()) as Map<string, Opened>;

export function openDb(url: string, authToken?: string): Db {
  let entry = opened.get(url);
  if (!entry) {
    // One connection per process: every statement is a short synchronous call, and
    // the per-connection PRAGMAs below then hold for all of them. `timeout` is the
    // busy timeout, set for any connection the client (re)opens.
    const local = url.startsWith("file:");
    const client = retryingWhenBusy(createClient(local ? { url, concurrency: 1, timeout: 10_000 } : { url, authToken }));
    const db = drizzle(client, { schema }) as Db;
    const ready = local
      ? client
          .executeMultiple("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
          .then(() => undefined)
      : Promise.resolve();
    entry = { db, ready };
    opened.set(url, entry);
  }
  return entry.db;
}

const BUSY_RETRIES = 100;

/**
 * In WAL mode a write that starts on a snapshot another process has since moved
 * past fails at once with SQLITE_BUSY_SNAPSHOT (the busy timeout does not
 * apply). A failed statement or batch changed nothing, so trying it again is safe.
 */
function retryingWhenBusy(client: Client): Client {
  const wrap = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await fn(...args);
        } catch (e) {
          const code = (e as { code?: string }).code ?? "";
          if (!code.startsWith("SQLITE_BUSY") || attempt >= BUSY_RETRIES) throw e;
          await new Promise((r) => setTimeout(r, 1 + Math.random() * Math.min(50, 2 * attempt)));
        }
      }
    };
  client.execute = wrap(client.execute.bind(client)) as Client["execute"];
  client.batch = wrap(client.batch.bind(client)) as Client["batch"];
  return client;
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

export function closeDb(url: string): void {
  const entry = opened.get(url);
  if (entry) {
    entry.db.$client.close();
    opened.delete(url);
  }
}

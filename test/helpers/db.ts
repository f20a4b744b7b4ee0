// A fresh migrated libSQL database file in a temp folder, per test file or test.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readyDb, closeDb, type Db } from "@/lib/kettle/store/db";
import { migrateDb } from "@/lib/kettle/store/migrations";

export type TempDb = { db: Db; url: string; dir: string; close(): void };

export async function tempDb(): Promise<TempDb> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kettle-test-"));
  const url = `file:${path.join(dir, "kettle.sqlite")}`;
  const db = await readyDb(url);
  await migrateDb(db);
  return {
    db,
    url,
    dir,
    close() {
      closeDb(url);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a truthy value (or throws after `timeoutMs`). */
type Truthy<T> = Exclude<T, false | null | undefined | 0 | "">;

export async function waitFor<T>(check: () => Promise<T> | T, { timeoutMs = 20_000, everyMs = 20, what = "condition" } = {}): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as Truthy<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

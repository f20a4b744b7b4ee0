// Several instances starting at once on a fresh database all come up.
import { describe, expect, it } from "vitest";
import fs from "node:fs";
import { createHash } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import type { Db } from "@/lib/kettle/store/db";
import { migrateDb } from "@/lib/kettle/store/migrations";
import * as schema from "@/lib/kettle/store/schema";

describe("migrations", () => {
  it("four connections migrating one fresh file at the same time all succeed, and the tables exist once", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kettle-migrate-"));
    const url = `file:${path.join(dir, "k.sqlite")}`;
    const clients = Array.from({ length: 4 }, () => createClient({ url, timeout: 10_000 }));
    await Promise.all(clients.map((c) => migrateDb(drizzle(c, { schema }) as Db)));
    const tables = await clients[0].execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('rollout', 'task', 'signal', 'log') ORDER BY name");
    expect(tables.rows.map((r) => r.name)).toEqual(["log", "rollout", "signal", "task"]);
    const applied = await clients[0].execute("SELECT count(*) AS n FROM __drizzle_migrations");
    expect(Number(applied.rows[0].n)).toBe(fs.readdirSync(path.resolve("drizzle")).filter((f) => f.endsWith(".sql")).length);
    clients.forEach((c) => c.close());
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("a migration merged after a later one had run", () => {
  it("is applied at the next start, not skipped for good (drizzle alone only applies those newer than the last recorded)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kettle-migrate-"));
    const client = createClient({ url: `file:${path.join(dir, "k.sqlite")}` });
    const db = drizzle(client, { schema }) as Db;
    await migrateDb(db);
    // As if 0005_outbox had come in from another branch after 0006 and later had run here.
    const outbox = fs.readFileSync(path.resolve("drizzle/0005_outbox.sql"), "utf8");
    const hash = createHash("sha256").update(outbox).digest("hex");
    await client.executeMultiple("DROP TRIGGER outbox_rollout_status; DROP TRIGGER outbox_task_failed; DROP TRIGGER outbox_approval_requested;");
    for (const t of ["webhook_attempt", "outbox", "webhook"]) await client.execute(`DROP TABLE IF EXISTS ${t}`);
    await client.execute({ sql: "DELETE FROM __drizzle_migrations WHERE hash = ?", args: [hash] });
    const tables = async () => (await client.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('outbox', 'webhook', 'webhook_attempt') ORDER BY name")).rows.map((r) => r.name);
    expect(await tables()).toEqual([]);
    await migrateDb(db);
    expect(await tables()).toEqual(["outbox", "webhook", "webhook_attempt"]);
    expect(Number((await client.execute({ sql: "SELECT count(*) AS n FROM __drizzle_migrations WHERE hash = ?", args: [hash] })).rows[0].n)).toBe(1);
    await migrateDb(db); // and only once
    client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("the migration lock", () => {
  it("four connections migrating an old database at once apply each missing migration once", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kettle-migrate-"));
    const url = `file:${path.join(dir, "k.sqlite")}`;
    const clients = Array.from({ length: 4 }, () => createClient({ url, timeout: 10_000 }));
    const dbs = clients.map((c) => drizzle(c, { schema }) as Db);
    await migrateDb(dbs[0]);
    // As if 0007_plans were new in this release (it creates a table: a second run of it would fail).
    const plans = fs.readFileSync(path.resolve("drizzle/0007_plans.sql"), "utf8");
    await clients[0].execute({ sql: "DELETE FROM __drizzle_migrations WHERE hash = ?", args: [createHash("sha256").update(plans).digest("hex")] });
    await clients[0].execute("DROP TABLE plan");
    await Promise.all(dbs.map((db) => migrateDb(db)));
    const rows = (await clients[0].execute("SELECT created_at FROM __drizzle_migrations")).rows.map((r) => Number(r.created_at));
    expect(new Set(rows).size).toBe(rows.length);
    expect(rows.length).toBe(fs.readdirSync(path.resolve("drizzle")).filter((f) => f.endsWith(".sql")).length);
    expect((await clients[0].execute("SELECT count(*) AS n FROM __kettle_migration_lock")).rows[0].n).toBe(0);
    clients.forEach((c) => c.close());
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a lock left by an instance that died while migrating is taken over once it has expired", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kettle-migrate-"));
    const client = createClient({ url: `file:${path.join(dir, "k.sqlite")}` });
    await client.execute("CREATE TABLE __kettle_migration_lock (id INTEGER PRIMARY KEY CHECK (id = 1), holder TEXT NOT NULL, expires_at INTEGER NOT NULL)");
    await client.execute({ sql: "INSERT INTO __kettle_migration_lock VALUES (1, 'dead', ?)", args: [Date.now() - 1] });
    await migrateDb(drizzle(client, { schema }) as Db);
    expect((await client.execute("SELECT count(*) AS n FROM rollout")).rows[0].n).toBe(0);
    client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a database migrated by a newer Kettle is refused, and nothing is applied", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kettle-migrate-"));
    const client = createClient({ url: `file:${path.join(dir, "k.sqlite")}` });
    const db = drizzle(client, { schema }) as Db;
    await migrateDb(db);
    await client.execute({ sql: "INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('newer', ?)", args: [Date.UTC(2099, 0, 1)] });
    await expect(migrateDb(db)).rejects.toThrow(/migrated by a newer Kettle \(1 migration this version does not know\)/);
    client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

// Several instances starting at once on a fresh database all come up.
import { describe, expect, it } from "vitest";
import fs from "node:fs";
import { createHash } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrateDb, type Db } from "@/lib/kettle/store/db";
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

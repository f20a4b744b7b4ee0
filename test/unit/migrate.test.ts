// Several instances starting at once on a fresh database all come up.
import { describe, expect, it } from "vitest";
import fs from "node:fs";
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

// Upgrades: several instances of a new release starting together on the previous
// release's database migrate it once and all serve; a database a newer release
// migrated is refused at start.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createClient } from "@libsql/client";
import { readyDb, closeDb } from "@/lib/kettle/store/db";
import { migrateDb } from "@/lib/kettle/store/migrations";
import { startServer } from "../helpers/server";

/** A database at the previous release's schema: every migration but the last. */
async function previousReleaseDb(dir: string): Promise<string> {
  const folder = path.join(dir, "drizzle-previous");
  fs.cpSync(path.resolve("drizzle"), folder, { recursive: true });
  const journalFile = path.join(folder, "meta", "_journal.json");
  const journal = JSON.parse(fs.readFileSync(journalFile, "utf8"));
  const last = journal.entries.pop();
  fs.writeFileSync(journalFile, JSON.stringify(journal));
  fs.rmSync(path.join(folder, `${last.tag}.sql`));
  const url = `file:${path.join(dir, "kettle.sqlite")}`;
  await migrateDb(await readyDb(url), folder);
  closeDb(url);
  return url;
}

const journalLength = () => JSON.parse(fs.readFileSync(path.resolve("drizzle/meta/_journal.json"), "utf8")).entries.length;

describe("upgrades", () => {
  it("two servers started together on the previous release's database both serve, and the schema is migrated once", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kettle-upgrade-"));
    const dbUrl = await previousReleaseDb(dir);
    const db = createClient({ url: dbUrl });
    expect(Number((await db.execute("SELECT count(*) AS n FROM __drizzle_migrations")).rows[0].n)).toBe(journalLength() - 1);
    const servers = await Promise.all([startServer({ dbUrl, dir }), startServer({ dbUrl, dir })]);
    try {
      for (const s of servers) await expect.poll(async () => (await s.api("GET", "/readyz")).status, { timeout: 10_000 }).toBe(200);
      const rows = (await db.execute("SELECT created_at FROM __drizzle_migrations")).rows.map((r) => Number(r.created_at));
      expect(rows.length).toBe(journalLength());
      expect(new Set(rows).size).toBe(rows.length);
      // Both instances work on the migrated schema.
      for (const s of servers) expect((await s.api("POST", "/api/rollouts", { config: {} })).status).toBe(201);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a database migrated by a newer Kettle is refused at start, saying so", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kettle-upgrade-"));
    const dbUrl = `file:${path.join(dir, "kettle.sqlite")}`;
    await migrateDb(await readyDb(dbUrl));
    closeDb(dbUrl);
    const db = createClient({ url: dbUrl });
    await db.execute({ sql: "INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('from-the-future', ?)", args: [Date.UTC(2099, 0, 1)] });
    db.close();
    const refused = await startServer({ dbUrl, dir }).then(
      () => "started",
      (e: Error) => e.message,
    );
    expect(refused).toMatch(/exited with 1/);
    expect(refused).toContain("this database was migrated by a newer Kettle (1 migration this version does not know)");
    expect(refused).not.toMatch(/\n\s+at /);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

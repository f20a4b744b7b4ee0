// Online backups: `kettle backup FILE` while a rollout runs and webhooks are
// delivered; a fresh server on the copy tells the truth: nothing committed before
// the backup began is missing, and the rollout that was running is taken over
// and carries on to its end.
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { createClient, type Client } from "@libsql/client";
import { startServer, tempDir } from "../helpers/server";
import { startReceiver } from "../helpers/receiver";

const ids = async (db: Client, table: string) => (await db.execute(`SELECT id FROM ${table} ORDER BY id`)).rows.map((r) => Number(r.id));

describe("online backup", () => {
  it("a backup taken mid-rollout restores to a server that takes the rollout over and loses nothing committed before it", async () => {
    const receiver = await startReceiver();
    const env = { KETTLE_ROLLOUT_CLS: "fixtures:TreeRollout", KETTLE_LEASE_MS: "2000" };
    const live = await startServer({ env });
    const restoredDir = tempDir();
    const file = path.join(restoredDir, "backup.sqlite");
    let restored: Awaited<ReturnType<typeof startServer>> | undefined;
    const liveDb = createClient({ url: live.dbUrl });
    try {
      expect((await live.api("POST", "/api/webhooks", { url: receiver.url + "/hook", events: ["*"] })).status).toBe(201);
      const created = await live.api<{ id: number }>("POST", "/api/rollouts", { config: { tree: { seq: [{ delay: 1 }, { delay: 1 }, { delay: 1 }] } } });
      const id = created.body.id;
      await live.api("POST", `/api/rollouts/${id}/run`);
      await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBeGreaterThan(0); // deliveries under way
      await expect.poll(async () => (await live.api<{ status: string }>("GET", `/api/rollouts/${id}`)).body.status).toBe("started");
      const before = { audit: await ids(liveDb, "audit"), log: await ids(liveDb, "log"), outbox: await ids(liveDb, "outbox"), task: await ids(liveDb, "task") };

      const cli = spawnSync(process.execPath, ["bin/kettle.mjs", "backup", file], { env: { ...process.env, KETTLE_URL: live.url, KETTLE_TOKEN: "", CI: "1" }, encoding: "utf8" });
      expect(cli.stderr).toContain("Backing up");
      expect(cli.status, cli.stderr).toBe(0);
      expect(cli.stdout).toMatch(/Backed up to .*backup\.sqlite \(\d+\.\d MB\)/);
      // A second backup to the same file is refused: a backup never overwrites.
      const again = spawnSync(process.execPath, ["bin/kettle.mjs", "backup", file], { env: { ...process.env, KETTLE_URL: live.url, KETTLE_TOKEN: "" }, encoding: "utf8" });
      expect(again.status).toBe(3);
      expect(again.stderr).toContain("exists already");

      const copy = createClient({ url: `file:${file}` });
      for (const [table, had] of Object.entries(before)) {
        const has = new Set(await ids(copy, table));
        expect(had.filter((i) => !has.has(i)), `${table} rows missing from the backup`).toEqual([]);
      }
      copy.close();

      restored = await startServer({ env, dbUrl: `file:${file}`, dir: restoredDir });
      await expect.poll(async () => (await restored!.api<{ status: string }>("GET", `/api/rollouts/${id}`)).body.status, { timeout: 30_000 }).toBe("finished");
      const log = await fetch(`${restored.url}/api/rollouts/${id}/logs/rollout`).then((r) => r.text());
      expect(log).toMatch(/taken over|took over|takes over/i);
    } finally {
      liveDb.close();
      await Promise.all([live.stop(), restored?.stop()]);
      await receiver.close();
      fs.rmSync(restoredDir, { recursive: true, force: true });
    }
  });
});

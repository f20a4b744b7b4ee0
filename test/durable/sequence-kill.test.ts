// A sequence's task end shares its commit with the next task's start (group
// commit, carry). Killed with SIGKILL at any moment, the records stay truthful:
// a task whose run was called is never shown as not started, an end is never
// recorded without its start, and a task started only after its previous
// sibling's end was recorded.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createClient } from "@libsql/client";

const N = 20_000; // longer than any kill below: the kill always lands mid-sequence

/** Starts the worker, kills it `afterMs` after it started running tasks; resolves once it is gone. */
async function runAndKill(dir: string, afterMs: number): Promise<{ url: string; journal: string }> {
  const url = `file:${path.join(dir, "kettle.sqlite")}`;
  const journal = path.join(dir, "journal");
  fs.writeFileSync(journal, "");
  const child = spawn(process.execPath, ["--import", "tsx", "test/durable/sequence-worker.ts", url, String(N)], {
    env: { ...process.env, KETTLE_ROLLOUT_CLS: "fixtures:TreeRollout", KETTLE_TEST_JOURNAL: journal, NODE_ENV: "production", KETTLE_SECRET_KEY: "test-secret-key-0123456789", KETTLE_AUTH: "none" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  // Running: its first tasks are in the journal.
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (fs.statSync(journal).size > 0) {
        clearInterval(timer);
        resolve();
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`the worker exited: ${err}`));
      }
    }, 2);
  });
  await new Promise((r) => setTimeout(r, afterMs)); // the moment of the kill: the point of the test
  child.kill("SIGKILL");
  await exited;
  return { url, journal };
}

describe("a runner killed with SIGKILL in the middle of a sequence", () => {
  it.each([0, 3, 17, 40, 111])("%i ms into the run: the records are truthful", { timeout: 60_000 }, async (afterMs) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kettle-kill-"));
    try {
      const { url, journal } = await runAndKill(dir, afterMs);
      const called = fs.readFileSync(journal, "utf8").split("\n").filter(Boolean).map(Number);
      const db = createClient({ url });
      const rows = (await db.execute("SELECT id, run_started_at, run_finished_at FROM task WHERE parent_id IS NOT NULL ORDER BY position")).rows.map((r) => ({
        id: Number(r.id),
        started: r.run_started_at !== null,
        finished: r.run_finished_at !== null,
      }));
      db.close();
      expect(called.length).toBeGreaterThan(0);
      expect(called.length).toBeLessThan(N); // killed mid-way
      const byId = new Map(rows.map((r) => [r.id, r]));
      // Never shown as not started when its run was called.
      for (const id of called) expect(byId.get(id)?.started, `task ${id} ran`).toBe(true);
      // Never an end without its start, and a start only after the previous sibling's end.
      rows.forEach((r, i) => {
        if (r.finished) expect(r.started, `task ${r.id}`).toBe(true);
        if (i > 0 && r.started) expect(rows[i - 1].finished, `task ${rows[i - 1].id} ended before ${r.id} started`).toBe(true);
      });
      // The starts recorded are a prefix of the sequence, and all but the last one ended.
      const started = rows.filter((r) => r.started).length;
      expect(rows.slice(0, started).every((r) => r.started)).toBe(true);
      expect(rows.slice(0, Math.max(0, started - 1)).every((r) => r.finished)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

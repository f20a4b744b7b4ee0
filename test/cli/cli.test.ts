// The `kettle` command end to end against a real server: the walkthrough
// (new, run --wait), the exit codes a pipeline branches on, --json, steering.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, startServer, type TestServer } from "../helpers/server";
import { waitFor } from "../helpers/db";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
let server: TestServer;

type Ran = { code: number | null; stdout: string; stderr: string; ms: number };

/** Runs `kettle …` as a pipeline would: `node bin/kettle.mjs` (what `npx kettle` runs), no terminal. */
function kettle(args: string[], env: Record<string, string> = {}, input?: string): Promise<Ran> {
  const began = Date.now();
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [path.join(root, "bin/kettle.mjs"), ...args], {
      cwd: root,
      env: { ...process.env, KETTLE_URL: server.url, KETTLE_TOKEN: "", CI: "", ...env },
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    proc.stdout!.on("data", (d) => (stdout += d));
    proc.stderr!.on("data", (d) => (stderr += d));
    if (input !== undefined) proc.stdin!.end(input);
    proc.on("error", reject);
    proc.on("exit", (code) => resolve({ code, stdout, stderr, ms: Date.now() - began }));
  });
}

const createdId = (r: Ran) => Number(/Created rollout (\d+)/.exec(r.stdout)?.[1]);

beforeAll(async () => {
  server = await startServer({ env: { KETTLE_ROLLOUT_CLS: "rollout:MyRollout,fixtures:TreeRollout" } });
});
afterAll(async () => {
  await server?.stop();
});

describe("kettle CLI", () => {
  it("the walkthrough: new, then run --wait prints progress and exits 0 after about 15 s", async () => {
    const made = await kettle(["new"]);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/Created rollout \d+ \(rollout:MyRollout\)/);
    expect(made.stdout).toContain("Delay for 15 secs");
    const id = createdId(made);
    const ran = await kettle(["run", String(id), "--wait", "--interval", "500"]);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(ran.ms).toBeGreaterThan(14_000);
    // plain lines (not a terminal): the progress, then the outcome
    expect(ran.stdout).toMatch(new RegExp(`#${id} started · 0/1 tasks done · running: Delay for 15 secs \\(\\d+ secs left\\)`));
    expect(ran.stdout).toMatch(new RegExp(`Rollout ${id} finished after 1[4-7]s`));
    expect(ran.stdout).not.toContain("\r");
    const shown = await kettle(["show", String(id), "--json"]);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id, status: "finished" });
  }, 60_000);

  it("on a terminal, --wait keeps one live line and ends with the outcome", async () => {
    const made = await kettle(["new", "--kind", "fixtures:TreeRollout", "--set", 'tree={"seq":[{"noop":"a"},{"delay":2}]}', "--json"]);
    const { id } = JSON.parse(made.stdout);
    // `script` gives the command a pseudo-terminal; -e passes its exit code on
    const cmd = `${JSON.stringify(process.execPath)} bin/kettle.mjs run ${id} --wait --interval 200`;
    const r = await new Promise<Ran>((resolve, reject) => {
      const began = Date.now();
      const proc = spawn("script", ["-qfec", cmd, "/dev/null"], { cwd: root, env: { ...process.env, KETTLE_URL: server.url, CI: "", COLUMNS: "200" }, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      proc.stdout!.on("data", (d) => (stdout += d));
      proc.on("error", reject);
      proc.on("exit", (code) => resolve({ code, stdout, stderr: "", ms: Date.now() - began }));
    });
    expect(r.code, r.stdout).toBe(0);
    const live = r.stdout.split("\r\x1b[K").filter((l) => l.startsWith(`#${id} `));
    expect(live.length).toBeGreaterThan(3);
    expect(live.some((l) => /1\/2 tasks done · running: Delay for 2 secs \(\d secs? left\)/.test(l)), JSON.stringify(live)).toBe(true);
    expect(r.stdout).toMatch(new RegExp(`Rollout ${id} finished after \\d+s`));
  });

  it("a failing rollout: run --wait exits 1 (rolled back) and says why", async () => {
    const made = await kettle(["new", "--kind", "fixtures:TreeRollout", "--set", 'tree={"seq":[{"noop":"a"},{"fail":"boom"}]}', "--json"]);
    expect(made.code, made.stderr).toBe(0);
    const { id } = JSON.parse(made.stdout);
    const ran = await kettle(["run", String(id), "--wait", "--interval", "200"]);
    expect(ran.code, ran.stdout + ran.stderr).toBe(1);
    expect(ran.stdout).toContain(`Rollout ${id} rolled back`);
    expect(ran.stdout).toContain("boom");
  });

  it("a rollback that fails: exit 2", async () => {
    const made = await kettle(["new", "--kind", "fixtures:TreeRollout", "--config", "-", "--json"], {}, JSON.stringify({ tree: { seq: [{ fail: "undo", onRevert: true }, { fail: "boom" }] } }));
    expect(made.code, made.stderr).toBe(0);
    const { id } = JSON.parse(made.stdout);
    const ran = await kettle(["run", String(id), "--wait", "--interval", "200", "--json"]);
    expect(ran.code, ran.stderr).toBe(2);
    expect(JSON.parse(ran.stdout)).toMatchObject({ id, status: "rollback_failed" });
  });

  it("bad config: exit 3 with the field errors; a bad id or usage: exit 3 too", async () => {
    const bad = await kettle(["new", "--kind", "fixtures:TreeRollout", "--set", "abortAfterMs=soon"]);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/Invalid configuration/);
    expect(bad.stderr).toMatch(/^ {2}tree: /m);
    expect(bad.stderr).toMatch(/^ {2}abortAfterMs: /m);
    const json = await kettle(["new", "--kind", "fixtures:TreeRollout", "--json"]);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 400, exitCode: 3, fields: { tree: [expect.any(String)] } });
    expect((await kettle(["show", "999999"])).code).toBe(3);
    expect((await kettle(["run", "999999"])).code).toBe(3);
    expect((await kettle(["show", "nope"])).code).toBe(3);
    expect((await kettle(["frobnicate"])).code).toBe(3);
  });

  it("a wrong URL: exit 5", async () => {
    const port = await freePort();
    const r = await kettle(["list"], { KETTLE_URL: `http://127.0.0.1:${port}` });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/Cannot reach Kettle at http:\/\/127\.0\.0\.1:\d+/);
    const flag = await kettle(["--url", `http://127.0.0.1:${port}`, "wait", "1"]);
    expect(flag.code).toBe(5);
  });

  it("--json: list and show parse; list filters by status and kind", async () => {
    const made = await kettle(["new", "--kind", "fixtures:TreeRollout", "--set", 'tree={"noop":"x"}', "--json"]);
    const created = JSON.parse(made.stdout);
    expect(created).toMatchObject({ kind: "fixtures:TreeRollout", status: "not_started" });
    const list = await kettle(["list", "--json", "--kind", "fixtures:TreeRollout", "--status", "not_started"]);
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.stdout) as { id: number; kind: string; status: string }[];
    expect(rows.map((r) => r.id)).toContain(created.id);
    expect(rows.every((r) => r.kind === "fixtures:TreeRollout" && r.status === "not_started")).toBe(true);
    const text = await kettle(["list"]);
    expect(text.stdout).toMatch(/^ID\s+STATUS\s+KIND/m);
  });

  it("steering: wait --timeout exits 4; approve through the CLI; logs; signal", async () => {
    const made = await kettle(["new", "--kind", "fixtures:TreeRollout", "--set", 'tree={"seq":[{"approval":"Ship it?"},{"noop":"after"}]}', "--json"]);
    const { id } = JSON.parse(made.stdout);
    expect((await kettle(["run", String(id)])).code).toBe(0);
    await waitFor(async () => JSON.parse((await kettle(["show", String(id), "--json"])).stdout).tasks.children[0].status === "waiting", { what: "the gate" });
    const shown = await kettle(["show", String(id)]);
    expect(shown.stdout).toContain(`kettle approve ${id} 1`);
    const timedOut = await kettle(["wait", String(id), "--timeout", "1s", "--interval", "200"]);
    expect(timedOut.code).toBe(4);
    expect(timedOut.stdout).toContain(`task 1 waits for approval: Approval: Ship it? (kettle approve ${id} 1)`);
    expect(timedOut.stdout).toMatch(/Timed out after 1s/);
    const approved = await kettle(["approve", String(id), "1", "--comment", "from the pipeline"]);
    expect(approved.code, approved.stderr).toBe(0);
    expect((await kettle(["wait", String(id), "--interval", "200"])).code).toBe(0);
    const again = await kettle(["reject", String(id), "1"]);
    expect(again.code).toBe(3);
    const logs = await kettle(["logs", String(id)]);
    expect(logs.stdout).toMatch(/Task 1 approved.*: from the pipeline/);
    const followed = await kettle(["logs", String(id), "--task", "2", "--follow", "--json"]);
    expect(followed.stdout.trim().split("\n").map((l) => JSON.parse(l).line)).toContain("Finished");
    // a signal that is not available now: refused
    expect((await kettle(["signal", String(id), "abort_rollout"])).code).toBe(3);
  });

  it("lock and unlock a kind: run is refused (3) while it is locked", async () => {
    const made = await kettle(["new", "--kind", "fixtures:TreeRollout", "--set", 'tree={"noop":"x"}', "--json"]);
    const { id } = JSON.parse(made.stdout);
    expect((await kettle(["lock", "fixtures:TreeRollout", "--reason", "freeze"])).code).toBe(0);
    const refused = await kettle(["run", String(id), "--wait"]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/freeze/);
    expect((await kettle(["unlock", "fixtures:TreeRollout"])).code).toBe(0);
    expect((await kettle(["run", String(id), "--wait", "--interval", "200"])).code).toBe(0);
  });
});

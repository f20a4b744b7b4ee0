// Freezes checked live and at the door (issue 21), on fake time: a weekly freeze
// at 09:00 Europe/Berlin the Monday after the change to summer time (07:00Z,
// not 08:00Z) pauses a running rollout before its next task and resumes it
// when the window ends; the door refuses a run inside the window and a run
// whose estimate reaches past its start; an admin's override lets it through.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDb, waitFor, type TempDb } from "../helpers/db";
import { Runner } from "@/lib/kettle/runner/runner";
import { FakeTime, outsideSimulation, simulate } from "@/lib/kettle/runner/simulation";
import { createFreeze, createRollout, getLog, getRollout, overrideFreezes, runRollout, sendSignal, FrozenError, type AuditEntry, type RolloutView } from "@/lib/kettle/operations";
import { readAudit } from "@/lib/kettle/store/audit";
import type { TreeSpec } from "@/rollouts/fixtures";
import { kindsReady, TREE, offered } from "./harness";

const t = (iso: string) => Date.parse(iso);
const MIN = 60_000;
const admin = (action: string): AuditEntry => ({ at: Date.now(), user: "ada", role: "admin", via: "proxy", action });

let env: TempDb;
let time: FakeTime;
/** From this fake instant on, time runs at its real pace (no jumps): a test holds the world still there. */
let holdFrom: number | null = null;
let runner: Runner;
const inSim = <T>(fn: () => T) => simulate({ time }, fn);

beforeEach(async () => {
  await kindsReady;
  env = await tempDb();
  holdFrom = null;
  time = new FakeTime(() => holdFrom !== null && Date.now() + time.skipped >= holdFrom);
  time.jumpTo(t("2027-03-29T06:30:00Z")); // Monday 08:30 in Berlin, the day after the change to summer time (28 March 2027)
  runner = inSim(() => new Runner(env.db, { pollMs: 100, signalPollMs: 100, leaseMs: 10 * 365 * 86_400_000 }).start());
});
afterEach(async () => {
  await runner.stop();
  env.close();
});

const weekly = () =>
  inSim(() => createFreeze(env.db, { name: "Monday change board", reason: "CAB meets", cron: "0 9 * * 1", duration: "PT2H", timeZone: "Europe/Berlin" }, offered, "ada", admin("freeze_create")));
const create = (tree: TreeSpec) => inSim(() => createRollout(env.db, { kind: TREE, config: { tree } }, offered));
const view = (id: number) => outsideSimulation(() => getRollout(env.db, id));
async function until(id: number, check: (v: RolloutView) => boolean, what: string): Promise<RolloutView> {
  let last: RolloutView | undefined;
  try {
    return await waitFor(async () => {
      last = await view(id);
      return check(last) ? last : null;
    }, { what, timeoutMs: 20_000 });
  } catch (e) {
    const log = (await outsideSimulation(() => getLog(env.db, { rolloutId: String(id), stream: "rollout" }))).map((l) => l.line);
    throw new Error(`${(e as Error).message}: it is ${last?.status} at ${new Date(last?.now ?? 0).toISOString()}; log: ${log.join(" | ")}`);
  }
}
const leafStarts = (v: RolloutView) => (v.tasks?.children ?? []).map((c) => c.run.startedAt);

describe("a freeze beginning mid-rollout", () => {
  it("pauses it before its next task at 07:00Z, delays stop counting, and it resumes by itself at 09:00Z", async () => {
    await weekly();
    // A task that logs every 20 minutes, 3 times (sleeping on the run's clock): no history, so no estimate stands in the way.
    const id = await create({ seq: [{ noop: "A" }, { chatty: 3, everyMs: 20 * MIN }, { noop: "B" }] });
    await inSim(() => runRollout(env.db, id, "tester"));
    runner.wake();
    const done = await until(id, (v) => v.status === "finished", "it to finish");
    const [, chattyStart, bStart] = leafStarts(done);
    // 30 minutes counted before the freeze, the other 30 after it: B starts at 09:30Z.
    expect(chattyStart).toBeLessThan(t("2027-03-29T06:31:00Z"));
    expect(bStart).toBeGreaterThanOrEqual(t("2027-03-29T09:30:00Z"));
    expect(bStart).toBeLessThan(t("2027-03-29T09:31:00Z"));
    const log = await outsideSimulation(() => getLog(env.db, { rolloutId: String(id), stream: "rollout" }));
    const pausedAt = log.find((l) => /^Paused before the next task: Frozen by the freeze "Monday change board" \(CAB meets\) until 2027-03-29 11:00 GMT\+2/.test(l.line))?.at;
    const resumedAt = log.find((l) => l.line === "The freeze has ended: resumed")?.at;
    expect(pausedAt).toBeGreaterThanOrEqual(t("2027-03-29T07:00:00Z"));
    expect(pausedAt).toBeLessThan(t("2027-03-29T07:00:01Z"));
    expect(resumedAt).toBeGreaterThanOrEqual(t("2027-03-29T09:00:00Z"));
    expect(resumedAt).toBeLessThan(t("2027-03-29T09:00:01Z"));
  });

  it("an admin's override resumes it during the freeze, and it is not paused again", async () => {
    await weekly();
    time.jumpTo(t("2027-03-29T06:50:00Z"));
    const id = await create({ seq: [{ noop: "A" }, { delay: 5 * 60 }, { noop: "B" }, { delay: 60 * 60 }, { noop: "C" }] });
    await inSim(() => runRollout(env.db, id, "tester", admin("run"), { override: "ship the fix for INC-42" }));
    runner.wake();
    const done = await until(id, (v) => v.status === "finished", "it to finish through the freeze");
    expect(done.pausedReason).toBeNull();
    expect(leafStarts(done)[4]).toBeLessThan(t("2027-03-29T08:00:00Z"));
    const audit = await readAudit(env.db, { rolloutId: id }, 20, 0);
    expect(audit.rows.map((r) => r.action)).toEqual(expect.arrayContaining(["run", "freeze_override"]));
    expect(audit.rows.find((r) => r.action === "freeze_override")?.comment).toBe("ship the fix for INC-42");
  });

  it("an override given while it is paused by the freeze resumes it at once", async () => {
    await weekly();
    const id = await create({ seq: [{ noop: "A" }, { chatty: 3, everyMs: 20 * MIN }, { noop: "B" }] });
    await inSim(() => runRollout(env.db, id, "tester"));
    runner.wake();
    holdFrom = t("2027-03-29T07:00:00Z");
    const paused = await until(id, (v) => v.status === "paused", "the freeze to pause it");
    expect(paused.pausedReason).toMatchObject({ kind: "freeze", freezeId: 1, until: t("2027-03-29T09:00:00Z") });
    expect(String(paused.pausedReason?.message)).toMatch(/Monday change board.*CAB meets.*2027-03-29 11:00/);
    // Resuming it by hand is refused while the freeze is on: it says what and until when, and how to override.
    await expect(inSim(() => sendSignal(env.db, id, "resume_rollout", "bob"))).rejects.toThrow(/Monday change board.*an admin overrides/);
    expect(await inSim(() => overrideFreezes(env.db, id, "the release cannot wait", "ada", admin("freeze_override")))).toEqual({ resumed: true });
    runner.wake();
    await until(id, (v) => v.status === "started", "it to resume");
    holdFrom = null;
    const done = await until(id, (v) => v.status === "finished", "it to finish");
    expect(leafStarts(done)[2]).toBeLessThan(t("2027-03-29T07:31:00Z"));
    expect(done.freezeOverride).toMatchObject({ by: "ada", reason: "the release cannot wait" });
  });
});

describe("the door", () => {
  it("refuses a run while the kind is frozen, naming the window and its end; the refusal is audited", async () => {
    await weekly();
    time.jumpTo(t("2027-03-29T07:30:00Z"));
    const id = await create({ seq: [{ noop: "A" }] });
    const refused = await inSim(() => runRollout(env.db, id, "tester", admin("run"))).catch((e) => e);
    expect(refused).toBeInstanceOf(FrozenError);
        expect(refused.message).toMatch(/frozen by the freeze "Monday change board" \(CAB meets\) until 2027-03-29 11:00 GMT\+2/);
    expect(refused.freeze).toMatchObject({ name: "Monday change board", endsAt: t("2027-03-29T09:00:00Z") });
    expect((await view(id)).status).toBe("not_started");
    const audit = await readAudit(env.db, { rolloutId: id, outcome: "refused" }, 5, 0);
    expect(audit.rows[0]?.comment).toMatch(/409: Run refused/);
  });

  it("refuses a run whose time-left estimate reaches past the next freeze's start (runway); one that fits runs", async () => {
    await weekly();
    const long = await create({ seq: [{ noop: "A" }, { delay: 60 * 60 }] });
    const refused = await inSim(() => runRollout(env.db, long, "tester")).catch((e) => e);
    expect(refused).toBeInstanceOf(FrozenError);
        expect(refused.message).toMatch(/estimate \(at least 60 min\) reaches past the start of the freeze "Monday change board" at 2027-03-29 09:00 GMT\+2/);
    const short = await create({ seq: [{ noop: "A" }, { delay: 10 * 60 }] });
    await inSim(() => runRollout(env.db, short, "tester"));
    runner.wake();
    await until(short, (v) => v.status === "finished", "the short one to finish");
  });
});

// Operator signals and monitors, end to end through the database and the runner.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { engine, flatten, leaves, journal, eventsOf, count, seqOf, type Engine } from "./harness";
import type { RolloutView } from "@/lib/kettle/operations";
import type { TreeSpec } from "@/rollouts/fixtures";
import { Runner } from "@/lib/kettle/runner/runner";

let e: Engine;
beforeAll(async () => {
  e = await engine();
});
afterAll(async () => {
  await e.stop();
});

const sentAt = (v: RolloutView, name: string) => v.signals.sent.find((s) => s.name === name)!.sentAt;
const started = (v: RolloutView) => leaves(v).filter((t) => t.run.startedAt);

const shapes: Record<string, { tree: TreeSpec; ready: (v: RolloutView) => boolean }> = {
  "a 15-second delay": { tree: { delay: 15 }, ready: (v) => v.tasks!.status === "started" },
  "a sequence of three delays": {
    tree: { seq: [{ delay: 15 }, { delay: 15 }, { delay: 15 }] },
    ready: (v) => v.tasks!.children[0].status === "started",
  },
  "a parallel group of three delays": {
    tree: { par: [{ delay: 15 }, { delay: 15 }, { delay: 15 }] },
    ready: (v) => v.tasks!.children.every((c) => c.status === "started"),
  },
};

type Case = { signals: string[]; stopped: RegExp; rollsBack: boolean; statusAfter: string };
const cases: Record<string, Case> = {
  abort_rollout: { signals: ["abort_rollout"], stopped: /^Stopped by abort after \d+ of 15 secs$/, rollsBack: true, statusAfter: "aborting_rollout" },
  term_rollout: { signals: ["term_rollout"], stopped: /^Terminated by term_rollout$/, rollsBack: true, statusAfter: "terminating_rollout" },
  "skip_rollback + term_rollout": { signals: ["skip_rollback", "term_rollout"], stopped: /^Terminated by term_rollout$/, rollsBack: false, statusAfter: "terminating_rollout" },
};

describe.concurrent("stopping a run", () => {
  for (const [caseName, c] of Object.entries(cases)) {
    for (const [shapeName, shape] of Object.entries(shapes)) {
      it(`${caseName} sent to ${shapeName}`, async () => {
        const id = await e.start(shape.tree);
        await e.waitView(id, shape.ready, "the delays to start");
        for (const s of c.signals) await e.signal(id, s, "operator");
        const right = await e.view(id);
        expect([c.statusAfter, "rolling_back", "rolled_back", "finished"]).toContain(right.status);
        const last = c.signals.at(-1)!;
        const v = await e.until(id);

        // The run ends within a second of the signal.
        expect(v.rolloutFinishedAt! - sentAt(v, last)).toBeLessThan(1000);
        expect(v.signals.sent.map((s) => [s.name, s.sentBy])).toEqual(c.signals.map((s) => [s, "operator"]));

        const ls = leaves(v);
        if (shapeName.startsWith("a sequence")) {
          expect(ls.map((t) => !!t.run.startedAt)).toEqual([true, false, false]); // the last delay never starts
        } else {
          expect(ls.every((t) => t.run.startedAt)).toBe(true); // the parallel ones all started
        }
        for (const t of started(v)) expect(t.run.error).toMatch(c.stopped);

        const rolloutLog = await e.log(id, "rollout");
        for (const s of c.signals) expect(rolloutLog).toContain(`Signal ${s} received from operator`);
        if (c.rollsBack) {
          expect(v.status).toBe("rolled_back");
          expect(v.rollbackStartedAt).toBeGreaterThanOrEqual(v.rolloutFinishedAt!);
          for (const t of started(v)) expect(t.status).toBe("rolled_back");
          expect(flatten(v.tasks).filter((t) => !t.run.startedAt).every((t) => t.status === "not_started")).toBe(true);
          expect(rolloutLog.at(-1)).toBe(`Rollout stopped by ${last} from operator; rolling back`);
          expect(await e.log(id, "rollback")).toEqual(["Rollback started: reverting every task that started", "Rollback finished"]);
        } else {
          // Nothing reverted, no rollback recorded: what ran is kept.
          expect(v.status).toBe("finished");
          expect(v.rollbackStartedAt).toBeNull();
          expect(v.rollbackFinishedAt).toBeNull();
          for (const t of flatten(v.tasks)) expect(t.revert.startedAt).toBeNull();
          for (const t of started(v)) expect(t.status).toBe("failed");
          expect(rolloutLog.slice(-2)).toEqual([
            "Rollout stopped by term_rollout from operator",
            "No rollback: skip_rollback from operator; the tasks that ran are kept as they are",
          ]);
          expect(await e.log(id, "rollback")).toEqual([]);
        }
      });
    }
  }

  it("skip_rollback alone: a failing run stops and is not rolled back", async () => {
    const id = await e.start({ seq: [{ noop: "kept" }, { delay: 15 }, { fail: "never reached" }] });
    await e.waitView(id, (v) => v.tasks!.children[1].status === "started", "the delay to start");
    await e.signal(id, "skip_rollback");
    // Nothing changes yet: skip_rollback only matters once the run stops.
    expect((await e.view(id)).status).toBe("started");
    await e.signal(id, "abort_rollout");
    const v = await e.until(id);
    expect(v.status).toBe("finished");
    expect(v.tasks!.children.map((t) => t.status)).toEqual(["finished", "failed", "not_started"]);
  });

  it("skip_rollback with a task that fails: no rollback follows", async () => {
    const k = "sk-";
    const id = await e.startKinds(seqOf(count(`${k}a`), count(`${k}b`, { runMs: 400, fail: "b failed" })));
    await e.waitView(id, (v) => v.tasks!.children[1].status === "started", "b to start");
    await e.signal(id, "skip_rollback");
    const v = await e.until(id);
    expect(v.status).toBe("finished");
    expect(v.rollbackStartedAt).toBeNull();
    expect(eventsOf(k)).toEqual(["run:a", "ran:a", "run:b"]);
    expect(v.tasks!.children[1].run.error).toBe("b failed");
  });

  it("abort_rollout lets the running task finish, then starts nothing new", async () => {
    const k = "ab-";
    const id = await e.startKinds(seqOf(count(`${k}a`, { runMs: 400 }), count(`${k}b`)));
    await e.waitView(id, () => journal.includes(`run:${k}a`), "a to start");
    await e.signal(id, "abort_rollout");
    const v = await e.until(id);
    expect(v.status).toBe("rolled_back");
    expect(eventsOf(k)).toEqual(["run:a", "ran:a", "revert:a", "reverted:a"]);
    expect(v.tasks!.children[0].run.result).toBe(`{"ran":"${k}a"}`);
    expect(v.tasks!.run.error).toBe("Aborted: no further tasks started");
  });

  it("term_rollout stops waiting for a task that ignores it, at once", async () => {
    const k = "tr-";
    const id = await e.startKinds(seqOf(count(`${k}a`, { runMs: 10_000 }), count(`${k}b`)));
    await e.waitView(id, () => journal.includes(`run:${k}a`), "a to start");
    await e.signal(id, "term_rollout");
    const v = await e.until(id);
    expect(v.rolloutFinishedAt! - sentAt(v, "term_rollout")).toBeLessThan(1000);
    expect(v.tasks!.children[0].run.error).toBe("Terminated by term_rollout");
    expect(v.tasks!.children[1].status).toBe("not_started");
    expect(v.status).toBe("rolled_back");
  });

  it("a stop signal sent before a runner picks the rollout up: nothing runs, nothing to revert", async () => {
    const own = await engine(); // its own database and runner, held back while the signal is sent
    try {
      await own.runner.stop();
      const id = await own.start({ seq: [{ noop: "a" }, { noop: "b" }] });
      await own.signal(id, "abort_rollout");
      own.runner = new Runner(own.db, { pollMs: 20, signalPollMs: 20, leaseMs: 5000 }).start();
      const v = await own.until(id);
      expect(v.status).toBe("rolled_back");
      expect(flatten(v.tasks).every((t) => t.status === "not_started")).toBe(true);
      expect(await own.log(id, "rollout")).toContain("Signal abort_rollout received from operator");
    } finally {
      await own.stop();
    }
  });
});

describe.concurrent("stopping a rollback", () => {
  // A run stopped during its second task (a reversible delay): its revert waits 15 s.
  const slowRollback = (k: string) => seqOf(count(`${k}a`), { type: "DelayTask", state: { seconds: 15, reversible: true } }, count(`${k}c`));
  const intoRollback = async (k: string) => {
    const id = await e.startKinds(slowRollback(k));
    await e.waitView(id, (v) => v.tasks!.children[1].status === "started", "the delay to start");
    await e.signal(id, "abort_rollout");
    await e.waitView(id, (v) => v.tasks!.children[1].status === "rolling_back", "the delay's revert to start");
    return id;
  };

  for (const [signal, error] of [
    ["abort_rollback", /^Stopped by abort after \d+ of 15 secs$/],
    ["term_rollback", /^Terminated by term_rollback$/],
  ] as const) {
    it(`${signal} during the revert of a reversible delay: it ends early, nothing more is reverted`, async () => {
      const k = `${signal}-d-`;
      const id = await intoRollback(k);
      const during = await e.view(id);
      expect(during.status).toBe("rolling_back");
      expect(during.signals.available.map((s) => s.name)).toEqual(["abort_rollback", "term_rollback"]);
      expect(during.tasks!.children[1].progress).toMatch(/^\d+ secs left$/);
      await e.signal(id, signal, "operator");
      expect(["aborting_rollback", "terminating_rollback", "rollback_failed"]).toContain((await e.view(id)).status);
      const v = await e.until(id);
      expect(v.rollbackFinishedAt! - sentAt(v, signal)).toBeLessThan(1000);
      expect(v.status).toBe("rollback_failed"); // not everything that ran was reverted
      const [a, delay, c] = v.tasks!.children;
      expect(delay.status).toBe("revert_failed");
      expect(delay.revert.error).toMatch(error);
      expect(a.status).toBe("finished"); // never reverted
      expect(a.revert.startedAt).toBeNull();
      expect(c.status).toBe("not_started");
      expect(eventsOf(k)).toEqual(["run:a", "ran:a"]);
      const log = await e.log(id, "rollback");
      expect(log).toContain(`Signal ${signal} received from operator`);
      expect(log.at(-1)).toBe(`Rollback stopped by ${signal} from operator; 2 task(s) that ran are not reverted`);
    });
  }

  it("abort_rollback is graceful: the current revert finishes, no other starts", async () => {
    const k = "gr-";
    const id = await e.startKinds(seqOf(count(`${k}a`), count(`${k}b`, { revertMs: 500 }), count(`${k}c`, { fail: "c failed" })));
    await e.waitView(id, () => journal.includes(`revert:${k}b`), "b's revert to start");
    await e.signal(id, "abort_rollback");
    const v = await e.until(id);
    expect(eventsOf(k)).toEqual(["run:a", "ran:a", "run:b", "ran:b", "run:c", "revert:c", "reverted:c", "revert:b", "reverted:b"]);
    const [a, b, c] = v.tasks!.children;
    expect([a.status, b.status, c.status]).toEqual(["finished", "rolled_back", "rolled_back"]);
    expect(v.tasks!.revert.error).toBe("Aborted: rollback stopped");
    expect(v.status).toBe("rollback_failed");
  });

  it("term_rollback is immediate: the current revert is dropped at once", async () => {
    const k = "tb-";
    const id = await e.startKinds(seqOf(count(`${k}a`), count(`${k}b`, { revertMs: 10_000 }), count(`${k}c`, { fail: "c failed" })));
    await e.waitView(id, () => journal.includes(`revert:${k}b`), "b's revert to start");
    await e.signal(id, "term_rollback");
    const v = await e.until(id);
    expect(v.rollbackFinishedAt! - sentAt(v, "term_rollback")).toBeLessThan(1000);
    const [a, b] = v.tasks!.children;
    expect(b.revert.error).toBe("Terminated by term_rollback");
    expect(a.revert.startedAt).toBeNull();
    expect(v.status).toBe("rollback_failed");
  });
});

describe.concurrent("sending signals (operations level)", () => {
  const refused = (kind: string, message: RegExp) => ({ kind, message: expect.stringMatching(message) });

  it("an unknown signal name is bad input; an unknown rollout is not found", async () => {
    const id = await e.create({ noop: true });
    await expect(e.signal(id, "stop_everything")).rejects.toMatchObject(refused("bad_input", /Unknown signal "stop_everything"/));
    await expect(e.signal(987654, "abort_rollout")).rejects.toMatchObject(refused("not_found", /No rollout with id 987654/));
  });

  it("nothing is available before the run", async () => {
    const id = await e.create({ noop: true });
    for (const name of ["abort_rollout", "term_rollout", "skip_rollback", "abort_rollback", "term_rollback"]) {
      await expect(e.signal(id, name)).rejects.toMatchObject(refused("conflict", new RegExp(`^${name} is not available while the rollout is not started$`)));
    }
    expect((await e.view(id)).signals.sent).toEqual([]);
  });

  it("during the run: run signals once each; rollback signals refused", async () => {
    const id = await e.start({ delay: 15 });
    await e.waitView(id, (v) => v.tasks!.status === "started", "the delay to start");
    expect((await e.view(id)).signals.available.map((s) => s.name)).toEqual(["pause_rollout", "abort_rollout", "term_rollout", "skip_rollback"]);
    await expect(e.signal(id, "abort_rollback")).rejects.toMatchObject(refused("conflict", /^abort_rollback is not available while the rollout is started$/));
    await e.signal(id, "skip_rollback", "dave");
    await expect(e.signal(id, "skip_rollback", "erin")).rejects.toMatchObject(refused("conflict", /^skip_rollback was already sent by dave$/));
    expect((await e.view(id)).signals.available.map((s) => s.name)).toEqual(["pause_rollout", "abort_rollout", "term_rollout"]);
    await e.signal(id, "abort_rollout", "dave");
    await expect(e.signal(id, "abort_rollout", "erin")).rejects.toMatchObject(refused("conflict", /already sent by dave|not available/));
    const v = await e.until(id);
    expect(v.status).toBe("finished"); // skipped rollback
    expect(v.signals.sent.map((s) => [s.name, s.sentBy])).toEqual([
      ["skip_rollback", "dave"],
      ["abort_rollout", "dave"],
    ]);
    await expect(e.signal(id, "term_rollout")).rejects.toMatchObject(refused("conflict", /^term_rollout is not available while the rollout is finished$/));
    expect(v.signals.available).toEqual([]);
  });

  it("during the rollback: rollback signals once each; run signals refused", async () => {
    const id = await e.startKinds(seqOf(count("rs-a", { revertMs: 5000 }), count("rs-b", { fail: "b failed" })));
    await e.waitView(id, () => journal.includes("revert:rs-a"), "the slow revert to start");
    await expect(e.signal(id, "abort_rollout")).rejects.toMatchObject(refused("conflict", /^abort_rollout is not available while the rollout is rolling back$/));
    await expect(e.signal(id, "skip_rollback")).rejects.toMatchObject(refused("conflict", /^skip_rollback is not available while the rollout is rolling back$/));
    await e.signal(id, "abort_rollback", "frank");
    await expect(e.signal(id, "abort_rollback", "gina")).rejects.toMatchObject(refused("conflict", /already sent by frank|not available/));
    await e.signal(id, "term_rollback", "gina");
    await expect(e.signal(id, "term_rollback", "gina")).rejects.toMatchObject(refused("conflict", /already sent by gina|not available/));
    const v = await e.until(id);
    expect(v.signals.sent.map((s) => s.name)).toEqual(["abort_rollback", "term_rollback"]);
    const log = await e.log(id, "rollback");
    expect(log).toContain("Signal abort_rollback received from frank");
    expect(log).toContain("Signal term_rollback received from gina");
  });
});

describe.concurrent("monitors", () => {
  it("a monitor that aborts mid-sequence: later tasks never run, the earlier ones are reverted, the reason is logged", async () => {
    const id = await e.start({ seq: [{ noop: "a" }, { noop: "b" }, { delay: 15 }, { noop: "d" }] }, { monitors: ["abortSoon"], abortAfterMs: 300 });
    const v = await e.until(id);
    expect(v.status).toBe("rolled_back");
    expect(v.tasks!.children.map((t) => t.status)).toEqual(["rolled_back", "rolled_back", "rolled_back", "not_started"]);
    expect(v.tasks!.children[2].run.error).toMatch(/^Stopped by abort after \d+ of 15 secs$/);
    expect(v.signals.sent.map((s) => [s.name, s.sentBy])).toEqual([["abort_rollout", "monitor:abortSoon"]]);
    const log = await e.log(id, "rollout");
    expect(log).toContain("Monitor abortSoon started");
    expect(log).toContain("Monitor abortSoon aborts the rollout: error rate too high after 300 ms");
    expect(log).toContain("Signal abort_rollout received from monitor:abortSoon");
    expect(log.at(-1)).toBe("Rollout stopped by abort_rollout from monitor:abortSoon; rolling back");
  });

  it("a monitor that throws aborts the rollout, with its error as the reason", async () => {
    const id = await e.start({ seq: [{ noop: "a" }, { delay: 15 }] }, { monitors: ["crash"], abortAfterMs: 200 });
    const v = await e.until(id);
    expect(v.status).toBe("rolled_back");
    expect(v.signals.sent.map((s) => s.sentBy)).toEqual(["monitor:crash"]);
    expect(await e.log(id, "rollout")).toContain("Monitor crash aborts the rollout: it failed: monitor crashed");
  });

  it("monitors stop when the run ends: a finished rollout is left alone", async () => {
    const id = await e.start({ noop: true }, { monitors: ["abortSoon", "crash"], abortAfterMs: 60_000 });
    const v = await e.until(id);
    expect(v.status).toBe("finished");
    expect(v.rolloutFinishedAt! - v.rolloutStartedAt!).toBeLessThan(1500);
    expect(v.signals.sent).toEqual([]);
  });

  it("only the monitors the config selects run; an unknown name is logged and skipped", async () => {
    const id = await e.start({ delay: 0.5 }, { monitors: ["nope"], abortAfterMs: 10 });
    const v = await e.until(id);
    expect(v.status).toBe("finished");
    const log = await e.log(id, "rollout");
    expect(log).toContain('Monitor "nope" is not defined by this rollout class; skipped');
    expect(log.filter((l) => l.startsWith("Monitor abortSoon") || l.startsWith("Monitor crash"))).toEqual([]);
  });

  it("a monitor that ignores its signal does not hold the end of the run for long", async () => {
    const id = await e.startKinds(count("stubborn-a"), { monitors: ["stubborn"] });
    const v = await e.until(id);
    expect(v.status).toBe("finished");
    expect(v.rolloutFinishedAt! - v.rolloutStartedAt!).toBeLessThan(4000);
    expect(await e.log(id, "rollout")).toContain("A monitor was still running 2000 ms after the run ended; no longer waiting for it");
  });
});

// E1: how far off the time-left estimate was, at 25 %, 50 % and 75 % of the
// demo rollout (a gradual deploy over 6 hosts with shell commands and delays
// between waves). Run twice on one database: the first run has no earlier
// finished rollout to learn from (only its own tasks and the delays' state),
// the second learns from the first. In its own process:
//   node --import tsx bench/eta.ts '{"waveDelaySecs":5}'
// Prints one line "RESULT <json>".
import { tempDb } from "../test/helpers/db";
import { createRollout, getRollout, runRollout } from "@/lib/kettle/operations";
import { Runner } from "@/lib/kettle/runner/runner";

const KIND = "demo:DemoRollout";
export type EtaJob = { waveDelaySecs: number };
export type EtaRun = {
  history: boolean;
  wallMs: number;
  /** At 25/50/75 % of the run: estimated end minus actual end (ms; positive = the estimate was late). */
  errorsMs: { at: number; errorMs: number; confidence: string }[];
};
export type EtaResult = { runs: EtaRun[] };

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(job: EtaJob): Promise<EtaResult> {
  const t = await tempDb();
  const runner = new Runner(t.db, { pollMs: 20, signalPollMs: 20, leaseMs: 5000 }).start();
  const runs: EtaRun[] = [];
  try {
    for (const history of [false, true]) {
      const id = await createRollout(t.db, { kind: KIND, config: { waveDelaySecs: job.waveDelaySecs, monitors: [], healthCheck: true } }, [KIND]);
      await runRollout(t.db, id, "bench");
      runner.wake();
      const samples: { at: number; endsAt: number; confidence: string }[] = [];
      let v = await getRollout(t.db, id);
      while (!["finished", "rolled_back", "rollback_failed"].includes(v.status)) {
        // An open end (no earlier run, a gate ahead) gives the work known as a lower bound: sampled as "at least".
        if (v.eta) samples.push({ at: v.now, endsAt: v.eta.endsAt ?? v.now + v.eta.workSeconds * 1000, confidence: v.eta.endsAt ? v.eta.confidence : "at least" });
        await tick(100);
        v = await getRollout(t.db, id);
      }
      if (v.status !== "finished") throw new Error(`the demo rollout ended ${v.status}`);
      const start = v.rolloutStartedAt!;
      const end = v.rolloutFinishedAt!;
      const errorsMs = [0.25, 0.5, 0.75].map((p) => {
        const target = start + p * (end - start);
        const s = samples.find((x) => x.at >= target) ?? samples.at(-1)!;
        return { at: p, errorMs: s.endsAt - end, confidence: s.confidence };
      });
      runs.push({ history, wallMs: end - start, errorsMs });
    }
  } finally {
    await runner.stop();
    t.close();
  }
  return { runs };
}

const job = JSON.parse(process.argv[2] ?? '{"waveDelaySecs":5}') as EtaJob;
main(job).then(
  (r) => {
    console.log(`RESULT ${JSON.stringify(r)}`);
    process.exit(0);
  },
  (e) => {
    console.error(e);
    process.exit(1);
  },
);

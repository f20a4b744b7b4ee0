// W1 through the HTTP API, as a user's script sees it: create a sequence of N
// no-ops, run it, poll GET /api/rollouts/{id} until it is done. Measured from
// just before the run request to the poll that saw it finished, and from the
// server's own records (rollout started → finished).
import { performance } from "node:perf_hooks";
import { startServer, until, type BenchServer } from "./server";
import { summarise, type Summary } from "./stats";

export type ApiSequenceResult = { n: number; wallMs: Summary; dbWallMs: Summary };

export async function apiSequence(n: number, reps: number, server?: BenchServer): Promise<ApiSequenceResult> {
  const s = server ?? (await startServer());
  const wallMs: number[] = [];
  const dbWallMs: number[] = [];
  try {
    const tree = { seq: Array.from({ length: n }, () => ({ noop: true })) };
    // One untimed round first: the server compiles its routes and the engine's code paths.
    for (let rep = -1; rep < reps; rep++) {
      const created = await s.api<{ id: number }>("POST", "/api/rollouts", { kind: "fixtures:TreeRollout", config: { tree } });
      if (created.status !== 201) throw new Error(`POST /api/rollouts: ${created.status}`);
      const id = created.body.id;
      const t0 = performance.now();
      const run = await s.api("POST", `/api/rollouts/${id}/run`);
      if (run.status !== 202) throw new Error(`run: ${run.status}`);
      const done = await until(
        `rollout ${id} to finish`,
        async () => {
          const r = await s.api<{ status: string; rolloutStartedAt: number; rolloutFinishedAt: number }>("GET", `/api/rollouts/${id}`);
          return r.body.status === "finished" ? r.body : null;
        },
        120_000,
        5,
      );
      if (rep < 0) continue;
      wallMs.push(performance.now() - t0);
      dbWallMs.push(done.rolloutFinishedAt - done.rolloutStartedAt);
    }
  } finally {
    if (!server) await s.stop();
  }
  return { n, wallMs: summarise(wallMs), dbWallMs: summarise(dbWallMs) };
}

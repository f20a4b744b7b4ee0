// Every task transition is fenced by the runner's lease. The fence must be
// answered from rollout_lease_idx alone: the rollout's row holds its config
// (a sequence of N tasks: ~16 bytes a task), whose overflow pages a fence that
// reads the row walks at every transition, O(N) each.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LEASE_HELD } from "@/lib/kettle/store/group-commit";
import { tempDb, type TempDb } from "../helpers/db";

let t: TempDb;
beforeAll(async () => {
  t = await tempDb();
});
afterAll(() => t.close());

describe("the lease fence of a task transition", () => {
  it("reads the lease index only, never the rollout's row", async () => {
    const plan = await t.db.$client.execute({
      sql: `EXPLAIN QUERY PLAN UPDATE task SET run_started_at = ? WHERE rollout_id = ? AND id = ? AND ${LEASE_HELD}`,
      args: [1, 1, 1, "runner-a", 1],
    });
    const lines = plan.rows.map((r) => String(r.detail));
    expect(lines.filter((l) => /rollout\b/.test(l) && !/task/.test(l))).toEqual([expect.stringMatching(/USING COVERING INDEX rollout_lease_idx/)]);
  });
});

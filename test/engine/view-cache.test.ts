// The status poll's view cache (lib/web/rollout-cache.ts) keeps a view for up
// to 200 ms; a change of the rollout's own row made by the runner in this
// process (its end, here) drops it, so that a script polling for the end sees
// it at once instead of waiting out the rest of the 200 ms.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cachedRolloutBytes, rolloutJson } from "@/lib/web/rollout-cache";
import { engine, type Engine } from "./harness";

let e: Engine;
beforeAll(async () => {
  e = await engine();
});
afterAll(async () => {
  await e.stop();
});

const statusIn = (bytes: Uint8Array) => (JSON.parse(new TextDecoder().decode(bytes)) as { status: string }).status;

describe("the status poll's cached view", () => {
  it("is dropped when the run ends, not served stale for the rest of its 200 ms", async () => {
    const id = await e.start({ seq: [{ noop: true }, { approval: "Go on?" }] });
    const waiting = await e.waitView(id, (v) => v.waitingFor.length === 1, "the gate to wait");
    const gate = waiting.waitingFor[0].taskId;
    expect(statusIn(await rolloutJson(e.db, id))).toBe("started"); // cached now
    expect(cachedRolloutBytes(id, "all")).not.toBeNull();
    await e.decide(id, gate, "approve", "alice");
    await e.until(id);
    // The end was committed by the runner in this process: no cached view of the run any more.
    expect(cachedRolloutBytes(id, "all")).toBeNull();
    expect(statusIn(await rolloutJson(e.db, id))).toBe("finished");
  });
});

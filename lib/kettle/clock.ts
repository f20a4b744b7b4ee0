// One clock for the engine, so tests can reason about time in one place. Under
// testRollout (lib/kettle/runner/simulation.ts) it is fake time that jumps over delays.
import { simulation } from "./runner/simulation";

export const now = (): number => {
  const sim = simulation();
  return sim ? sim.time.now() : Date.now();
};

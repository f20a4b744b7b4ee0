// One clock for the engine, so tests can reason about time in one place. Under
// testRollout (lib/kettle/simulation.ts) it is fake time that jumps over delays.
import { simulation } from "./simulation";

export const now = (): number => {
  const sim = simulation();
  return sim ? sim.time.now() : Date.now();
};

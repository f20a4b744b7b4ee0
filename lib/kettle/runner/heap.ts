// How the runner's process lets its heap grow. V8 raises the old generation's
// limit after each full collection by a factor it picks from how fast it
// collects, often 2-4×: a 100 000-task run (each wave's garbage promoted before
// it dies) took the server from ~200 MB to 580-770 MB of RSS while ~60 MB was
// live. Growing it by 35% at a time keeps RSS near what is live (W9: ~350 MB
// peak; W2: 360 → 240 MB). 20% kept W9 near 320 MB but cost W2 ~10% of its
// time in extra collections; 35% costs none measurable. Not a cap: the heap
// still grows as far as the live set needs.
import v8 from "node:v8";

export const HEAP_GROWING_PERCENT = 35;

/** Called first thing by the server (and by the engine benchmarks, which measure the engine as it runs there). */
export function tuneHeap(): void {
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

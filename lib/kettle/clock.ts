// One clock for the engine, so tests can reason about time in one place.
export const now = (): number => Date.now();

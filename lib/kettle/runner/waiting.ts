// Waiting that cancellation can cut short: AbortSignal-aware sleeps and races.
import { setMaxListeners } from "node:events";
import { simulation } from "./simulation";

/** An AbortController whose signal may have many listeners (every task of a big parallel group). */
export function controller(): AbortController {
  const c = new AbortController();
  setMaxListeners(0, c.signal);
  return c;
}

// Many waiters on one signal (every task of a 10 000-task parallel group waits on the run's term)
// share one listener: EventTarget's addEventListener and removeEventListener each walk the
// signal's list of listeners, which made such a group quadratic (a tenth of W2's time).
const waiters = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls `fn` once when `signal` aborts (it must not have yet); returns the way to stop waiting. */
export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  let set = waiters.get(signal);
  if (!set) {
    const all = (set = new Set());
    waiters.set(signal, all);
    signal.addEventListener("abort", () => {
      const now = [...all];
      all.clear();
      for (const f of now) f();
    }, { once: true });
  }
  set.add(fn);
  const mine = set;
  return () => void mine.delete(fn);
}

/** setTimeout fires at once for more than this (about 24.8 days): longer waits are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Waits `ms`: true when the full time passed, false as soon as any signal fires. */
export function sleep(ms: number, ...signals: AbortSignal[]): Promise<boolean> {
  return new Promise((resolve) => {
    if (signals.some((s) => s.aborted)) return resolve(false);
    const until = Date.now() + ms;
    const done = (full: boolean) => {
      clearTimeout(timer);
      for (const stop of stops) stop();
      resolve(full);
    };
    const arm = (): NodeJS.Timeout => {
      const left = until - Date.now();
      return setTimeout(() => (left > MAX_TIMER_MS ? (timer = arm()) : done(true)), Math.max(0, Math.min(left, MAX_TIMER_MS)));
    };
    let timer = arm();
    const stops = signals.map((s) => onAbort(s, () => done(false)));
  });
}

/**
 * A sleep of the rollout's own code (ctx.sleep of a task or a monitor, and so a delay):
 * the same as sleep, except under testRollout, where it waits on fake time.
 */
export function taskSleep(ms: number, ...signals: AbortSignal[]): Promise<boolean> {
  const sim = simulation();
  return sim ? sim.time.sleep(ms, signals) : sleep(ms, ...signals);
}

/** Runs fn, but stops waiting (rejects) the moment `term` fires. */
export function raceTerm<T>(fn: () => Promise<T> | T, term: AbortSignal, message: string): Promise<T> {
  if (term.aborted) return Promise.reject(new Error(message));
  return new Promise<T>((resolve, reject) => {
    const stop = onAbort(term, () => reject(new Error(message)));
    // The work may settle after we stopped waiting; then its outcome is dropped.
    Promise.resolve().then(fn).then(resolve, reject).finally(stop);
  });
}

/** Work under way: add promises as they start, then wait until all of them, and any added meanwhile, have settled. */
export class UnderWay {
  private readonly pending = new Set<Promise<unknown>>();

  get size(): number {
    return this.pending.size;
  }

  add<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    const forget = () => this.pending.delete(work);
    work.then(forget, forget);
    return work;
  }

  async settled(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }
}

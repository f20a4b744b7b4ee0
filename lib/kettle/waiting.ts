// Waiting that cancellation can cut short: AbortSignal-aware sleeps and races.
import { setMaxListeners } from "node:events";
import { simulation } from "./simulation";

/** An AbortController whose signal may have many listeners (every task of a big parallel group). */
export function controller(): AbortController {
  const c = new AbortController();
  setMaxListeners(0, c.signal);
  return c;
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
      for (const s of signals) s.removeEventListener("abort", early);
      resolve(full);
    };
    const early = () => done(false);
    const arm = (): NodeJS.Timeout => {
      const left = until - Date.now();
      return setTimeout(() => (left > MAX_TIMER_MS ? (timer = arm()) : done(true)), Math.max(0, Math.min(left, MAX_TIMER_MS)));
    };
    let timer = arm();
    for (const s of signals) s.addEventListener("abort", early, { once: true });
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
    const stop = () => reject(new Error(message));
    term.addEventListener("abort", stop, { once: true });
    // The work may settle after we stopped waiting; then its outcome is dropped.
    Promise.resolve()
      .then(fn)
      .then(resolve, reject)
      .finally(() => term.removeEventListener("abort", stop));
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

// A simulated world for testing rollouts (lib/kettle/testing.ts): fake time that
// jumps ahead over task sleeps and delays, and stand-ins for commands. It is
// scoped with AsyncLocalStorage to what testRollout starts, so nothing else in
// the process (another test, a server) sees it. Outside a simulation every
// function here does what it says with real time and real processes.
import { AsyncLocalStorage } from "node:async_hooks";

/** What a stand-in command printed and how it exited (0 when not given). */
export type CommandOutcome = { exitCode?: number; output?: string[] | string };
/** Stands in for the commands tasks run (ctx.exec, ShellTask). */
export type CommandStub = (command: string[], options: { cwd?: string; env?: Record<string, string> }) => CommandOutcome | void | Promise<CommandOutcome | void>;

/** How long the engine must have been quiet before fake time jumps (ms of real time). */
const QUIET_MS = 2;

type Timer = { at: number; seq: number; fire: () => void };

/**
 * Virtual time: now() is real time plus an offset. Task sleeps (a delay, ctx.sleep,
 * a monitor's sleep) wait on this clock; whenever such sleeps are all that is left to
 * wait for, time jumps to the earliest of them. "All that is left": no real command is
 * running and the engine has been quiet (has not read the clock, which it does at every
 * step it records) for a moment. Otherwise time runs at its real pace. The engine's own
 * timers (polls, heartbeats) keep real time.
 */
export class FakeTime {
  private offset = 0;
  private seq = 0;
  private timers: Timer[] = [];
  private armed: NodeJS.Timeout | undefined;
  /** Clock reads: the engine reads the clock at every step it records, so a change means it is busy. */
  private reads = 0;
  private readsWhenArmed = 0;
  readonly startedAt: number;

  constructor(private readonly busy: () => boolean = () => false) {
    this.startedAt = Date.now();
  }

  now(): number {
    this.reads++;
    return Date.now() + this.offset;
  }

  /** Sets the fake clock to `at` (ms since the epoch): a test that starts on a given date. Only forward. */
  jumpTo(at: number): void {
    this.offset = Math.max(this.offset, at - Date.now());
  }

  /** How far fake time has run ahead of real time (ms). */
  get skipped(): number {
    return this.offset;
  }

  /** Resolves true after `ms` of virtual time, false as soon as a signal fires. */
  sleep(ms: number, signals: AbortSignal[]): Promise<boolean> {
    return new Promise((resolve) => {
      if (signals.some((s) => s.aborted)) return resolve(false);
      const timer: Timer = {
        at: this.now() + Math.max(0, ms),
        seq: this.seq++,
        fire: () => done(true),
      };
      const early = () => {
        this.timers = this.timers.filter((t) => t !== timer);
        done(false);
      };
      const done = (full: boolean) => {
        for (const s of signals) s.removeEventListener("abort", early);
        resolve(full);
      };
      for (const s of signals) s.addEventListener("abort", early, { once: true });
      this.timers.push(timer);
      this.arm();
    });
  }

  private arm(delayMs = QUIET_MS) {
    if (this.armed) return;
    this.readsWhenArmed = this.reads;
    this.armed = setTimeout(() => {
      this.armed = undefined;
      this.advance();
    }, delayMs);
  }

  private advance() {
    if (!this.timers.length) return;
    this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const first = this.timers[0];
    // While a real command runs, or the engine is still at work (it read the clock since the
    // last look), time runs at its real pace: it must not fly past them.
    const quiet = this.reads === this.readsWhenArmed && !this.busy();
    if (quiet) this.offset += Math.max(0, first.at - Date.now() - this.offset);
    const at = Date.now() + this.offset;
    const due = this.timers.filter((t) => t.at <= at);
    this.timers = this.timers.filter((t) => t.at > at);
    for (const t of due) t.fire();
    if (this.timers.length) this.arm();
  }
}

export type Simulation = { time: FakeTime; commands?: CommandStub };

const current = new AsyncLocalStorage<Simulation>();

/** The simulation the caller runs in, if any. */
export function simulation(): Simulation | undefined {
  return current.getStore();
}

/** Runs fn outside any simulation (real time): for a test's own polling, which must not count as the engine at work. */
export function outsideSimulation<T>(fn: () => T): T {
  return current.exit(fn);
}

/** Runs fn (and everything it starts) in a simulation. */
export function simulate<T>(sim: Simulation, fn: () => T): T {
  return current.run(sim, fn);
}

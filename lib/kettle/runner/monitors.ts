// Monitors: named checks a rollout class declares; `config.monitors` selects
// which run beside the root task. A monitor aborts the rollout by calling
// ctx.abort(reason) or by throwing, or pauses it with ctx.pause(reason); it
// stops when the run ends.
import type { Monitor, MonitorContext } from "../authoring/rollout";
import { describeError } from "../errors";
import { controller, sleep, taskSleep } from "./waiting";

type MonitorHost = {
  rolloutId: number;
  config: Record<string, unknown>;
  monitors: Record<string, Monitor>;
  /** A line for the rollout log. */
  log(line: string): void;
  /** Sends abort_rollout on behalf of `by`. */
  abort(by: string): Promise<void>;
  /** Pauses the rollout on behalf of `by`, saying why. */
  pause(by: string, reason: string): Promise<void>;
};

type RunningMonitors = { stop: AbortController; done: Promise<unknown> };

/** How long the end of a run waits for its monitors to notice that it ended. */
const MONITOR_GRACE_MS = 2000;

/** Starts the selected monitors; stopMonitors when the run ends. */
export function startMonitors(host: MonitorHost): RunningMonitors {
  const stop = controller();
  const selected = Array.isArray(host.config.monitors) ? (host.config.monitors as string[]) : [];
  const runs = selected.map(async (name) => {
    const monitor = host.monitors[name];
    if (!monitor) {
      host.log(`Monitor "${name}" is not defined by this rollout class; skipped`);
      return;
    }
    const abort = async (reason: string) => {
      if (stop.signal.aborted) return;
      host.log(`Monitor ${name} aborts the rollout: ${reason}`);
      await host.abort(`monitor:${name}`);
    };
    const pause = async (reason: string) => {
      if (stop.signal.aborted) return;
      host.log(`Monitor ${name} pauses the rollout: ${reason}`);
      await host.pause(`monitor:${name}`, reason);
    };
    const ctx: MonitorContext = {
      rolloutId: host.rolloutId,
      config: host.config,
      signal: stop.signal,
      log: (line) => host.log(`[monitor ${name}] ${line}`),
      abort,
      pause,
      sleep: (ms) => taskSleep(ms, stop.signal),
    };
    host.log(`Monitor ${name} started`);
    try {
      await monitor(ctx);
    } catch (e) {
      await abort(`it failed: ${describeError(e).message}`).catch(() => {});
    }
  });
  return { stop, done: Promise.allSettled(runs) };
}

/** Stops the monitors at the end of a run; one that ignores its signal must not hold the rollout up. */
export async function stopMonitors(monitors: RunningMonitors, log: (line: string) => void): Promise<void> {
  monitors.stop.abort();
  const gave = controller();
  const settled = await Promise.race([monitors.done.then(() => true), sleep(MONITOR_GRACE_MS, gave.signal).then(() => false)]);
  gave.abort();
  if (!settled) log(`A monitor was still running ${MONITOR_GRACE_MS} ms after the run ended; no longer waiting for it`);
}

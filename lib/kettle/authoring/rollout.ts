// The Rollout base class: what a rollout author subclasses.
import type { z } from "zod";
import type { Task } from "./task";
import type { ApprovalPolicy } from "./approvals";
import type { Measure } from "../analysis/providers";
import type { AnalysisSpec } from "../analysis/spec";

/** What a monitor gets: `signal` ends when the run ends; `abort(reason)` aborts the rollout, `pause(reason)` pauses it. */
export interface MonitorContext {
  readonly rolloutId: number;
  readonly config: Record<string, unknown>;
  readonly signal: AbortSignal;
  log(line: string): void;
  abort(reason: string): Promise<void>;
  /** Pauses the rollout (as pause_rollout does) for a person to look; monitors keep watching while paused. */
  pause(reason: string): Promise<void>;
  /** Waits, ending early when the run ends. Resolves true when the full time passed. */
  sleep(ms: number): Promise<boolean>;
}
export type Monitor = (ctx: MonitorContext) => Promise<void> | void;

export type RolloutClass = {
  new (id: number, config: Record<string, unknown>): Rollout;
  /** A readable name, shown when several kinds are offered. */
  title?: string;
  /** A zod object schema for the configuration; the forms are generated from it. */
  configSchema?: z.ZodObject;
  /** Config fields shown under Advanced. */
  advancedFields?: string[];
  /** Named monitors; `config.monitors` (an array of names) selects which run. */
  monitors?: Record<string, Monitor>;
  /** Custom analysis providers by name: a metric's `provider: { custom: "name" }` calls one. */
  measures?: Record<string, Measure>;
  /**
   * Background analyses by name; `config.analysis` (an array of names) selects which run beside
   * the run from its start: Failed aborts the rollout (rollback), Inconclusive pauses it.
   */
  analysis?: Record<string, AnalysisSpec>;
  /**
   * After a restart or a takeover: treat every task as resumable (interrupted ones run
   * again, so they must be safe to re-run). Without it, only resumable kinds carry on.
   */
  resumeAfterCrash?: boolean;
  /** What a failing task does: "rollback" (the default) rolls everything back; "pause" waits for retry / skip / roll back. */
  onFailure?: "rollback" | "pause";
  /**
   * How many rollouts of this kind may be in progress at once. Without `queue`, Run is refused at
   * the limit; with it, the run is accepted and queued (status `queued`) until a slot frees.
   */
  concurrency?: number;
  /** "fifo": queued runs start in order; "newest": a newer queued run supersedes the older queued ones. */
  queue?: "fifo" | "newest";
  /** Its plan must be approved before it runs: Run is refused until enough people approved the current plan. */
  requiresApproval?: ApprovalPolicy;
};

/** Marks rollout classes, so that a subclass check holds across copies of this module (see Task). */
const ROLLOUT_BRAND = Symbol.for("kettle.Rollout");

export abstract class Rollout<C extends Record<string, unknown> = Record<string, unknown>> {
  constructor(
    readonly id: number,
    readonly config: C,
  ) {}

  /** Builds the task tree from the config; returns its root. */
  abstract generateTasks(): Task | Promise<Task>;

  /** Short lines shown on the rollout's page. */
  info(): string[] {
    return [];
  }

  /** `value instanceof Rollout` across copies of this module (the web bundle's and the server's). */
  static [Symbol.hasInstance](value: unknown): boolean {
    if (this !== Rollout) return Function.prototype[Symbol.hasInstance].call(this, value);
    // Branded through the prototype chain, but not the base prototype itself (of any copy).
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[ROLLOUT_BRAND] === true && !Object.hasOwn(value, ROLLOUT_BRAND);
  }
}
Object.defineProperty(Rollout.prototype, ROLLOUT_BRAND, { value: true });

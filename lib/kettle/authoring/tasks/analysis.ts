import { Task, type TaskContext } from "../task";
import { checkSpec, SpecError, type AnalysisSpec } from "../../analysis/spec";
import { runAnalysis } from "../../analysis/run";
import type { RolloutClass } from "../rollout";

export type AnalysisTaskState = AnalysisSpec & {
  /** What the step is called on the page: "Error rate after wave 1". */
  title?: string;
};

const INCONCLUSIVE = "Analysis inconclusive: ";
const FAILED_PAUSED = "Analysis failed (onFailed: pause): ";

/**
 * A health analysis step: measures its metrics (Prometheus, an HTTP JSON answer,
 * or a custom measure of the rollout class) and finishes, fails or pauses by the
 * verdict. Successful: the step finishes. Failed: the step fails (the rollout rolls
 * back, or pauses with onFailure "pause"; or pauses with the spec's onFailed "pause").
 * Inconclusive: the rollout pauses on this step for a person: Retry measures again
 * from zero, Skip accepts it, Roll back rolls back. Every measurement is a row, so a
 * restart carries on with the measurements already taken.
 */
export class AnalysisTask extends Task<AnalysisTaskState> {
  static resumable = true;
  /** Which failures pause for a decision whatever onFailure says (phases.ts). */
  static pausesOn = (message: string) => message.startsWith(INCONCLUSIVE) || message.startsWith(FAILED_PAUSED);

  constructor(state: AnalysisTaskState) {
    const { title, ...spec } = state ?? ({} as AnalysisTaskState);
    if (title !== undefined && (typeof title !== "string" || !title.trim())) throw new Error("AnalysisTask: title: a non-empty text");
    let checked: AnalysisSpec;
    try {
      checked = checkSpec(spec, { step: true });
    } catch (e) {
      throw new Error(`AnalysisTask${title ? ` "${title}"` : ""}: ${e instanceof SpecError ? e.message : String(e)}`);
    }
    super({ ...(title ? { title } : {}), ...checked });
  }

  async run(ctx: TaskContext) {
    const { title, ...spec } = this.state;
    const host = ctx.analysis(title ?? "analysis");
    ctx.log(`Analysing ${spec.metrics.map((m) => m.name + (m.dryRun ? " (dry run)" : "")).join(", ")}`);
    const stop = AbortSignal.any([ctx.abort, ctx.term]);
    const result = await runAnalysis(spec, host, stop);
    if (result.stopped) throw new Error("The run stopped during the analysis");
    if (result.verdict === "successful") return `Analysis successful: ${result.why}`;
    if (result.verdict === "inconclusive") throw new Error(`${INCONCLUSIVE}${result.why}`);
    throw new Error(`${spec.onFailed === "pause" ? FAILED_PAUSED : "Analysis failed: "}${result.why}`);
  }

  description(): string {
    return `Analysis: ${this.state.title ?? this.state.metrics.map((m) => m.name).join(", ")}`;
  }
}

/** Marks analysis steps, so that the check holds across copies of this module (the server's and the rollout modules'). */
const ANALYSIS_BRAND = Symbol.for("kettle.AnalysisTask");
Object.defineProperty(AnalysisTask.prototype, ANALYSIS_BRAND, { value: true });
export const isAnalysisTask = (task: Task): task is AnalysisTask => (task as unknown as Record<symbol, unknown>)[ANALYSIS_BRAND] === true;

/**
 * At finalise: every analysis step's custom providers are measures the class declares,
 * and every background analysis `config.analysis` selects exists and is a valid spec.
 * Throws an Error naming the field.
 */
export function checkAnalysesOf(cls: RolloutClass, config: Record<string, unknown>, root: Task): void {
  const customNames = Object.keys(cls.measures ?? {});
  for (const task of root.walk()) {
    if (!isAnalysisTask(task)) continue;
    const { title: _, ...spec } = task.state;
    checkSpec(spec, { step: true, customNames }, `AnalysisTask${task.state.title ? ` "${task.state.title}"` : ""}`);
  }
  if (config.analysis === undefined) return;
  if (!Array.isArray(config.analysis) || config.analysis.some((n) => typeof n !== "string")) throw new SpecError("config.analysis: an array of names of the class's static analysis");
  for (const name of config.analysis as string[]) {
    const spec = cls.analysis?.[name];
    if (!spec) throw new SpecError(`config.analysis: the class has no static analysis "${name}" (it has: ${Object.keys(cls.analysis ?? {}).join(", ") || "none"})`);
    checkSpec(spec, { step: false, customNames }, `analysis.${name}`);
  }
}

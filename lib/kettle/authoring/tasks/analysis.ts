import { Task, type TaskContext } from "../task";
import { checkSpec, SpecError, type AnalysisSpec } from "../../analysis/spec";
import { runAnalysis } from "../../analysis/run";

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

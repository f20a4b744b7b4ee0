// Rollouts for the health analysis tests (test/api/analysis.test.ts, the durable
// and browser tests): an analysis step from the config, then a no-op; and a
// background analysis of a Prometheus query at KETTLE_TEST_PROMETHEUS.
import { z } from "zod";
import { Rollout, Task, AnalysisTask, SequentialExecTask, type AnalysisSpec, type AnalysisTaskState } from "@/lib/kettle";

/**
 * Does nothing (its own kind: importing fixtures.ts would make the build share its code
 * in a chunk, and errors thrown there would no longer name rollouts/fixtures.ts).
 */
export class AfterAnalysisTask extends Task<{ label: string }> {
  run() {
    return this.state.label;
  }
  description() {
    return this.state.label;
  }
}

const config = z.object({
  step: z.custom<AnalysisTaskState>((v) => typeof v === "object" && v !== null, "step must be an analysis spec").optional(),
  /** Background analyses by name (the class's static analysis). */
  analysis: z.array(z.string()).optional(),
  /** No-ops after the step (a background analysis watches them). */
  noops: z.number().int().min(0).max(100).optional(),
});

const prometheus = () => process.env.KETTLE_TEST_PROMETHEUS ?? "http://127.0.0.1:9090";

export class AnalysedRollout extends Rollout<z.infer<typeof config>> {
  static title = "Test fixture: an analysis step from the config";
  static configSchema = config;
  static measures = { constant: () => 0.5 };
  static analysis: Record<string, AnalysisSpec> = {
    "error-rate": {
      metrics: [{ name: "error-rate", provider: { prometheus: { address: prometheus(), query: "kettle_test_errors_ratio" } }, interval: "1s", count: 4, successCondition: "result < 0.05", failureCondition: "result >= 0.2" }],
    },
  };

  generateTasks() {
    const steps = [...(this.config.step ? [new AnalysisTask(this.config.step)] : []), ...Array.from({ length: this.config.noops ?? 1 }, (_, i) => new AfterAnalysisTask({ label: `after ${i + 1}` }))];
    return new SequentialExecTask(steps);
  }
}

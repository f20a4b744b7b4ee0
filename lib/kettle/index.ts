// What rollout authors import: `import { Rollout, DelayTask } from "@/lib/kettle"`.
export { Task, type TaskContext, type TaskState, type Attempt } from "./authoring/task";
export { Rollout, type RolloutClass, type Monitor, type MonitorContext } from "./authoring/rollout";
export { DelayTask, formatDuration } from "./authoring/tasks/delay";
export { SequentialExecTask } from "./authoring/tasks/sequential";
export { ParallelExecTask } from "./authoring/tasks/parallel";
export { ShellTask, type ShellState } from "./authoring/tasks/shell";
export { ApprovalTask, type ApprovalState } from "./authoring/tasks/approval";
export { AnalysisTask, type AnalysisTaskState } from "./authoring/tasks/analysis";
export type { AnalysisSpec, MetricSpec, Provider, PrometheusProvider, WebProvider } from "./analysis/spec";
export type { Measure, MeasureContext } from "./analysis/providers";
export { gradualExec, gradualSequentialExec, gradualGroups, type GradualOptions } from "./authoring/gradual";
export type { RetryPolicy } from "./authoring/phases";
export type { ApprovalPolicy } from "./authoring/approvals";
export { CommandFailed, type ExecOptions, type ExecResult } from "./runner/exec";
export type { TaskStatus, RolloutStatus } from "./status";

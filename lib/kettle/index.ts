// What rollout authors import: `import { Rollout, DelayTask } from "@/lib/kettle"`.
export { Task, type TaskContext, type TaskState, type Attempt } from "./task";
export { Rollout, type RolloutClass, type Monitor, type MonitorContext } from "./rollout";
export { DelayTask, formatDuration } from "./tasks/delay";
export { SequentialExecTask } from "./tasks/sequential";
export { ParallelExecTask } from "./tasks/parallel";
export { ShellTask, type ShellState } from "./tasks/shell";
export { ApprovalTask, type ApprovalState } from "./tasks/approval";
export { gradualExec, gradualSequentialExec, gradualGroups, type GradualOptions } from "./gradual";
export type { RetryPolicy } from "./phases";
export { CommandFailed, type ExecOptions, type ExecResult } from "./exec";
export type { TaskStatus, RolloutStatus } from "./status";

// What rollout authors import: `import { Rollout, DelayTask } from "@/lib/kettle"`.
export { Task, type TaskContext, type TaskState } from "./task";
export { Rollout, type RolloutClass, type Monitor, type MonitorContext } from "./rollout";
export { DelayTask, formatDuration } from "./tasks/delay";
export { SequentialExecTask } from "./tasks/sequential";
export { ParallelExecTask } from "./tasks/parallel";
export { ShellTask, type ShellState } from "./tasks/shell";
export { gradualExec, gradualSequentialExec, gradualGroups } from "./gradual";
export { CommandFailed, type ExecOptions, type ExecResult } from "./exec";
export type { TaskStatus, RolloutStatus } from "./status";

import { Task } from "../task";

/**
 * Stands in, on the rollout's page, for a task whose kind no longer exists in
 * rollouts/ (renamed or deleted since the rollout was finalised), so that old
 * rollouts can still be read. It cannot run or revert.
 */
export class MissingKindTask extends Task {
  run(): never {
    throw new Error(`Task kind "${this.typeName}" no longer exists in rollouts/`);
  }

  revert(): never {
    return this.run();
  }

  description(): string {
    return `Unknown task kind "${this.typeName}" (no longer in rollouts/)`;
  }
}

// The example from the getting-started guide: a single 15-second delay.
import { Rollout, DelayTask } from "@/lib/kettle";

export class MyRollout extends Rollout {
  static title = "Example: a 15-second delay";

  generateTasks() {
    return new DelayTask({ seconds: 15 });
  }
}

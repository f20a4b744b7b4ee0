import { route } from "@/lib/web/http";
import { KettleError } from "@/lib/kettle/errors";
import { cancelQueuedRun, moveQueuedToFront, rolloutIdOf } from "@/lib/kettle/operations";
import { forgetRollout, rolloutResponse, tasksParam } from "@/lib/web/rollout-cache";

export const dynamic = "force-dynamic";

const actions: Record<string, string> = { cancel: "queue_cancel", front: "queue_front" };

/** cancel (operators): out of the queue, back to not started; front (admins): first in its kind's queue. */
export const POST = route<{ id: string; action: string }>(
  async ({ req, db, params, audit }) => {
    const tasks = tasksParam(req, "auto");
    const id = await rolloutIdOf(db, params.id);
    if (params.action === "cancel") await cancelQueuedRun(db, id, audit("queue_cancel"));
    else if (params.action === "front") await moveQueuedToFront(db, id, audit("queue_front"));
    else throw new KettleError("not_found", "The queue's actions are cancel and front");
    forgetRollout(id);
    return rolloutResponse(db, id, { status: 200, fresh: true, tasks });
  },
  { mutation: true, action: (p) => actions[p.action] ?? "queue_cancel" },
);

import { route, readJson } from "@/lib/web/http";
import { parseId, refinaliseRollout } from "@/lib/kettle/operations";
import { notFound } from "@/lib/kettle/errors";
import { finaliseBody, parseBody } from "@/lib/web/api-schemas";
import { rolloutResponse, tasksParam } from "@/lib/web/rollout-cache";

export const dynamic = "force-dynamic";

/** `?tasks=summary` for a big tree's summary (open groups with /tasks?parent=), `auto` for a summary past 2 000 tasks; the whole tree by default (PUT: `auto`). */
export const GET = route<{ id: string }>(async ({ req, db, params }) => {
  return rolloutResponse(db, params.id, { tasks: tasksParam(req, "all") });
});

export const PUT = route<{ id: string }>(
  async ({ req, db, params, audit }) => {
    const tasks = tasksParam(req, "auto");
    const id = parseId(params.id);
    if (id === "latest") throw notFound("Name a rollout by its id to edit it");
    const body = parseBody(finaliseBody, await readJson(req));
    await refinaliseRollout(db, id, { config: body.config, audit: audit("finalise") });
    return rolloutResponse(db, id, { fresh: true, tasks });
  },
  { mutation: true, action: "finalise" },
);

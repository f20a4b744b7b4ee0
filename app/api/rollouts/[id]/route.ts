import { route, readJson } from "@/lib/web/http";
import { getRollout, parseId, refinaliseRollout } from "@/lib/kettle/operations";
import { badInput, notFound } from "@/lib/kettle/errors";
import { forgetRollout, rolloutJson, rolloutResponse } from "@/lib/web/rollout-cache";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(
  async ({ db, params }) => new Response(await rolloutJson(db, params.id), { headers: { "content-type": "application/json" } }),
);

export const PUT = route<{ id: string }>(
  async ({ req, db, params }) => {
    const id = parseId(params.id);
    if (id === "latest") throw notFound("Name a rollout by its id to edit it");
    const body = await readJson(req);
    if (typeof body.config !== "object" || body.config === null || Array.isArray(body.config)) throw badInput("config must be a JSON object");
    await refinaliseRollout(db, id, { config: body.config });
    forgetRollout(id);
    return rolloutResponse(await getRollout(db, id));
  },
  { mutation: true },
);

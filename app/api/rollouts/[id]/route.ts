import { route, readJson } from "@/lib/web/http";
import { parseId, refinaliseRollout } from "@/lib/kettle/operations";
import { badInput, notFound } from "@/lib/kettle/errors";
import { finaliseBody, parseBody } from "@/lib/web/api-schemas";
import { rolloutResponse } from "@/lib/web/rollout-cache";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async ({ db, params }) => rolloutResponse(db, params.id));

export const PUT = route<{ id: string }>(
  async ({ req, db, params, audit }) => {
    const id = parseId(params.id);
    if (id === "latest") throw notFound("Name a rollout by its id to edit it");
    const body = parseBody(finaliseBody, await readJson(req));
    await refinaliseRollout(db, id, { config: body.config, audit: audit("finalise") });
    return rolloutResponse(db, id, { fresh: true });
  },
  { mutation: true, action: "finalise" },
);

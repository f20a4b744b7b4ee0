import { NextResponse } from "next/server";
import { forgetRollout } from "@/lib/web/rollout-cache";
import { route, readJson } from "@/lib/web/http";
import { hideRollout, rolloutIdOf } from "@/lib/kettle/operations";
import { hideBody, parseBody } from "@/lib/web/api-schemas";

export const dynamic = "force-dynamic";

/** Hides a rollout from the lists; `{ "hidden": false }` shows it again. */
export const POST = route<{ id: string }>(
  async ({ req, db, params, audit }) => {
    const id = await rolloutIdOf(db, params.id);
    const body = parseBody(hideBody, await readJson(req));
    await hideRollout(db, id, body.hidden !== false, audit(body.hidden === false ? "unhide" : "hide"));
    forgetRollout(id);
    return NextResponse.json({ id, hidden: body.hidden !== false });
  },
  { mutation: true, action: "hide" },
);

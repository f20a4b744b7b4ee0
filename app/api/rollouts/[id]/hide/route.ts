import { NextResponse } from "next/server";
import { forgetRollout } from "@/lib/web/rollout-cache";
import { route, readJson } from "@/lib/web/http";
import { hideRollout, parseId } from "@/lib/kettle/operations";
import { requireRolloutRow } from "@/lib/kettle/store/rollouts";
import { badInput } from "@/lib/kettle/errors";

export const dynamic = "force-dynamic";

/** Hides a rollout from the lists; `{ "hidden": false }` shows it again. */
export const POST = route<{ id: string }>(
  async ({ req, db, params, audit }) => {
    const { id } = await requireRolloutRow(db, parseId(params.id));
    const body = await readJson(req);
    if (body.hidden !== undefined && typeof body.hidden !== "boolean") throw badInput("hidden must be true or false");
    await hideRollout(db, id, body.hidden !== false, audit(body.hidden === false ? "unhide" : "hide"));
    forgetRollout(id);
    return NextResponse.json({ id, hidden: body.hidden !== false });
  },
  { mutation: true, action: "hide" },
);

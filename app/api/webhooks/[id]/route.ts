import { NextResponse } from "next/server";
import { route, readJson } from "@/lib/web/http";
import { changeWebhook, removeWebhook, webhookWithDeliveries } from "@/lib/kettle/outbound/webhooks";

export const dynamic = "force-dynamic";

/** A subscription with its latest 50 events and every attempt (time, response code, error). */
export const GET = route<{ id: string }>(async ({ db, params }) => NextResponse.json(await webhookWithDeliveries(db, params.id)), { action: "webhook_read" });

/** `{ events?, format?, description?, enabled? }` */
export const PUT = route<{ id: string }>(
  async ({ req, db, params, audit }) => NextResponse.json(await changeWebhook(db, params.id, await readJson(req), audit("webhook_update"))),
  { mutation: true, action: "webhook_update" },
);

/** Deletes it, with its undelivered events. */
export const DELETE = route<{ id: string }>(
  async ({ db, params, audit }) => {
    await removeWebhook(db, params.id, audit("webhook_delete"));
    return NextResponse.json({ deleted: true });
  },
  { mutation: true, action: "webhook_delete" },
);

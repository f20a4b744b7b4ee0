import { NextResponse } from "next/server";
import { route, readJson } from "@/lib/web/http";
import { createWebhook, webhooks } from "@/lib/kettle/outbound/webhooks";

export const dynamic = "force-dynamic";

/** Every subscription (admins only: URLs may carry tokens). */
export const GET = route(async ({ db }) => NextResponse.json({ webhooks: await webhooks(db) }), { action: "webhook_read" });

/** `{ url, events, format?, description? }` → 201 with the signing secret, shown this once. */
export const POST = route(
  async ({ req, db, user, audit }) => {
    const body = await readJson(req);
    return NextResponse.json(await createWebhook(db, body, user, audit("webhook_create")), { status: 201 });
  },
  { mutation: true, action: "webhook_create" },
);

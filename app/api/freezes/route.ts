import { NextResponse } from "next/server";
import { route, readJson } from "@/lib/web/http";
import { createFreeze, freezes } from "@/lib/kettle/operations";
import { settings } from "@/lib/kettle/settings";

export const dynamic = "force-dynamic";

/** Every freeze window, with the occurrence on now and the next one (anyone may read them). */
export const GET = route(async ({ db }) => NextResponse.json({ freezes: await freezes(db) }));

/** `{ name, reason?, mode?, kinds?, start?, end?, rrule?, cron?, duration?, timeZone? }` → 201 (admins). */
export const POST = route(
  async ({ req, db, user, audit }) => NextResponse.json(await createFreeze(db, await readJson(req), settings().rolloutClasses, user, audit("freeze_create")), { status: 201 }),
  { mutation: true, action: "freeze_create" },
);

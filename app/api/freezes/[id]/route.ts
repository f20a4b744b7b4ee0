import { NextResponse } from "next/server";
import { route } from "@/lib/web/http";
import { removeFreeze } from "@/lib/kettle/operations";

export const dynamic = "force-dynamic";

/** Deletes a freeze window (admins): rollouts it paused resume by themselves. */
export const DELETE = route<{ id: string }>(
  async ({ db, params, audit }) => {
    await removeFreeze(db, params.id, audit("freeze_delete"));
    return NextResponse.json({ deleted: true });
  },
  { mutation: true, action: "freeze_delete" },
);

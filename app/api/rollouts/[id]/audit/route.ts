import { NextResponse } from "next/server";
import { route } from "@/lib/web/http";
import { auditPage, auditQuery } from "@/lib/auth/audit";
import { rolloutIdOf } from "@/lib/kettle/operations";
import { allowed } from "@/lib/auth/roles";
import { settings } from "@/lib/kettle/settings";

export const dynamic = "force-dynamic";

/** One rollout's own trail (any role; client addresses for admins only). */
export const GET = route<{ id: string }>(async ({ req, db, params, actor }) => {
  const id = await rolloutIdOf(db, params.id);
  const q = { ...auditQuery(req.nextUrl.searchParams), rolloutId: id };
  return NextResponse.json(await auditPage(db, q, { withAddress: allowed(actor.role, "audit_read", settings().auth) }));
});

import { NextResponse } from "next/server";
import { route } from "@/lib/web/http";
import { auditPage, auditQuery } from "@/lib/auth/audit";

export const dynamic = "force-dynamic";

/** The audit trail, newest first: ?user=&action=&rollout=&outcome=&from=&to=&page=&perPage= (admins). */
export const GET = route(async ({ req, db }) => NextResponse.json(await auditPage(db, auditQuery(req.nextUrl.searchParams))), { action: "audit_read" });

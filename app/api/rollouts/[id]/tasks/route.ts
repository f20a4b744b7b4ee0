// A page of a task's children: `?parent=ID&offset=0&limit=100` (no parent: the root).
// For big trees, whose summary shows only the first children of each group.
import { NextResponse } from "next/server";
import { route } from "@/lib/web/http";
import { getTaskChildren } from "@/lib/kettle/operations";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async ({ req, db, params }) => {
  const q = req.nextUrl.searchParams;
  return NextResponse.json(await getTaskChildren(db, params.id, { parent: q.get("parent"), offset: q.get("offset"), limit: q.get("limit") }));
});

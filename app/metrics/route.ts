// Prometheus metrics (text format): see lib/kettle/outbound/metrics.ts for the names.
import { NextResponse, type NextRequest } from "next/server";
import { database } from "@/lib/kettle/operations";
import { metricsRefusal, metricsText } from "@/lib/web/metrics";
import { errorResponse } from "@/lib/web/http";

export const dynamic = "force-dynamic";

export async function GET(req: NextRequest): Promise<Response> {
  try {
    const db = await database();
    const refused = await metricsRefusal(db, req.headers);
    if (refused) return NextResponse.json({ error: refused.error }, { status: refused.status });
    const { text, contentType } = await metricsText(db);
    return new Response(text, { headers: { "content-type": contentType, "cache-control": "no-store" } });
  } catch (e) {
    return errorResponse(e);
  }
}

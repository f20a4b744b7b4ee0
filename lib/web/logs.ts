import { NextResponse, type NextRequest } from "next/server";
import { formatLogLines, type LogLine } from "@/lib/kettle/operations";

/** A log as text, or as JSON lines after `?after=ID` with `?format=json` (for following it live). */
export function logResponse(req: NextRequest, lines: LogLine[]): Response {
  if (req.nextUrl.searchParams.get("format") === "json") return NextResponse.json({ lines });
  return new Response(formatLogLines(lines), { headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" } });
}

export function afterParam(req: NextRequest): number {
  const after = Number(req.nextUrl.searchParams.get("after") ?? 0);
  return Number.isSafeInteger(after) && after > 0 ? after : 0;
}

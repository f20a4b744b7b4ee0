import { NextResponse } from "next/server";
import { route } from "@/lib/web/http";
import { openApiDocument } from "@/lib/web/openapi";
import { settings } from "@/lib/kettle/settings";

export const dynamic = "force-dynamic";

/** The OpenAPI 3.1 document of this API, with each offered kind's config schema. */
export const GET = route(async ({ req }) => {
  const s = settings();
  const origin = s.auth.publicUrl ?? `${req.nextUrl.protocol}//${req.headers.get("x-forwarded-host") ?? req.headers.get("host")}${s.basePath}`;
  return NextResponse.json(await openApiDocument(origin));
});

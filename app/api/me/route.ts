import { NextResponse } from "next/server";
import { route } from "@/lib/web/http";
import { meOf } from "@/lib/auth/identity";

export const dynamic = "force-dynamic";

/** Who am I: user, groups, role, how identified, and which actions would be refused and why. */
export const GET = route(async ({ actor }) => NextResponse.json(meOf(actor)), { action: "me" });

import { NextResponse } from "next/server";
import { rolloutResponse, tasksParam } from "@/lib/web/rollout-cache";
import { route, readJson } from "@/lib/web/http";
import { createRollout } from "@/lib/kettle/operations";
import { findRollouts, parseFilters } from "@/lib/kettle/read/overview";
import { badInput } from "@/lib/kettle/errors";
import { createRolloutBody, parseBody } from "@/lib/web/api-schemas";

export const dynamic = "force-dynamic";

export const GET = route(async ({ req, db }) => {
  const q = req.nextUrl.searchParams;
  // Digits only: Number() also takes "1e99", an integer that made the query's OFFSET fail (a 500).
  const whole = (v: string | null, byDefault: number) => (v === null ? byDefault : /^\d{1,9}$/.test(v) ? Number(v) : NaN);
  const page = whole(q.get("page"), 1);
  const perPage = whole(q.get("perPage"), 20);
  if (Number.isNaN(page) || Number.isNaN(perPage)) throw badInput("page and perPage must be whole numbers (at most 9 digits)");
  // filters: status, kind, user, from, to, q, hidden (see the README)
  return NextResponse.json(await findRollouts(db, parseFilters(q), { page, perPage }));
});

export const POST = route(
  async ({ req, db, user, audit }) => {
    const tasks = tasksParam(req, "auto");
    const body = parseBody(createRolloutBody, await readJson(req));
    const id = await createRollout(db, { kind: body.kind, config: body.config, user, audit: audit("create") });
    return rolloutResponse(db, id, { status: 201, fresh: true, tasks });
  },
  { mutation: true, action: "create" },
);

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
  const page = Number(q.get("page") ?? 1);
  const perPage = Number(q.get("perPage") ?? 20);
  if (!Number.isInteger(page) || !Number.isInteger(perPage)) throw badInput("page and perPage must be whole numbers");
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

import { NextResponse } from "next/server";
import { route, readJson } from "@/lib/web/http";
import { lockKind, lockOf, offeredKind, unlockKind } from "@/lib/auth/locks";
import { lockBody, parseBody } from "@/lib/web/api-schemas";

export const dynamic = "force-dynamic";

/** The kind's deploy lock, or `{ "locked": false }`. */
export const GET = route<{ kind: string }>(async ({ db, params }) => {
  const lock = await lockOf(db, offeredKind(params.kind));
  return NextResponse.json(lock ? { locked: true, ...lock } : { locked: false, kind: offeredKind(params.kind) });
});

/** `{ reason }`: Run is refused for this kind until it is unlocked. */
export const POST = route<{ kind: string }>(
  async ({ req, db, params, user, audit }) => {
    const kind = offeredKind(params.kind);
    const body = parseBody(lockBody, await readJson(req));
    const lock = await lockKind(db, kind, body.reason, user, audit("lock"));
    return NextResponse.json({ locked: true, ...lock }, { status: 201 });
  },
  { mutation: true, action: "lock" },
);

export const DELETE = route<{ kind: string }>(
  async ({ db, params, audit }) => {
    const kind = offeredKind(params.kind);
    await unlockKind(db, kind, audit("unlock"));
    return NextResponse.json({ locked: false, kind });
  },
  { mutation: true, action: "unlock" },
);

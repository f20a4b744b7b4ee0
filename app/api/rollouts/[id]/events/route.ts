// A rollout's live changes as Server-Sent Events: `snapshot` first, then
// `change` events with only what changed, `end` when the rollout is done.
// `?logs=rollout,rollback,task:12:run` follows those logs too; a reconnect with
// Last-Event-ID gets what it missed.
import { route } from "@/lib/web/http";
import { rolloutIdOf } from "@/lib/kettle/operations";
import { parseCursor, parseLogFollow } from "@/lib/kettle/read/changes";
import { badInput } from "@/lib/kettle/errors";
import { eventStream } from "@/lib/web/event-stream";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async ({ req, db, params }) => {
  const id = await rolloutIdOf(db, params.id);
  const follow = parseLogFollow(req.nextUrl.searchParams.get("logs"));
  if (!follow) throw badInput('logs must be a comma list of "rollout", "rollback" and "task:ID:run" or "task:ID:revert"');
  const since = parseCursor(req.headers.get("last-event-id") ?? req.nextUrl.searchParams.get("lastEventId"));
  return eventStream(db, id, follow, since, req.signal);
});

import { route } from "@/lib/web/http";
import { afterParam, logResponse } from "@/lib/web/logs";
import { getLog } from "@/lib/kettle/operations";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string; taskId: string; stream: string }>(async ({ req, db, params }) =>
  logResponse(req, await getLog(db, { rolloutId: params.id, taskId: params.taskId, stream: params.stream, afterId: afterParam(req) })),
);

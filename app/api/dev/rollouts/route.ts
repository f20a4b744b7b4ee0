// Development only: a stream of events, one each time a file in rollouts/ changes,
// so that the New and Edit pages refresh themselves (components/forms/rollouts-watcher.tsx).
import { NextResponse, type NextRequest } from "next/server";
import { onRolloutsChange } from "@/lib/kettle/modules/registry";
import { settings } from "@/lib/kettle/settings";

export const dynamic = "force-dynamic";

export async function GET(req: NextRequest) {
  if (settings().production) return NextResponse.json({ error: "Only in development" }, { status: 404 });
  const encoder = new TextEncoder();
  let stop = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(": watching rollouts/\n\n"));
      const off = onRolloutsChange(() => {
        try {
          controller.enqueue(encoder.encode("data: changed\n\n"));
        } catch {
          off();
        }
      });
      stop = () => {
        off();
        try {
          controller.close();
        } catch {
          // already closed
        }
      };
      req.signal.addEventListener("abort", stop, { once: true });
    },
    cancel() {
      stop();
    },
  });
  return new Response(stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache, no-transform" } });
}

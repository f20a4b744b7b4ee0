// GET /healthz and GET /readyz, for load balancers and orchestrators, answered
// by the custom server before sign-in and before Next.js. /healthz: the process
// serves (no database call). /readyz: 200 only when the instance should get
// traffic, else 503 with what is wrong (lib/kettle/runner/readiness.ts).
import type { IncomingMessage, ServerResponse } from "node:http";
import { settings } from "@/lib/kettle/settings";

const PATHS = new Set(["/healthz", "/readyz"]);

/** Answers a health or readiness probe; false for any other request. */
export async function serveHealth(req: IncomingMessage, res: ServerResponse, readinessProblems: () => Promise<string[]>): Promise<boolean> {
  const base = settings().basePath;
  let url = (req.url ?? "").split("?")[0];
  if (base && url.startsWith(base + "/")) url = url.slice(base.length);
  if (!PATHS.has(url)) return false;
  if (req.method !== "GET" && req.method !== "HEAD") {
    send(res, 405, { error: `${url} answers GET only` }, { allow: "GET, HEAD" });
    return true;
  }
  if (url === "/healthz") {
    send(res, 200, { status: "ok" });
    return true;
  }
  const problems = await readinessProblems();
  send(res, problems.length ? 503 : 200, problems.length ? { status: "not ready", problems } : { status: "ready" });
  return true;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", "content-length": bytes.byteLength, ...headers });
  res.end(bytes);
}

// Requests that Next.js's router would answer badly, answered by server.ts before
// it: a path that does not percent-decode (Next throws on it: a plain-text 500),
// an /api path that no route serves (Next's HTML 404), and a method that a route
// does not take (Next's 405 with an empty body and no Allow header).
import type { IncomingMessage, ServerResponse } from "node:http";
import { plainPage } from "@/lib/auth/gate";

export type ApiRoute = { path: string; methods: string[] };

/** Each segment decoded, or null when one does not decode (`%zz`, a cut-off `%E0%A4%A`, an encoded lone surrogate). */
export function decodedSegments(pathname: string): string[] | null {
  const segments = pathname.split("/");
  try {
    return segments.map((s) => decodeURIComponent(s));
  } catch {
    return null;
  }
}

/**
 * The route serving `segments` (decoded, from "/api/…"), or null. A static segment
 * wins over a parameter at the same place, as in Next.js (`/api/rollouts/in-flight`
 * before `/api/rollouts/{id}`).
 */
export function matchApiRoute(routes: ApiRoute[], segments: string[]): ApiRoute | null {
  let best: { route: ApiRoute; rank: string } | null = null;
  for (const route of routes) {
    const parts = route.path.split("/");
    if (parts.length !== segments.length) continue;
    let rank = "";
    let fits = true;
    for (let i = 0; i < parts.length && fits; i++) {
      const param = /^\{\w+\}$/.test(parts[i]);
      fits = param ? segments[i] !== "" : parts[i] === segments[i];
      rank += param ? "1" : "0";
    }
    if (fits && (!best || rank < best.rank)) best = { route, rank };
  }
  return best?.route ?? null;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  res.end(JSON.stringify(body));
}

/** Answers the request (and returns true) when Next.js would answer it badly. */
export function answerBadPath(req: IncomingMessage, res: ServerResponse, basePath: string, routes: () => ApiRoute[]): boolean {
  const url = req.url ?? "/";
  const pathname = url.split("?", 1)[0];
  const outside = basePath && pathname !== basePath && !pathname.startsWith(basePath + "/");
  const path = outside ? pathname : pathname.slice(basePath.length) || "/";
  const isApi = !outside && path.startsWith("/api/");
  const segments = decodedSegments(path);
  if (!segments) {
    const message = "The path is not valid: it has a % that does not start a valid percent-encoded UTF-8 character";
    if (isApi) json(res, 400, { error: message });
    else plainPage(res, 400, "Bad address", `${message}. Check the link you followed.`);
    return true;
  }
  // Outside the base path Next answers 404; a trailing slash is Next's to redirect.
  if (!isApi || path.endsWith("/")) return false;
  const route = matchApiRoute(routes(), segments);
  if (!route) {
    json(res, 404, { error: `No API route at ${path.slice(0, 200)} (see ${basePath}/api/openapi.json)` });
    return true;
  }
  const method = req.method ?? "GET";
  const allowed = [...route.methods, ...(route.methods.includes("GET") ? ["HEAD"] : []), "OPTIONS"];
  if (!allowed.includes(method)) {
    json(res, 405, { error: `${method} is not allowed on ${route.path}: it takes ${route.methods.join(", ")}` }, { allow: allowed.join(", ") });
    return true;
  }
  return false;
}

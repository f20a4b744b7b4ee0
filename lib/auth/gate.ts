// The gate in front of every page, run by server.ts before Next.js sees the
// request. (A layout cannot be the gate: Next renders a page's payload beside
// its layout, so a layout that shows "not signed in" would still ship the page.)
// API routes check for themselves in route() and answer 401/403 JSON.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Db } from "@/lib/kettle/store/db";
import { settings } from "@/lib/kettle/settings";
import { identify, isIdentified, ADDRESS_HEADER } from "./identity";

const open = (path: string) => path.startsWith("/api/") || path.startsWith("/_next/") || path.startsWith("/auth/") || path === "/favicon.ico" || path.startsWith("/icon.svg") || path === "/robots.txt" || path === "/metrics" || path.startsWith("/metrics?");

/** A small self-contained HTML page (no Next.js): for answers given before its router. */
export function plainPage(res: ServerResponse, status: number, title: string, text: string) {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  res.statusCode = status;
  res.setHeader("content-type", "text/html; charset=utf-8");
  res.setHeader("cache-control", "no-store");
  res.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)} · Kettle</title></head>` +
      `<body style="font-family:system-ui,sans-serif;background:#f8fafc;color:#0f172a;display:grid;place-items:center;min-height:90vh;margin:0">` +
      `<main style="max-width:32rem;padding:2rem;background:#fff;border:1px solid #e2e8f0;border-radius:.75rem;text-align:center">` +
      `<h1 style="font-size:1.5rem;margin:0 0 .5rem">${esc(title)}</h1><p style="color:#64748b">${esc(text)}</p></main></body></html>`,
  );
}

/** Answers the request itself (and returns true) when the page may not be shown. */
/** A Node request's headers as identify() reads them, with the address the connection came from. */
export function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
  headers.set(ADDRESS_HEADER, req.socket.remoteAddress ?? "");
  return headers;
}

export async function gatePage(db: Db, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const s = settings();
  if (s.auth.mode === "none") return false;
  const url = req.url ?? "/";
  const base = s.basePath;
  if (base && url !== base && !url.startsWith(base + "/") && !url.startsWith(base + "?")) return false; // Next answers 404
  const path = url.slice(base.length) || "/";
  if (open(path)) return false;
  const who = await identify(db, headersOf(req));
  if (!isIdentified(who)) {
    if (s.auth.mode === "oidc" && (req.method === "GET" || req.method === "HEAD")) {
      res.statusCode = 303;
      res.setHeader("location", `${base}/auth/sign-in?${new URLSearchParams({ next: path })}`);
      res.setHeader("cache-control", "no-store");
      res.end();
      return true;
    }
    plainPage(res, 401, "Not signed in", who.reason);
    return true;
  }
  if (!who.role) {
    plainPage(res, 403, "No access", `You are signed in as ${who.user}, but Kettle gives you no role. Ask an admin to add you (or one of your groups) to KETTLE_VIEWERS.`);
    return true;
  }
  return false;
}

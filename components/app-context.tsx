"use client";
// What client components need from the server: the base path (for fetches;
// next/link adds it to links by itself), who the user is and what they may do,
// plus a ticking clock and helpers.
import { createContext, useContext, useSyncExternalStore, type ReactNode } from "react";
import { formatAgo, formatMs, formatTime } from "@/lib/web/format";
import type { Me } from "@/lib/auth/identity";

const BasePath = createContext("");
const CurrentUser = createContext<Me | null>(null);

export function AppProvider({ basePath, me, children }: { basePath: string; me: Me | null; children: ReactNode }) {
  return (
    <BasePath.Provider value={basePath}>
      <CurrentUser.Provider value={me}>{children}</CurrentUser.Provider>
    </BasePath.Provider>
  );
}

/** The current user, their role and what they may do (GET /api/me has the same). */
export function useMe(): Me | null {
  return useContext(CurrentUser);
}

/** A refusal as shown beside its (disabled) button: "Needs the admin role (you are a viewer)." */
export function refusalText(refused: string): string {
  return refused.replace(/^\S+ needs/, "Needs") + ".";
}

/** Why the current user may not do `action` (shown beside a disabled button), or null when they may. */
export function useRefusal(): (action: string) => string | null {
  const me = useMe();
  return (action) => {
    if (!me) return null;
    if (action in me.refused) return me.refused[action];
    return me.refused.run; // an action this page does not know: as strict as the operator actions
  };
}

export function useBasePath(): string {
  return useContext(BasePath);
}

/** The API URL for a path such as "/api/rollouts/1", with the base path in front. */
export function useApi(): (path: string) => string {
  const base = useBasePath();
  return (path: string) => base + path;
}

export type ApiResult<T = Record<string, unknown>> = { ok: boolean; status: number; body: T & { error?: string; fields?: Record<string, string[]>; trace?: string } };

/** A JSON mutation (POST/PUT); never throws: network errors come back as status 0. */
export async function sendJson<T = Record<string, unknown>>(url: string, method: "POST" | "PUT" | "DELETE", body?: unknown): Promise<ApiResult<T>> {
  try {
    const res = await fetch(url, {
      method,
      headers: { "content-type": "application/json", accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let parsed: unknown = {};
    try {
      parsed = await res.json();
    } catch {
      parsed = { error: `The server answered ${res.status} ${res.statusText}` };
    }
    return { ok: res.ok, status: res.status, body: parsed as ApiResult<T>["body"] };
  } catch (e) {
    return { ok: false, status: 0, body: { error: `Could not reach the server: ${e instanceof Error ? e.message : String(e)}` } as ApiResult<T>["body"] };
  }
}

export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: { accept: "application/json" }, cache: "no-store" });
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      message = ((await res.json()) as { error?: string }).error ?? message;
    } catch {
      // not JSON
    }
    throw Object.assign(new Error(message), { status: res.status });
  }
  return (await res.json()) as T;
}

// ---- one shared clock for every countdown on the page ----

let now = Date.now();
/** Server time minus browser time, so countdowns agree with the server's clock. */
let skew: number | null = null;
/**
 * A server time seen in a response. It was taken before the response travelled,
 * so each sample underestimates the skew by the response's latency: keep the
 * largest (the least delayed), unless the clocks clearly moved (a minute off).
 */
export function setServerNow(serverNow: number) {
  const sample = serverNow - Date.now();
  if (skew === null || sample > skew || sample < skew - 60_000) skew = sample;
  now = Date.now() + skew;
}
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(listener: () => void) {
  listeners.add(listener);
  if (!timer) {
    now = Date.now() + (skew ?? 0);
    timer = setInterval(() => {
      now = Date.now() + (skew ?? 0);
      for (const l of listeners) l();
    }, 1000);
  }
  return () => {
    listeners.delete(listener);
    if (!listeners.size && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/** The time now (on the server's clock), updated every second (null during server rendering and hydration). */
/** The server's time right now, as this browser estimates it (for renders between ticks). */
export function serverClockNow(): number {
  return Date.now() + (skew ?? 0);
}

export function useNow(): number | null {
  return useSyncExternalStore(
    subscribe,
    () => now,
    () => null,
  );
}

const noop = () => () => {};
/** False on the server and while hydrating, true after. */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noop,
    () => true,
    () => false,
  );
}

/** A timestamp: local time in the browser, UTC from the server. */
export function Time({ at, sameDayAs, timeOnly = false }: { at: number | null | undefined; sameDayAs?: number | null; timeOnly?: boolean }) {
  const hydrated = useHydrated();
  if (!at) return <span className="text-slate-400 dark:text-slate-500">—</span>;
  let text = formatTime(at, !hydrated);
  // Only the time of day when the date is the one just shown.
  if (timeOnly) text = text.slice(11);
  else if (sameDayAs && formatTime(sameDayAs, !hydrated).slice(0, 10) === text.slice(0, 10)) text = text.slice(11);
  return (
    <time dateTime={new Date(at).toISOString()} title={formatTime(at, !hydrated)}>
      {text}
    </time>
  );
}

/** "5 min ago", kept up to date; the exact time as a tooltip. */
export function Ago({ at }: { at: number }) {
  const hydrated = useHydrated();
  const current = useNow();
  const exact = formatTime(at, !hydrated);
  return (
    <time dateTime={new Date(at).toISOString()} title={exact}>
      {current ? formatAgo(at, current) : exact}
    </time>
  );
}

/** A duration from `from` to `to`, or to now (ticking) when `to` is missing. */
export function Duration({ from, to, serverNow }: { from: number | null | undefined; to: number | null | undefined; serverNow?: number }) {
  if (!from) return null;
  if (to) return <span className="tabular-nums">{formatMs(to - from)}</span>;
  return <LiveDuration from={from} serverNow={serverNow ?? from} />;
}

function LiveDuration({ from, serverNow }: { from: number; serverNow: number }) {
  const current = useNow();
  return <span className="tabular-nums">{formatMs((current ?? serverNow) - from)}</span>;
}

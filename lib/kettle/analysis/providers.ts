// Where numbers come from: a Prometheus instant query, a JSON answer over HTTP,
// or a function the rollout class declares (static measures). Each answers a
// number, an array of numbers, or null (no data); or throws (an error outcome).
import type { MetricValue } from "./verdict";
import type { Provider, PrometheusProvider, WebProvider } from "./spec";

/** What a custom measure gets. */
export type MeasureContext = { rolloutId: number; config: Record<string, unknown>; metric: string; signal: AbortSignal };
/** A custom measure (static measures = { name: fn }): a number, an array of numbers, or null for no data. */
export type Measure = (ctx: MeasureContext) => Promise<MetricValue | undefined> | MetricValue | undefined;

export type ProviderEnv = MeasureContext & { measures: Record<string, Measure> };

const DEFAULT_TIMEOUT_S = 10;
const MAX_ANSWER_BYTES = 1 << 20;

/** A number from what an answer holds ("0.5", 0.5); NaN stays NaN ("NaN" is Prometheus's). */
function toNumber(v: unknown, what: string): number {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  if (Number.isNaN(n) && !(typeof v === "string" && v === "NaN") && !(typeof v === "number")) throw new Error(`${what} is not a number: ${JSON.stringify(v)?.slice(0, 80)}`);
  return n;
}

export function asValue(v: unknown, what: string): MetricValue {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map((x, i) => toNumber(x, `${what}[${i}]`));
  return toNumber(v, what);
}

async function fetchJson(url: string, init: RequestInit, timeoutS: number, signal: AbortSignal): Promise<unknown> {
  const timer = AbortSignal.timeout(timeoutS * 1000);
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.any([timer, signal]), redirect: "error" });
  } catch (e) {
    if (timer.aborted) throw new Error(`no answer within ${timeoutS} s`);
    throw new Error(`request failed: ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}`);
  }
  const text = await res.text();
  if (text.length > MAX_ANSWER_BYTES) throw new Error(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`);
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`the answer is not JSON: ${text.slice(0, 80)}`);
  }
}

type PromAnswer = { status?: string; error?: string; data?: { resultType?: string; result?: unknown } };

export async function queryPrometheus(p: PrometheusProvider, signal: AbortSignal): Promise<MetricValue> {
  const url = new URL("/api/v1/query", p.address);
  url.searchParams.set("query", p.query);
  const token = p.tokenEnv ? process.env[p.tokenEnv] : undefined;
  if (p.tokenEnv && !token) throw new Error(`the environment variable ${p.tokenEnv} (tokenEnv) is not set`);
  const answer = (await fetchJson(url.toString(), { headers: token ? { authorization: `Bearer ${token}` } : {} }, p.timeoutSeconds ?? DEFAULT_TIMEOUT_S, signal)) as PromAnswer;
  if (answer.status !== "success") throw new Error(`Prometheus: ${answer.error ?? "the query failed"}`);
  const { resultType, result } = answer.data ?? {};
  if (resultType === "scalar") return toNumber((result as [number, string])[1], "the scalar");
  if (resultType === "vector") {
    const samples = (result as { value: [number, string] }[]).map((s, i) => toNumber(s.value[1], `sample ${i}`));
    return samples.length === 0 ? null : samples.length === 1 ? samples[0] : samples;
  }
  throw new Error(`Prometheus answered a ${resultType ?? "strange"} result: an instant query of a scalar or a vector is needed`);
}

/** `$.data.errorRate`, `$.values[0]`, `$` applied to a JSON value; undefined when a step is missing. */
export function pick(value: unknown, path: string): unknown {
  const steps = path.slice(1).match(/\.[^.[\]]+|\[\d+\]/g) ?? [];
  let v = value;
  for (const s of steps) {
    if (v === null || typeof v !== "object") return undefined;
    const key = s.startsWith("[") ? Number(s.slice(1, -1)) : s.slice(1);
    v = Object.hasOwn(v, key) ? (v as Record<string | number, unknown>)[key] : undefined;
  }
  return v;
}

export async function queryWeb(w: WebProvider, signal: AbortSignal): Promise<MetricValue> {
  const method = w.method ?? "GET";
  const answer = await fetchJson(w.url, { method, headers: { accept: "application/json", ...(w.headers ?? {}) }, body: method === "POST" ? w.body : undefined }, w.timeoutSeconds ?? DEFAULT_TIMEOUT_S, signal);
  return asValue(pick(answer, w.jsonPath), w.jsonPath);
}

/** Takes one measurement's value from the metric's provider. */
export async function measureWith(provider: Provider, env: ProviderEnv): Promise<MetricValue> {
  if ("prometheus" in provider) return queryPrometheus(provider.prometheus, env.signal);
  if ("web" in provider) return queryWeb(provider.web, env.signal);
  const fn = env.measures[provider.custom];
  if (typeof fn !== "function") throw new Error(`the rollout class has no static measures.${provider.custom}`);
  const { measures: _, ...ctx } = env;
  return asValue(await fn(ctx), `measures.${provider.custom}`);
}

// An analysis's spec: plain JSON (a task is rebuilt from its state), checked once
// when it is made (at finalise), so that a bad spec is refused there with the
// field named, not discovered mid-rollout. Shapes follow Argo Rollouts'
// AnalysisTemplate where they can.
import { checkCondition } from "./conditions";

export type PrometheusProvider = {
  /** The server's base URL: http://127.0.0.1:9090 */
  address: string;
  /** A PromQL instant query. */
  query: string;
  /** The name of an environment variable holding a bearer token (read when measuring, never stored). */
  tokenEnv?: string;
  timeoutSeconds?: number;
};
export type WebProvider = {
  url: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  /** Where the number is in the JSON answer: `$.data.errorRate`, `$.values[0]`, `$`. */
  jsonPath: string;
  timeoutSeconds?: number;
};
export type Provider = { prometheus: PrometheusProvider } | { web: WebProvider } | { custom: string };

/** A canary metric (Kayenta's judge): the same query of the baseline and of the canary, compared. */
export type CompareSpec = {
  baseline: Provider;
  canary: Provider;
  /** Which way is bad: "increase" (the default), "decrease" or "either". */
  direction?: "increase" | "decrease" | "either";
  /** The band around zero the shift's interval must leave out, as a share of the shift. Default 0.25. */
  tolerance?: number;
  /** A critical metric that does not pass makes the score 0. */
  critical?: boolean;
};

export type MetricSpec = {
  name: string;
  /** Where the value comes from; or `compare` for a canary metric. */
  provider?: Provider;
  compare?: CompareSpec;
  /** Time between measurements ("10s", "1m"); without it, one measurement. */
  interval?: string;
  /** How many measurements; 1 without an interval. */
  count?: number;
  /** Wait this long before the first measurement. */
  initialDelay?: string;
  successCondition?: string;
  failureCondition?: string;
  /** Failed measurements allowed (more fails the metric). Default 0. */
  failureLimit?: number;
  /** Inconclusive measurements allowed. Default 0. */
  inconclusiveLimit?: number;
  /** Errors in a row allowed. Default 4. */
  consecutiveErrorLimit?: number;
  /** What an empty result counts as. Default "inconclusive". */
  noData?: "inconclusive" | "fail" | "pass";
  /** Measured, recorded and shown; never changes the verdict. */
  dryRun?: boolean;
};

export type AnalysisSpec = {
  metrics: MetricSpec[];
  /** The canary score's thresholds (compare metrics): ≥ pass successful, ≥ marginal inconclusive, else failed. Defaults 95 and 75. */
  canary?: { pass?: number; marginal?: number };
  /** "pause": a Failed verdict pauses for a person (retry, skip, roll back) instead of failing the step. */
  onFailed?: "fail" | "pause";
};

/** A spec error naming the field: `metrics[0].successCondition: ...`. */
export class SpecError extends Error {}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "10s", "1m", "1.5h", "500ms" → milliseconds; null when it does not parse. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(String(text).trim());
  return m ? Math.round(Number(m[1]) * UNITS[m[2]]) : null;
}

const fail = (field: string, message: string): never => {
  throw new SpecError(`${field}: ${message}`);
};
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown) => typeof v === "string" && v.trim().length > 0;
const limit = (field: string, v: unknown) => v === undefined || (Number.isInteger(v) && (v as number) >= 0) || fail(field, `a whole number ≥ 0 (got ${JSON.stringify(v)})`);
const duration = (field: string, v: unknown) => v === undefined || (typeof v === "string" && parseDuration(v) !== null) || fail(field, `a duration like "10s", "1m", "500ms" (got ${JSON.stringify(v)})`);
const url = (field: string, v: unknown) => {
  if (!nonEmpty(v)) fail(field, "a URL is needed");
  let u: URL | null = null;
  try {
    u = new URL(String(v));
  } catch {
    fail(field, `not a URL: ${JSON.stringify(v)}`);
  }
  if (u!.protocol !== "http:" && u!.protocol !== "https:") fail(field, `http or https only (got ${u!.protocol})`);
};

function checkProvider(at: string, p: unknown, opts: CheckOptions): void {
  if (!isObject(p)) return fail(at, "one of { prometheus }, { web }, { custom }");
  const kinds = Object.keys(p);
  if (kinds.length !== 1 || !["prometheus", "web", "custom"].includes(kinds[0])) return fail(at, `one of { prometheus }, { web }, { custom } (got ${kinds.join(", ") || "nothing"})`);
  if ("custom" in p) {
    if (!nonEmpty(p.custom)) fail(`${at}.custom`, "the name of a function in the rollout class's static measures");
    if (opts.customNames && !opts.customNames.includes(String(p.custom))) fail(`${at}.custom`, `the rollout class has no static measures.${String(p.custom)}`);
    return;
  }
  if ("prometheus" in p) {
    const q = p.prometheus;
    if (!isObject(q)) return fail(`${at}.prometheus`, "{ address, query }");
    url(`${at}.prometheus.address`, q.address);
    if (!nonEmpty(q.query)) fail(`${at}.prometheus.query`, "a PromQL query is needed");
    if (q.tokenEnv !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(String(q.tokenEnv))) fail(`${at}.prometheus.tokenEnv`, "the name of an environment variable");
    timeout(`${at}.prometheus.timeoutSeconds`, q.timeoutSeconds);
    return;
  }
  const w = (p as { web: unknown }).web;
  if (!isObject(w)) return fail(`${at}.web`, "{ url, jsonPath }");
  url(`${at}.web.url`, w.url);
  if (w.method !== undefined && w.method !== "GET" && w.method !== "POST") fail(`${at}.web.method`, `"GET" or "POST" (got ${JSON.stringify(w.method)})`);
  if (w.headers !== undefined && (!isObject(w.headers) || Object.values(w.headers).some((h) => typeof h !== "string"))) fail(`${at}.web.headers`, "an object of strings");
  if (w.body !== undefined && typeof w.body !== "string") fail(`${at}.web.body`, "a string");
  if (typeof w.jsonPath !== "string" || !/^\$(\.[A-Za-z_$][\w$-]*|\[\d+\])*$/.test(w.jsonPath)) fail(`${at}.web.jsonPath`, `a path like "$.data.errorRate" or "$.values[0]" (got ${JSON.stringify(w.jsonPath)})`);
  timeout(`${at}.web.timeoutSeconds`, w.timeoutSeconds);
}

const timeout = (field: string, v: unknown) => v === undefined || (typeof v === "number" && v > 0 && v <= 300) || fail(field, `seconds, more than 0 and at most 300 (got ${JSON.stringify(v)})`);

export type CheckOptions = {
  /** A step (not background): an interval needs a count, or it would never end. */
  step: boolean;
  /** The rollout class's static measures, when known: a custom provider must name one. */
  customNames?: string[];
};

/** Checks a spec (throws SpecError naming the field) and returns it as plain JSON. */
export function checkSpec(spec: unknown, opts: CheckOptions, where = ""): AnalysisSpec {
  const at = (f: string) => (where ? `${where}.${f}` : f);
  if (!isObject(spec)) fail(where || "analysis", "an object with metrics");
  const s = spec as Record<string, unknown>;
  if (!Array.isArray(s.metrics) || s.metrics.length === 0) fail(at("metrics"), "at least one metric");
  if (s.onFailed !== undefined && s.onFailed !== "fail" && s.onFailed !== "pause") fail(at("onFailed"), `"fail" or "pause" (got ${JSON.stringify(s.onFailed)})`);
  if (s.canary !== undefined) {
    const c = s.canary as Record<string, unknown>;
    const pct = (k: string) => c[k] === undefined || (typeof c[k] === "number" && (c[k] as number) >= 0 && (c[k] as number) <= 100) || fail(at(`canary.${k}`), `a score from 0 to 100 (got ${JSON.stringify(c[k])})`);
    if (!isObject(c)) fail(at("canary"), "{ pass, marginal }");
    pct("pass");
    pct("marginal");
    if ((c.marginal as number ?? 75) > (c.pass as number ?? 95)) fail(at("canary.marginal"), "at most canary.pass");
  }
  const names = new Set<string>();
  (s.metrics as unknown[]).forEach((m, i) => {
    const f = (name: string) => at(`metrics[${i}].${name}`);
    if (!isObject(m)) return fail(at(`metrics[${i}]`), "an object");
    if (!nonEmpty(m.name) || String(m.name).length > 100) fail(f("name"), "a name of 1 to 100 characters");
    if (names.has(String(m.name))) fail(f("name"), `"${String(m.name)}" is named twice`);
    names.add(String(m.name));
    if (m.compare !== undefined) {
      if (m.provider !== undefined) fail(f("provider"), "a compare metric has no provider of its own (compare.baseline and compare.canary)");
      if (m.successCondition !== undefined || m.failureCondition !== undefined) fail(f("successCondition"), "a compare metric is judged against its baseline, not by conditions");
      const c = m.compare;
      if (!isObject(c)) return fail(f("compare"), "{ baseline, canary }");
      checkProvider(f("compare.baseline"), c.baseline, opts);
      checkProvider(f("compare.canary"), c.canary, opts);
      if (c.direction !== undefined && !["increase", "decrease", "either"].includes(String(c.direction))) fail(f("compare.direction"), `"increase", "decrease" or "either" (got ${JSON.stringify(c.direction)})`);
      if (c.tolerance !== undefined && !(typeof c.tolerance === "number" && c.tolerance >= 0 && c.tolerance <= 10)) fail(f("compare.tolerance"), `a number from 0 to 10 (got ${JSON.stringify(c.tolerance)})`);
      if (c.critical !== undefined && typeof c.critical !== "boolean") fail(f("compare.critical"), "true or false");
    } else checkProvider(f("provider"), m.provider, opts);
    duration(f("interval"), m.interval);
    duration(f("initialDelay"), m.initialDelay);
    if (m.count !== undefined && !(Number.isInteger(m.count) && (m.count as number) >= 1 && (m.count as number) <= 10_000)) fail(f("count"), `a whole number from 1 to 10000 (got ${JSON.stringify(m.count)})`);
    if (m.interval !== undefined && m.count === undefined && opts.step) fail(f("count"), "a step's metric with an interval needs a count (or it would never end)");
    if (m.interval !== undefined && parseDuration(String(m.interval))! < 100) fail(f("interval"), "at least 100ms");
    limit(f("failureLimit"), m.failureLimit);
    limit(f("inconclusiveLimit"), m.inconclusiveLimit);
    limit(f("consecutiveErrorLimit"), m.consecutiveErrorLimit);
    if (m.noData !== undefined && !["inconclusive", "fail", "pass"].includes(String(m.noData))) fail(f("noData"), `"inconclusive", "fail" or "pass" (got ${JSON.stringify(m.noData)})`);
    if (m.dryRun !== undefined && typeof m.dryRun !== "boolean") fail(f("dryRun"), "true or false");
    if (m.compare === undefined && m.successCondition === undefined && m.failureCondition === undefined) fail(f("successCondition"), "a metric needs a successCondition or a failureCondition");
    for (const c of ["successCondition", "failureCondition"] as const) {
      if (m[c] === undefined) continue;
      const problem = typeof m[c] === "string" ? checkCondition(m[c] as string) : "an expression over result, as text";
      if (problem) fail(f(c), problem);
    }
  });
  return JSON.parse(JSON.stringify(spec)) as AnalysisSpec;
}

/** The count a metric runs to: its count, 1 without an interval, unbounded (background) with an interval and no count. */
export function countOf(m: MetricSpec): number {
  if (m.count !== undefined) return m.count;
  return m.interval === undefined ? 1 : Infinity;
}

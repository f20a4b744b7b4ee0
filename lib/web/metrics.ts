// GET /metrics: who may read it, and the gauges read from the database at scrape.
import { BlockList, isIP } from "node:net";
import { timingSafeEqual, createHash } from "node:crypto";
import { identify, isIdentified, ADDRESS_HEADER } from "@/lib/auth/identity";
import { settings } from "@/lib/kettle/settings";
import { type Db, pendingDeliveries } from "@/lib/kettle/operations";
import { metrics } from "@/lib/kettle/outbound/metrics";
import { rolloutStatuses } from "@/lib/kettle/status";

/** `::ffff:10.0.0.1` → `10.0.0.1`, so one list entry covers both forms. */
const plain = (a: string) => (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(a) ? a.slice(7) : a);

let cached: { key: string; list: BlockList } | undefined;
function allowList(entries: string[]): BlockList {
  const key = entries.join(",");
  if (cached?.key === key) return cached.list;
  const list = new BlockList();
  for (const raw of entries) {
    const [addr, bits] = plain(raw).split("/");
    const type = isIP(addr) === 6 ? "ipv6" : "ipv4";
    if (!isIP(addr)) continue;
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  cached = { key, list };
  return list;
}

export function addressAllowed(address: string | null, entries = settings().metricsAllow): boolean {
  if (!address) return false;
  const a = plain(address);
  const type = isIP(a) === 6 ? "ipv6" : isIP(a) === 4 ? "ipv4" : null;
  return type !== null && allowList(entries).check(a, type);
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * null when the request may read the metrics: from an address in KETTLE_METRICS_ALLOW
 * (the peer's own address, never a header a client can set), with KETTLE_METRICS_TOKEN as a
 * bearer token, or as someone signed in (session, proxy user, API token) with a role.
 */
export async function metricsRefusal(db: Db, headers: Headers): Promise<{ status: number; error: string } | null> {
  const s = settings();
  // Behind the trusted proxy (KETTLE_AUTH=proxy) the client is the address the proxy saw.
  const forwarded = s.auth.mode === "proxy" ? headers.get("x-forwarded-for")?.split(",").map((a) => a.trim()).filter(Boolean).pop() : undefined;
  if (addressAllowed(forwarded ?? headers.get(ADDRESS_HEADER))) return null;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.get("authorization") ?? "")?.[1];
  if (bearer && s.metricsToken && timingSafeEqual(digest(bearer), digest(s.metricsToken))) return null;
  if (s.auth.mode !== "none") {
    const who = await identify(db, headers);
    if (isIdentified(who) && who.role) return null;
    if (!isIdentified(who) && (bearer || headers.get("cookie"))) return { status: 401, error: who.reason };
  }
  return { status: 403, error: "Metrics are readable from the addresses in KETTLE_METRICS_ALLOW, with KETTLE_METRICS_TOKEN, or with an API token" };
}

/** The Prometheus text, after reading the gauges that come from the database. */
export async function metricsText(db: Db): Promise<{ text: string; contentType: string }> {
  const m = metrics();
  const rs = await db.$client.execute("SELECT status, count(*) AS n FROM rollout GROUP BY status");
  m.rollouts.reset();
  for (const status of rolloutStatuses) m.rollouts.set({ status }, 0);
  for (const r of rs.rows) m.rollouts.set({ status: String(r.status) }, Number(r.n));
  m.outboxPending.set(await pendingDeliveries(db));
  return { text: await m.registry.metrics(), contentType: m.registry.contentType };
}

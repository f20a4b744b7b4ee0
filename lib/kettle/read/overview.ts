// What is in flight across all kinds (for Home), and the rollout list with
// filters (status, kind, who, time range) and a text search over config and
// info (for the All page and GET /api/rollouts). Read-only.
import type { InValue } from "@libsql/client";
import type { Db } from "../store/db";
import type { RolloutRow } from "../store/rollouts";
import { resolveRolloutClass } from "../modules/registry";
import { activeStatuses, rolloutStatuses, type RolloutStatus } from "../status";
import { badInput } from "../errors";
import { summary, rolloutHeader, type RolloutSummary, type RolloutHeader } from "./views";

export type RolloutFilters = {
  /** Statuses; "active" stands for every status of a rollout in progress. */
  status?: RolloutStatus[];
  kind?: string[];
  /** Who created or ran it. */
  user?: string;
  /** Started (or, if never run, created) at or after / before, ms since the epoch. */
  from?: number;
  to?: number;
  /** Text to find in the config (as JSON) or the info lines, case-insensitive. */
  q?: string;
  hidden?: boolean;
};

type Params = URLSearchParams | Record<string, string | string[] | undefined>;
const all = (p: Params, name: string): string[] => {
  const v = p instanceof URLSearchParams ? p.getAll(name) : p[name] === undefined ? [] : ([] as string[]).concat(p[name]!);
  return v.flatMap((x) => x.split(",")).map((x) => x.trim()).filter(Boolean);
};
const one = (p: Params, name: string) => all(p, name).join(",") || undefined;

/** A time: ms since the epoch, or an ISO date / date-time; a bare date as `to` means the end of that day (UTC). */
function parseTime(v: string | undefined, name: string, endOfDay = false): number | undefined {
  if (!v) return undefined;
  if (/^\d{1,15}$/.test(v)) return Number(v);
  const bare = /^\d{4}-\d{2}-\d{2}$/.test(v);
  const t = Date.parse(bare ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(t)) throw badInput(`${name} must be a date (2026-11-26), a date and time (2026-11-26T14:30:00Z) or milliseconds since 1970`);
  return bare && endOfDay ? t + 86_400_000 - 1 : t;
}

/** The filters of a query string (the All page's and GET /api/rollouts'); 400 for a status that does not exist. */
export function parseFilters(p: Params): RolloutFilters {
  const status: RolloutStatus[] = [];
  for (const s of all(p, "status")) {
    if (s === "active") status.push(...activeStatuses);
    else if ((rolloutStatuses as readonly string[]).includes(s)) status.push(s as RolloutStatus);
    else throw badInput(`No status "${s.slice(0, 40)}": use active or one of ${rolloutStatuses.join(", ")}`);
  }
  const hidden = one(p, "hidden");
  const q = one(p, "q");
  return {
    ...(status.length ? { status: [...new Set(status)] } : {}),
    ...(all(p, "kind").length ? { kind: all(p, "kind") } : {}),
    ...(one(p, "user") ? { user: one(p, "user") } : {}),
    ...(one(p, "from") ? { from: parseTime(one(p, "from"), "from") } : {}),
    ...(one(p, "to") ? { to: parseTime(one(p, "to"), "to", true) } : {}),
    ...(q ? { q: q.slice(0, 200) } : {}),
    ...(hidden === "1" || hidden === "true" ? { hidden: true } : {}),
  };
}

/** The same filters as a query string (page links keep them). */
export function filtersQuery(f: RolloutFilters): Record<string, string> {
  const out: Record<string, string> = {};
  if (f.status?.length) out.status = activeStatuses.every((s) => f.status!.includes(s)) && f.status.length === activeStatuses.length ? "active" : f.status.join(",");
  if (f.kind?.length) out.kind = f.kind.join(",");
  if (f.user) out.user = f.user;
  if (f.from !== undefined) out.from = new Date(f.from).toISOString();
  if (f.to !== undefined) out.to = new Date(f.to).toISOString();
  if (f.q) out.q = f.q;
  if (f.hidden) out.hidden = "1";
  return out;
}

const SEARCH_LIMIT = 5000;

async function infoOf(row: RolloutRow): Promise<string[]> {
  try {
    const kind = await resolveRolloutClass(row.kind);
    return new kind.cls(row.id, row.config).info().map(String);
  } catch {
    return [];
  }
}

/** Rollouts matching the filters, newest first, a page at a time. */
export async function findRollouts(db: Db, f: RolloutFilters, opts: { page?: number; perPage?: number } = {}) {
  const perPage = Math.min(Math.max(opts.perPage ?? 20, 1), 200);
  // At most a billion pages: a page past SQLite's integers (1e99) made the OFFSET fail.
  const page = Math.min(Math.max(Math.trunc(opts.page ?? 1) || 1, 1), 1e9);
  const where: string[] = ["hidden = ?"];
  const args: InValue[] = [f.hidden ? 1 : 0];
  if (f.status?.length) {
    where.push(`status IN (${f.status.map(() => "?").join(", ")})`);
    args.push(...f.status);
  }
  if (f.kind?.length) {
    where.push(`kind IN (${f.kind.map(() => "?").join(", ")})`);
    args.push(...f.kind);
  }
  if (f.user) {
    where.push("(run_by = ? OR (run_by IS NULL AND created_by = ?) OR created_by = ?)");
    args.push(f.user, f.user, f.user);
  }
  if (f.from !== undefined) {
    where.push("coalesce(rollout_started_at, created_at) >= ?");
    args.push(f.from);
  }
  if (f.to !== undefined) {
    where.push("coalesce(rollout_started_at, created_at) <= ?");
    args.push(f.to);
  }
  const sqlWhere = where.join(" AND ");
  if (!f.q) {
    const [rows, n] = await Promise.all([
      db.$client.execute({ sql: `SELECT id FROM rollout WHERE ${sqlWhere} ORDER BY id DESC LIMIT ? OFFSET ?`, args: [...args, perPage, (page - 1) * perPage] }),
      db.$client.execute({ sql: `SELECT count(*) AS n FROM rollout WHERE ${sqlWhere}`, args }),
    ]);
    const total = Number(n.rows[0].n);
    return { rollouts: await summaries(db, rows.rows.map((r) => Number(r.id))), page, perPage, total, pages: Math.max(1, Math.ceil(total / perPage)), filters: f };
  }
  // Text search: the config in SQL, the info lines (computed by each kind) here.
  const rs = await db.$client.execute({ sql: `SELECT id FROM rollout WHERE ${sqlWhere} ORDER BY id DESC LIMIT ${SEARCH_LIMIT}`, args });
  const ids = rs.rows.map((r) => Number(r.id));
  const needle = f.q.toLowerCase();
  const matched: RolloutRow[] = [];
  for (let i = 0; i < ids.length; i += 200) {
    for (const row of await rowsOf(db, ids.slice(i, i + 200))) {
      if (JSON.stringify(row.config).toLowerCase().includes(needle) || (await infoOf(row)).some((l) => l.toLowerCase().includes(needle))) matched.push(row);
    }
  }
  const total = matched.length;
  return {
    rollouts: matched.slice((page - 1) * perPage, page * perPage).map(summary),
    page,
    perPage,
    total,
    pages: Math.max(1, Math.ceil(total / perPage)),
    filters: f,
  };
}

async function rowsOf(db: Db, ids: number[]): Promise<RolloutRow[]> {
  if (!ids.length) return [];
  const rows = await db.query.rollout.findMany({ where: (r, { inArray }) => inArray(r.id, ids) });
  return rows.sort((a, b) => b.id - a.id);
}

async function summaries(db: Db, ids: number[]): Promise<RolloutSummary[]> {
  return (await rowsOf(db, ids)).map(summary);
}

export type InFlight = RolloutSummary &
  Pick<RolloutHeader, "title" | "progress" | "eta" | "pausedReason" | "waitingFor" | "refreshMs" | "now">;

/** Every rollout in progress (running, paused, waiting for approval, stopping, rolling back), across all kinds, hidden ones too; oldest first. */
export async function inFlight(db: Db, limit = 50): Promise<InFlight[]> {
  const rows = await db.query.rollout.findMany({
    where: (r, { inArray }) => inArray(r.status, activeStatuses),
    orderBy: (r, { asc }) => asc(r.id),
    limit,
  });
  const headers = await Promise.all(rows.map((row) => rolloutHeader(db, row)));
  return headers.map((h) => ({
    ...summary(rows.find((r) => r.id === h.id)!),
    title: h.title,
    progress: h.progress,
    eta: h.eta,
    pausedReason: h.pausedReason,
    waitingFor: h.waitingFor,
    refreshMs: h.refreshMs,
    now: h.now,
  }));
}

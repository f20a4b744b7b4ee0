// Reading the audit trail, with the filters the page and the API share.
import type { Db } from "@/lib/kettle/store/db";
import { readAudit, type AuditFilter, type AuditRow } from "@/lib/kettle/store/audit";
import { badInput } from "@/lib/kettle/errors";

export type AuditQuery = AuditFilter & { page: number; perPage: number };

/** Parses ?user=&action=&rollout=&outcome=&from=&to=&page=&perPage= (times as ISO dates or epoch ms). */
export function auditQuery(q: URLSearchParams | Record<string, string | string[] | undefined>): AuditQuery {
  const get = (k: string) => {
    const v = q instanceof URLSearchParams ? q.get(k) : q[k];
    const one = Array.isArray(v) ? v[0] : v;
    return one === undefined || one === null || one.trim() === "" ? undefined : one.trim();
  };
  const time = (k: string) => {
    const v = get(k);
    if (v === undefined) return undefined;
    const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
    if (!Number.isFinite(t)) throw badInput(`${k} must be a date (2026-01-31 or 2026-01-31T12:00Z) or epoch milliseconds`);
    return t;
  };
  const int = (k: string, dflt: number, max: number) => {
    const v = get(k);
    if (v === undefined) return dflt;
    if (!/^\d{1,9}$/.test(v) || Number(v) < 1) throw badInput(`${k} must be a whole number from 1`);
    return Math.min(Number(v), max);
  };
  const rollout = get("rollout");
  if (rollout !== undefined && !/^\d{1,15}$/.test(rollout)) throw badInput("rollout must be a rollout id");
  const outcome = get("outcome");
  if (outcome !== undefined && outcome !== "ok" && outcome !== "refused") throw badInput("outcome must be ok or refused");
  return {
    user: get("user"),
    action: get("action"),
    rolloutId: rollout === undefined ? undefined : Number(rollout),
    outcome,
    from: time("from"),
    to: time("to"),
    page: int("page", 1, 1_000_000),
    perPage: int("perPage", 50, 500),
  };
}

export async function auditPage(db: Db, q: AuditQuery, { withAddress = true } = {}) {
  const { page, perPage, ...filter } = q;
  const { rows, total } = await readAudit(db, filter, perPage, (page - 1) * perPage);
  const shown: AuditRow[] = withAddress ? rows : rows.map((r) => ({ ...r, address: null }));
  return { entries: shown, page, perPage, total, pages: Math.max(1, Math.ceil(total / perPage)) };
}

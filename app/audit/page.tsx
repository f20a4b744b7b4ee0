import Link from "next/link";
import type { Metadata } from "next";
import { database } from "@/lib/kettle/operations";
import { settings } from "@/lib/kettle/settings";
import { auditPage, auditQuery } from "@/lib/auth/audit";
import { refusal } from "@/lib/auth/roles";
import { isIdentified } from "@/lib/auth/identity";
import { KettleError } from "@/lib/kettle/errors";
import { currentIdentity } from "@/lib/web/me";
import { Time } from "@/components/app-context";
import { ui } from "@/lib/web/ui";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Audit" };

const PER_PAGE = 50;

export default async function Audit({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const q = await searchParams;
  const who = await currentIdentity();
  const refused = isIdentified(who) ? refusal(who.role, "audit_read", settings().auth) : "Sign in first";
  if (refused) {
    return (
      <div className={`${ui.card} mx-auto max-w-xl space-y-2 p-8 text-center`} data-testid="refused-page">
        <h1 className={ui.h1}>Audit</h1>
        <p className={ui.muted}>The audit page {refused.replace(/^audit_read /, "")}.</p>
      </div>
    );
  }
  let query;
  let problem: string | null = null;
  try {
    query = auditQuery({ ...q, perPage: String(PER_PAGE) });
  } catch (e) {
    problem = e instanceof KettleError ? e.message : String(e);
    query = auditQuery({ perPage: String(PER_PAGE) });
  }
  const result = await auditPage(await database(), query);
  const one = (k: string) => (typeof q[k] === "string" ? (q[k] as string) : "");
  const filters = { user: one("user"), action: one("action"), rollout: one("rollout"), outcome: one("outcome"), from: one("from"), to: one("to") };
  const href = (page: number) => `/audit?${new URLSearchParams({ ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v)), ...(page > 1 ? { page: String(page) } : {}) })}`;
  const field = "mb-1 block text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400";
  return (
    <div className="space-y-5">
      <div>
        <h1 className={ui.h1}>Audit</h1>
        <p className={`mt-1 text-sm ${ui.muted}`}>
          Every change, sign-in, sign-out and refused attempt, newest first. {result.total} {result.total === 1 ? "entry" : "entries"} match.
        </p>
      </div>
      <form method="get" action="" className={`${ui.card} grid gap-3 p-4 sm:grid-cols-3 lg:grid-cols-7 lg:items-end`} aria-label="Filter the audit trail">
        <label className="block">
          <span className={field}>User</span>
          <input name="user" defaultValue={filters.user} className={ui.input} />
        </label>
        <label className="block">
          <span className={field}>Action</span>
          <input name="action" defaultValue={filters.action} className={ui.input} placeholder="e.g. run" />
        </label>
        <label className="block">
          <span className={field}>Rollout</span>
          <input name="rollout" defaultValue={filters.rollout} className={ui.input} inputMode="numeric" placeholder="id" />
        </label>
        <label className="block">
          <span className={field}>Outcome</span>
          <select name="outcome" defaultValue={filters.outcome} className={ui.input}>
            <option value="">any</option>
            <option value="ok">ok</option>
            <option value="refused">refused</option>
          </select>
        </label>
        <label className="block">
          <span className={field}>From</span>
          <input name="from" type="date" defaultValue={filters.from} className={ui.input} />
        </label>
        <label className="block">
          <span className={field}>To (before)</span>
          <input name="to" type="date" defaultValue={filters.to} className={ui.input} />
        </label>
        <div className="flex gap-2">
          <button type="submit" className={ui.btnPrimary}>
            Filter
          </button>
          <Link href="/audit" className={ui.btnSecondary}>
            Clear
          </Link>
        </div>
      </form>
      {problem && (
        <p role="alert" className="rounded-lg bg-amber-50 p-3 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
          {problem}
        </p>
      )}
      <section className={`${ui.card} overflow-x-auto`} aria-label="Audit entries">
        {result.entries.length === 0 ? (
          <p className={`p-8 text-center text-sm ${ui.muted}`}>Nothing recorded matches.</p>
        ) : (
          <table className="w-full text-left text-sm">
            <thead className={`text-xs uppercase tracking-wide ${ui.muted}`}>
              <tr className="border-b border-slate-200 dark:border-slate-800">
                <th className="px-4 py-2 font-medium">When</th>
                <th className="px-4 py-2 font-medium">Who</th>
                <th className="px-4 py-2 font-medium">How</th>
                <th className="px-4 py-2 font-medium">What</th>
                <th className="px-4 py-2 font-medium">Rollout</th>
                <th className="px-4 py-2 font-medium">Details</th>
                <th className="px-4 py-2 font-medium">Address</th>
              </tr>
            </thead>
            <tbody>
              {result.entries.map((e) => (
                <tr key={e.id} className="border-b border-slate-100 align-top last:border-0 dark:border-slate-800/60" data-audit-id={e.id}>
                  <td className="whitespace-nowrap px-4 py-2 tabular-nums">
                    <Time at={e.at} />
                  </td>
                  <td className="px-4 py-2">
                    <span className="font-medium">{e.user ?? (e.via === "none" ? "anonymous" : <span className={ui.muted}>unknown</span>)}</span>
                    {e.role && <span className={`ml-1 text-xs ${ui.muted}`}>{e.role}</span>}
                  </td>
                  <td className={`px-4 py-2 text-xs ${ui.muted}`}>{e.via === "token" ? `token “${e.tokenName}”` : e.via}</td>
                  <td className="px-4 py-2">
                    <span className={`font-mono text-xs ${e.outcome === "refused" ? "text-rose-700 dark:text-rose-400" : ""}`}>{e.action}</span>
                    {e.outcome === "refused" && <span className="ml-1 rounded bg-rose-100 px-1.5 py-0.5 text-xs font-medium text-rose-800 dark:bg-rose-950 dark:text-rose-300">refused</span>}
                  </td>
                  <td className="px-4 py-2">
                    {e.rolloutId ? (
                      <Link href={`/rollouts/${e.rolloutId}`} className={ui.link}>
                        #{e.rolloutId}
                      </Link>
                    ) : e.kind ? (
                      <span className="font-mono text-xs">{e.kind}</span>
                    ) : (
                      <span className={ui.muted}>—</span>
                    )}
                  </td>
                  <td className="max-w-md break-words px-4 py-2 text-xs">{e.comment}</td>
                  <td className={`px-4 py-2 font-mono text-xs ${ui.muted}`}>{e.address}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {result.pages > 1 && (
        <nav aria-label="Pages" className="flex items-center justify-between gap-3 text-sm">
          {result.page > 1 ? (
            <Link href={href(result.page - 1)} rel="prev" className={ui.btnSecondary}>
              ← Newer
            </Link>
          ) : (
            <span />
          )}
          <span className={ui.muted} aria-current="page">
            Page {result.page} of {result.pages}
          </span>
          {result.page < result.pages ? (
            <Link href={href(result.page + 1)} rel="next" className={ui.btnSecondary}>
              Older →
            </Link>
          ) : (
            <span />
          )}
        </nav>
      )}
    </div>
  );
}

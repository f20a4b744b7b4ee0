"use client";
// The Tokens page's live part: make a token (its secret shown once), list, revoke.
import { SecretOnce } from "./secret-once";
import { useId, useState } from "react";
import { Ago, Time, getJson, sendJson, useApi } from "../app-context";
import type { TokenView } from "@/lib/auth/tokens";
import type { Role } from "@/lib/auth/roles";
import { ui } from "@/lib/web/ui";

const ranks: Role[] = ["viewer", "operator", "admin"];

export function TokensPanel({ initial, role, showOwner, me }: { initial: TokenView[]; role: Role | null; showOwner: boolean; me: string | null }) {
  const api = useApi();
  const ids = { name: useId(), role: useId(), days: useId() };
  const [tokens, setTokens] = useState(initial);
  const [name, setName] = useState("");
  const [tokenRole, setTokenRole] = useState<Role>(role === "admin" ? "operator" : (role ?? "viewer"));
  const [days, setDays] = useState("30");
  const [made, setMade] = useState<{ name: string; token: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const offered = ranks.slice(0, role ? ranks.indexOf(role) + 1 : 1);

  async function reload() {
    const r = await getJson<{ tokens: TokenView[] }>(api(`/api/tokens${showOwner ? "?all=1" : ""}`));
    setTokens(r.tokens);
  }
  async function create(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setMade(null);
    const res = await sendJson<{ token: string; name: string }>(api("/api/tokens"), "POST", { name, role: tokenRole, expiresInDays: Number(days) });
    setBusy(false);
    if (!res.ok) return setError(res.body.error ?? "Could not make the token");
    setMade({ name: res.body.name, token: res.body.token });
    setName("");
    await reload();
  }
  async function revoke(t: TokenView) {
    setError(null);
    const res = await sendJson(api(`/api/tokens/${t.id}`), "DELETE");
    if (!res.ok) setError(res.body.error ?? "Could not revoke it");
    await reload();
  }

  return (
    <div className="space-y-5">
      <form onSubmit={create} className={`${ui.card} space-y-4 p-4 sm:p-5`} aria-label="New token">
        <h2 className={ui.h2}>New token</h2>
        <div className="grid gap-4 sm:grid-cols-[minmax(0,2fr)_minmax(0,1fr)_minmax(0,1fr)]">
          <div>
            <label htmlFor={ids.name} className="mb-1 block text-sm font-medium">
              Name
            </label>
            <input id={ids.name} className={ui.input} value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. deploy pipeline" required maxLength={100} />
          </div>
          <div>
            <label htmlFor={ids.role} className="mb-1 block text-sm font-medium">
              Role
            </label>
            <select id={ids.role} className={ui.input} value={tokenRole} onChange={(e) => setTokenRole(e.target.value as Role)}>
              {offered.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor={ids.days} className="mb-1 block text-sm font-medium">
              Expires in (days)
            </label>
            <input id={ids.days} className={ui.input} type="number" min={1} max={365} value={days} onChange={(e) => setDays(e.target.value)} required />
          </div>
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <button type="submit" className={ui.btnPrimary} disabled={busy}>
            {busy ? "Making…" : "Make token"}
          </button>
          <span className={`text-xs ${ui.muted}`}>No higher than your own role ({role}); 30 days unless you say otherwise, at most 365.</span>
        </div>
        {made && (
          <SecretOnce key={made.token} secret={made.token} testId="new-token">
            <strong>Token “{made.name}” made.</strong> Copy it now: it is shown only this once.
          </SecretOnce>
        )}
        {error && (
          <p role="alert" className={ui.alert}>
            {error}
          </p>
        )}
      </form>

      <section aria-labelledby="tokens-heading" className={`${ui.card} overflow-hidden`}>
        <h2 id="tokens-heading" className={`${ui.h2} ${ui.cardHeading}`}>
          {showOwner ? "All tokens" : "Your tokens"}
        </h2>
        {tokens.length === 0 ? (
          <p className={`p-6 text-center text-sm ${ui.muted}`}>No tokens yet.</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <thead className={`text-xs uppercase tracking-wide ${ui.muted}`}>
                <tr className="border-b border-slate-200 dark:border-slate-800">
                  <th className="px-4 py-2 font-medium">Name</th>
                  {showOwner && <th className="px-4 py-2 font-medium">Owner</th>}
                  <th className="px-4 py-2 font-medium">Role</th>
                  <th className="px-4 py-2 font-medium">Created</th>
                  <th className="px-4 py-2 font-medium">Expires</th>
                  <th className="px-4 py-2 font-medium">Last used</th>
                  <th className="px-4 py-2 font-medium">
                    <span className="sr-only">Status</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {tokens.map((t) => (
                  <tr key={t.id} className="border-b border-slate-100 last:border-0 dark:border-slate-800/60" data-token-id={t.id}>
                    <td className="px-4 py-2 font-medium">{t.name}</td>
                    {showOwner && <td className="px-4 py-2">{t.user === me ? <span>{t.user} <span className={ui.muted}>(you)</span></span> : t.user}</td>}
                    <td className="px-4 py-2">{t.role}</td>
                    <td className="px-4 py-2 tabular-nums">
                      <Time at={t.createdAt} />
                    </td>
                    <td className="px-4 py-2 tabular-nums">
                      <Time at={t.expiresAt} />
                    </td>
                    <td className="px-4 py-2">{t.lastUsedAt ? <Ago at={t.lastUsedAt} /> : <span className={ui.muted}>never</span>}</td>
                    <td className="px-4 py-2 text-right">
                      {t.status === "active" ? (
                        <button type="button" className={ui.btnSmall} onClick={() => void revoke(t)} aria-label={`Revoke token ${t.name}`}>
                          Revoke
                        </button>
                      ) : (
                        <span className={`text-xs ${t.status === "revoked" ? "text-rose-700 dark:text-rose-400" : ui.muted}`}>
                          {t.status}
                          {t.revokedBy ? ` by ${t.revokedBy}` : ""}
                        </span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

"use client";
// The Webhooks page's live part: subscribe (the secret shown once), list, enable or
// disable, delete, and each subscription's latest events with every attempt.
import { SecretOnce } from "./secret-once";
import { useId, useState } from "react";
import useSWR from "swr";
import { Time, getJson, sendJson, useApi, useBasePath } from "../app-context";
import type { WebhookView } from "@/lib/kettle/outbound/webhooks";
import { ui } from "@/lib/web/ui";

type Delivery = {
  id: number;
  event: string;
  rolloutId: number;
  taskId: number | null;
  createdAt: number;
  status: "delivered" | "retrying" | "pending" | "gave_up";
  nextAttemptAt: number | null;
  attempts: { at: number; durationMs: number; status: number | null; error: string | null }[];
};

const statusClass: Record<Delivery["status"], string> = {
  delivered: "text-emerald-700 dark:text-emerald-400",
  retrying: "text-amber-700 dark:text-amber-400",
  pending: "text-slate-500",
  gave_up: "text-rose-700 dark:text-rose-400",
};

function Deliveries({ id }: { id: number }) {
  const api = useApi();
  const base = useBasePath();
  const { data, error } = useSWR(api(`/api/webhooks/${id}`), (u: string) => getJson<{ deliveries: Delivery[] }>(u), { refreshInterval: 3000 });
  if (error) return <p className="p-3 text-sm text-rose-700">{String(error.message)}</p>;
  if (!data) return <p className={`p-3 text-sm ${ui.muted}`}>Loading…</p>;
  if (!data.deliveries.length) return <p className={`p-3 text-sm ${ui.muted}`}>No events yet.</p>;
  return (
    <table className="w-full text-left text-xs" data-testid={`deliveries-${id}`}>
      <thead className={`uppercase tracking-wide ${ui.muted}`}>
        <tr>
          <th className="px-3 py-1 font-medium">Event</th>
          <th className="px-3 py-1 font-medium">Rollout</th>
          <th className="px-3 py-1 font-medium">When</th>
          <th className="px-3 py-1 font-medium">Status</th>
          <th className="px-3 py-1 font-medium">Attempts (response codes)</th>
        </tr>
      </thead>
      <tbody>
        {data.deliveries.map((d) => (
          <tr key={d.id} className="border-t border-slate-100 dark:border-slate-800/60" data-delivery-id={d.id}>
            <td className="px-3 py-1 font-mono">{d.event}</td>
            <td className="px-3 py-1">
              <a className={ui.link} href={`${base}/rollouts/${d.rolloutId}`}>
                {d.rolloutId}
              </a>
              {d.taskId !== null ? ` task ${d.taskId}` : ""}
            </td>
            <td className="px-3 py-1 tabular-nums">
              <Time at={d.createdAt} />
            </td>
            <td className={`px-3 py-1 font-medium ${statusClass[d.status]}`}>
              {d.status.replace("_", " ")}
              {d.nextAttemptAt && d.status === "retrying" ? (
                <span className={`font-normal ${ui.muted}`}>
                  {" "}
                  (next <Time at={d.nextAttemptAt} timeOnly />)
                </span>
              ) : null}
            </td>
            <td className="px-3 py-1">
              {d.attempts.map((a, i) => (
                <span key={i} title={`${new Date(a.at).toISOString()} · ${a.durationMs} ms${a.error ? ` · ${a.error}` : ""}`} className="mr-2 font-mono">
                  {a.status ?? a.error ?? "no answer"}
                </span>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function WebhooksPanel({ initial, events }: { initial: WebhookView[]; events: string[] }) {
  const api = useApi();
  const ids = { url: useId(), format: useId(), description: useId() };
  const [hooks, setHooks] = useState(initial);
  const [url, setUrl] = useState("");
  const [chosen, setChosen] = useState<string[]>(events);
  const [format, setFormat] = useState<"standard" | "slack">("standard");
  const [description, setDescription] = useState("");
  const [made, setMade] = useState<{ id: number; secret: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string[]>>({});
  const [open, setOpen] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);

  async function reload() {
    setHooks((await getJson<{ webhooks: WebhookView[] }>(api("/api/webhooks"))).webhooks);
  }
  async function create(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setFields({});
    setMade(null);
    const res = await sendJson<{ id: number; secret: string }>(api("/api/webhooks"), "POST", { url, events: chosen, format, ...(description ? { description } : {}) });
    setBusy(false);
    if (!res.ok) {
      setFields(res.body.fields ?? {});
      return setError(res.body.error ?? "Could not add the webhook");
    }
    setMade({ id: res.body.id, secret: res.body.secret });
    setUrl("");
    setDescription("");
    await reload();
  }
  async function act(h: WebhookView, method: "PUT" | "DELETE") {
    setError(null);
    const res = await sendJson(api(`/api/webhooks/${h.id}`), method, method === "PUT" ? { enabled: !h.enabled } : undefined);
    if (!res.ok) setError(res.body.error ?? "Could not change it");
    await reload();
  }
  const toggle = (ev: string) => setChosen((c) => (c.includes(ev) ? c.filter((x) => x !== ev) : [...c, ev]));

  return (
    <div className="space-y-5">
      <form onSubmit={create} className={`${ui.card} space-y-4 p-4 sm:p-5`} aria-label="New webhook">
        <h2 className={ui.h2}>New webhook</h2>
        <div className="grid gap-4 sm:grid-cols-[minmax(0,3fr)_minmax(0,1fr)]">
          <div>
            <label htmlFor={ids.url} className="mb-1 block text-sm font-medium">
              URL
            </label>
            <input id={ids.url} className={ui.input} type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://hooks.example.com/kettle" required aria-invalid={!!fields.url} />
            {fields.url && <p className="mt-1 text-xs text-rose-700">{fields.url.join("; ")}</p>}
          </div>
          <div>
            <label htmlFor={ids.format} className="mb-1 block text-sm font-medium">
              Format
            </label>
            <select id={ids.format} className={ui.input} value={format} onChange={(e) => setFormat(e.target.value as "standard" | "slack")}>
              <option value="standard">Standard Webhooks (JSON)</option>
              <option value="slack">Slack incoming webhook</option>
            </select>
          </div>
        </div>
        <fieldset>
          <legend className="mb-1 text-sm font-medium">Events</legend>
          <div className="flex flex-wrap gap-x-4 gap-y-1">
            {events.map((ev) => (
              <label key={ev} className="flex items-center gap-1.5 text-sm">
                <input type="checkbox" checked={chosen.includes(ev)} onChange={() => toggle(ev)} />
                <span className="font-mono text-xs">{ev}</span>
              </label>
            ))}
          </div>
          {fields.events && <p className="mt-1 text-xs text-rose-700">{fields.events.join("; ")}</p>}
        </fieldset>
        <div>
          <label htmlFor={ids.description} className="mb-1 block text-sm font-medium">
            Description <span className={ui.muted}>(optional)</span>
          </label>
          <input id={ids.description} className={ui.input} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={200} placeholder="e.g. #deploys channel" />
        </div>
        <button type="submit" className={ui.btnPrimary} disabled={busy || chosen.length === 0}>
          {busy ? "Adding…" : "Add webhook"}
        </button>
        {made && (
          <SecretOnce key={made.secret} secret={made.secret} testId="new-webhook">
            <strong>Webhook {made.id} added.</strong> Its signing secret is shown only this once: give it to the receiver to check signatures.
          </SecretOnce>
        )}
        {error && (
          <p role="alert" className={ui.alert}>
            {error}
          </p>
        )}
      </form>

      <section aria-labelledby="webhooks-heading" className={`${ui.card} overflow-hidden`}>
        <h2 id="webhooks-heading" className={`${ui.h2} ${ui.cardHeading}`}>
          Subscriptions
        </h2>
        {hooks.length === 0 ? (
          <p className={`p-6 text-center text-sm ${ui.muted}`}>No webhooks yet.</p>
        ) : (
          <ul>
            {hooks.map((h) => (
              <li key={h.id} className="border-b border-slate-100 last:border-0 dark:border-slate-800/60" data-webhook-id={h.id}>
                <div className="flex flex-wrap items-center gap-3 px-4 py-3 text-sm">
                  <span className="font-mono text-xs break-all">{h.url}</span>
                  <span className={`text-xs ${ui.muted}`}>
                    {h.format === "slack" ? "Slack" : "Standard"} · {h.events.join(", ")}
                    {h.description ? ` · ${h.description}` : ""}
                  </span>
                  {!h.enabled && <span className="rounded-full bg-slate-200 px-2 py-0.5 text-xs dark:bg-slate-700">disabled</span>}
                  <span className="ml-auto flex gap-2">
                    <button type="button" className={ui.btnSmall} onClick={() => setOpen(open === h.id ? null : h.id)} aria-expanded={open === h.id}>
                      Deliveries
                    </button>
                    <button type="button" className={ui.btnSmall} onClick={() => void act(h, "PUT")}>
                      {h.enabled ? "Disable" : "Enable"}
                    </button>
                    <button type="button" className={ui.btnSmall} onClick={() => void act(h, "DELETE")} aria-label={`Delete webhook ${h.id}`}>
                      Delete
                    </button>
                  </span>
                </div>
                {open === h.id && (
                  <div className="overflow-x-auto border-t border-slate-100 bg-slate-50/60 dark:border-slate-800 dark:bg-slate-950/40">
                    <Deliveries id={h.id} />
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

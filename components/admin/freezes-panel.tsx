"use client";
// The freeze windows (issue 21): the list for everyone; for admins, a form to
// define a window (one-off, or recurring by cron or RRULE with a duration, in a
// time zone) and Delete. The server checks every field and says what is wrong.
import { useState } from "react";
import { useRouter } from "next/navigation";
import type { FreezeView } from "@/lib/kettle/operations";
import { sendJson, Time, useApi } from "../app-context";
import { ui } from "@/lib/web/ui";

export function FreezesPanel({ freezes, kinds, canEdit }: { freezes: FreezeView[]; kinds: string[]; canEdit: boolean }) {
  const api = useApi();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [form, setForm] = useState({ name: "", reason: "", mode: "deny", kinds: "", start: "", end: "", cron: "", rrule: "", duration: "", timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC" });
  const field = (k: keyof typeof form, label: string, hint = "") => (
    <label className="text-sm">
      <span className="block text-xs font-medium">
        {label} {hint && <span className={ui.muted}>{hint}</span>}
      </span>
      <input className={ui.input} value={form[k]} onChange={(e) => setForm({ ...form, [k]: e.target.value })} data-testid={`freeze-${k}`} />
    </label>
  );
  const send = async (method: "POST" | "DELETE", path: string, body?: unknown) => {
    setBusy(true);
    setError(null);
    const res = await sendJson(api(path), method, body);
    setBusy(false);
    if (!res.ok) setError(res.body.error ?? "That did not work");
    else router.refresh();
  };
  const submit = () => {
    const body: Record<string, unknown> = { name: form.name, mode: form.mode, timeZone: form.timeZone };
    for (const k of ["reason", "start", "end", "cron", "rrule", "duration"] as const) if (form[k].trim()) body[k] = form[k].trim();
    if (form.kinds.trim()) body.kinds = form.kinds.split(",").map((k) => k.trim()).filter(Boolean);
    void send("POST", "/api/freezes", body);
  };
  return (
    <div className="space-y-5">
      <section className={`${ui.card} p-4 sm:p-5`} aria-label="Freeze windows">
        {freezes.length === 0 ? (
          <p className={`text-sm ${ui.muted}`}>No freeze windows.</p>
        ) : (
          <ul className="divide-y divide-slate-200 text-sm dark:divide-slate-800" data-testid="freeze-list">
            {freezes.map((f) => (
              <li key={f.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                <span>
                  <strong>{f.name}</strong> <span className={ui.muted}>({f.mode})</span>
                  {f.reason ? ` · ${f.reason}` : ""} · {f.kinds ? f.kinds.join(", ") : "every kind"} · {f.rrule ? `RRULE ${f.rrule}` : f.cron ? `cron ${f.cron}` : "one-off"} ({f.timeZone}) ·{" "}
                  {f.activeNow ? (
                    <>
                      <strong>on</strong> until <Time at={f.activeNow.end} />
                    </>
                  ) : f.nextStart ? (
                    <>
                      next <Time at={f.nextStart.start} /> – <Time at={f.nextStart.end} />
                    </>
                  ) : (
                    "not again"
                  )}
                </span>
                {canEdit && (
                  <button type="button" className={ui.btnSecondary} disabled={busy} onClick={() => send("DELETE", `/api/freezes/${f.id}`)}>
                    Delete
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
      {canEdit && (
        <form
          className={`${ui.card} grid gap-3 p-4 sm:grid-cols-2 sm:p-5`}
          aria-label="Define a freeze window"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          {field("name", "Name")}
          {field("reason", "Reason")}
          <label className="text-sm">
            <span className="block text-xs font-medium">Mode</span>
            <select className={ui.input} value={form.mode} onChange={(e) => setForm({ ...form, mode: e.target.value })}>
              <option value="deny">deny: no runs in the window</option>
              <option value="allow">allow: runs only in such windows</option>
            </select>
          </label>
          {field("kinds", "Kinds", `(comma-separated; empty: every kind; offered: ${kinds.join(", ")})`)}
          {field("start", "Start", "(ISO 8601; an RRULE's first occurrence)")}
          {field("end", "End", "(one-off)")}
          {field("cron", "Cron", "(e.g. 0 18 * * 5)")}
          {field("rrule", "RRULE", "(e.g. FREQ=WEEKLY;BYDAY=FR)")}
          {field("duration", "Duration", "(recurring; ISO 8601, e.g. PT64H)")}
          {field("timeZone", "Time zone", "(IANA)")}
          <div className="sm:col-span-2">
            <button type="submit" className={ui.btnPrimary} disabled={busy || !form.name}>
              Define the window
            </button>
          </div>
          {error && (
            <p role="alert" className={`${ui.alert} sm:col-span-2`} data-testid="freeze-error">
              {error}
            </p>
          )}
        </form>
      )}
    </div>
  );
}

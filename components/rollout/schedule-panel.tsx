"use client";
// When this rollout runs (issue 21): schedule its run at a time or cancel the
// schedule (while not started), and for a queued one, cancel it or move it to
// the front of its kind's queue. The server says who may: a refusal is shown.
import { useState } from "react";
import type { LiveView } from "@/lib/kettle/operations";
import { sendJson, useApi } from "../app-context";
import { ui } from "@/lib/web/ui";

/** A datetime-local value (the browser's zone) as ISO 8601 with its offset. */
function withOffset(local: string): string {
  const d = new Date(local);
  if (Number.isNaN(d.getTime())) return local;
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? "+" : "-";
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, "0");
  return `${local.length === 16 ? `${local}:00` : local}${sign}${pad(off / 60)}:${pad(off % 60)}`;
}

export function SchedulePanel({ view, refresh }: { view: LiveView; refresh(): void }) {
  const api = useApi();
  const [when, setWhen] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (view.status !== "not_started" && view.status !== "queued") return null;
  const send = async (method: "POST" | "DELETE", path: string, body?: unknown) => {
    setBusy(true);
    setError(null);
    const res = await sendJson(api(path), method, body);
    setBusy(false);
    if (!res.ok) setError(res.body.error ?? "That did not work");
    refresh();
  };
  return (
    <section aria-labelledby="schedule-heading" className={`${ui.card} space-y-3 p-4 sm:p-5`} data-testid="schedule-panel">
      <h2 id="schedule-heading" className="text-base font-semibold">
        {view.status === "queued" ? "In the queue" : "Schedule"}
      </h2>
      {view.status === "queued" ? (
        <div className="flex flex-wrap gap-2">
          <button type="button" className={ui.btnSecondary} disabled={busy} onClick={() => send("POST", `/api/rollouts/${view.id}/queue/front`)}>
            Move to front
          </button>
          <button type="button" className={ui.btnSecondary} disabled={busy} onClick={() => send("POST", `/api/rollouts/${view.id}/queue/cancel`)}>
            Leave the queue
          </button>
        </div>
      ) : view.schedule ? (
        <button type="button" className={ui.btnSecondary} disabled={busy} onClick={() => send("DELETE", `/api/rollouts/${view.id}/schedule`)}>
          Cancel the scheduled run
        </button>
      ) : (
        <form
          className="flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            void send("POST", `/api/rollouts/${view.id}/schedule`, { at: withOffset(when) });
          }}
        >
          <label className="text-sm">
            <span className="block text-xs font-medium">Run it at (your time)</span>
            <input type="datetime-local" required value={when} onChange={(e) => setWhen(e.target.value)} className={ui.input} data-testid="schedule-at" />
          </label>
          <button type="submit" className={ui.btnSecondary} disabled={busy || !when}>
            Schedule
          </button>
        </form>
      )}
      {error && (
        <p role="alert" className={ui.alert} data-testid="schedule-error">
          {error}
        </p>
      )}
    </section>
  );
}

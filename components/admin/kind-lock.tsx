"use client";
// The deploy lock of a rollout kind, on the New page: who locked it, when and
// why (Run is refused meanwhile); operators lock and unlock it here.
import { useRouter } from "next/navigation";
import { useId, useState, useTransition } from "react";
import { Time, refusalText, sendJson, useApi, useRefusal } from "../app-context";
import type { KindLock } from "@/lib/kettle/operations";
import { ui } from "@/lib/web/ui";

export function KindLockPanel({ kind, lock }: { kind: string; lock: KindLock | null }) {
  const api = useApi();
  const router = useRouter();
  const reasonId = useId();
  const refusal = useRefusal();
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState(false);
  const [, startTransition] = useTransition();
  const path = api(`/api/kinds/${encodeURIComponent(kind)}/lock`);

  async function change(method: "POST" | "DELETE") {
    setBusy(true);
    setError(null);
    const res = await sendJson(path, method, method === "POST" ? { reason } : undefined);
    setBusy(false);
    if (!res.ok) return setError(res.body.error ?? "That did not work");
    setReason("");
    startTransition(() => router.refresh());
  }

  if (lock) {
    const refused = refusal("unlock");
    return (
      <div role="status" className="flex flex-wrap items-start gap-3 rounded-lg border border-amber-400 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950/60 dark:text-amber-100" data-testid="kind-locked">
        <svg aria-hidden="true" viewBox="0 0 20 20" className="mt-0.5 h-5 w-5 shrink-0 text-amber-600 dark:text-amber-400" fill="currentColor">
          <path fillRule="evenodd" d="M10 1a4.5 4.5 0 0 0-4.5 4.5V9H5a2 2 0 0 0-2 2v6a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2v-6a2 2 0 0 0-2-2h-.5V5.5A4.5 4.5 0 0 0 10 1Zm3 8V5.5a3 3 0 1 0-6 0V9h6Z" clipRule="evenodd" />
        </svg>
        <div className="min-w-0 flex-1 space-y-1">
          <p>
            <strong>Deploys of this kind are locked</strong> by {lock.lockedBy ?? "anonymous"} since <Time at={lock.lockedAt} />: you can finalise a rollout, but Run is refused until it is unlocked.
          </p>
          <p className="break-words">Reason: {lock.reason}</p>
          {error && <p role="alert" className="text-rose-700 dark:text-rose-300">{error}</p>}
        </div>
        <button type="button" className={ui.btnSecondary} disabled={busy || !!refused} title={refused ? refusalText(refused) : undefined} onClick={() => void change("DELETE")}>
          Unlock
        </button>
      </div>
    );
  }
  const refused = refusal("lock");
  return (
    <details className={`${ui.card} px-4 py-2 text-sm`} open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary className={`cursor-pointer ${ui.muted}`}>Deploy lock: not locked</summary>
      {open && (
      <form
        className="mt-3 flex flex-wrap items-end gap-3 pb-2"
        onSubmit={(e) => {
          e.preventDefault();
          void change("POST");
        }}
      >
        <label htmlFor={reasonId} className="min-w-0 flex-1">
          <span className="mb-1 block font-medium">Why lock it?</span>
          <input id={reasonId} className={ui.input} value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={500} placeholder="e.g. code freeze until Monday" />
        </label>
        <button type="submit" className={ui.btnWarn} disabled={busy || !!refused}>
          Lock
        </button>
        {refused && <p className="w-full text-amber-800 dark:text-amber-300">{refusalText(refused)}</p>}
        {error && <p role="alert" className="w-full text-rose-700 dark:text-rose-300">{error}</p>}
      </form>
      )}
    </details>
  );
}

"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { refusalText, sendJson, useApi, useRefusal } from "../app-context";
import { ui } from "@/lib/web/ui";

/** Hide (or show again) a rollout in the lists. */
export function HideButton({ id, hidden }: { id: number; hidden: boolean }) {
  const api = useApi();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [, startTransition] = useTransition();
  const refused = useRefusal()("hide");
  async function toggle() {
    setBusy(true);
    setError(null);
    const res = await sendJson(api(`/api/rollouts/${id}/hide`), "POST", { hidden: !hidden });
    setBusy(false);
    if (!res.ok) return setError(res.body.error ?? "Could not change it");
    startTransition(() => router.refresh());
  }
  return (
    <span className="flex items-center gap-2">
      <button type="button" onClick={toggle} disabled={busy || !!refused} title={refused ? refusalText(refused) : undefined} className={ui.btnSmall} aria-label={`${hidden ? "Unhide" : "Hide"} rollout ${id}`}>
        {hidden ? "Unhide" : "Hide"}
      </button>
      {error && (
        <span role="alert" className="text-xs text-rose-600 dark:text-rose-400">
          {error}
        </span>
      )}
    </span>
  );
}

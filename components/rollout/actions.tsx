"use client";
// The rollout's actions: Run (with why it is refused, when it is) and the signals
// available now, each dangerous one with what a rollback would revert.
import Link from "next/link";
import { useId, useRef } from "react";
import type { LiveView } from "@/lib/kettle/operations";
import { refusalText, useRefusal } from "../app-context";
import { ui } from "@/lib/web/ui";
import { RollbackPreviewList, previewHeadline } from "./rollback-preview";

type Signal = LiveView["signals"]["available"][number];

export function Actions({ view, busy, onRun, onSignal }: { view: LiveView; busy: string | null; onRun(): void; onSignal(name: string): void }) {
  const reasonId = useId();
  const refusal = useRefusal();
  const runRefused = refusal("run");
  const editRefused = refusal("finalise");
  const runReason = runRefused ? refusalText(runRefused) : view.canRun.reason;
  const notStarted = view.status === "not_started";
  const hasAnything = notStarted || view.canEdit || view.signals.available.length > 0;
  return (
    <div className="space-y-4">
      {(notStarted || view.canEdit) && (
        <div className="flex flex-wrap items-center gap-3">
          {notStarted && (
            <button
              type="button"
              onClick={onRun}
              disabled={!view.canRun.ok || !!runRefused || busy !== null}
              aria-describedby={runReason ? reasonId : undefined}
              className={ui.btnPrimary}
            >
              <svg aria-hidden="true" viewBox="0 0 16 16" className="h-4 w-4" fill="currentColor">
                <path d="M4 2.5v11l9-5.5-9-5.5Z" />
              </svg>
              {busy === "run" ? "Starting…" : "Run"}
            </button>
          )}
          {view.canEdit &&
            (editRefused ? (
              <button type="button" disabled title={refusalText(editRefused)} className={ui.btnSecondary}>
                Edit
              </button>
            ) : (
              <Link href={`/rollouts/${view.id}/edit`} className={ui.btnSecondary}>
                Edit
              </Link>
            ))}
          {runReason && notStarted && (
            <p id={reasonId} className="text-sm text-amber-800 dark:text-amber-300" data-testid="run-reason">
              {runReason}
            </p>
          )}
        </div>
      )}
      {view.signals.available.length > 0 && (
        <div>
          <h2 className={`mb-2 text-xs font-medium uppercase tracking-wide ${ui.muted}`}>Signals</h2>
          <ul className="grid gap-3 sm:grid-cols-2">
            {view.signals.available.map((s) => (
              <li key={s.name}>
                <SignalButton signal={s} busy={busy} onSend={() => onSignal(s.name)} preview={view.rollbackPreview} />
              </li>
            ))}
          </ul>
        </div>
      )}
      {!hasAnything && <p className={`text-sm ${ui.muted}`}>No signal can be sent right now.</p>}
    </div>
  );
}

const signalLabels: Record<string, string> = {
  pause_rollout: "Pause",
  resume_rollout: "Resume",
  abort_rollout: "Abort rollout",
  term_rollout: "Terminate rollout",
  skip_rollback: "Skip rollback",
  abort_rollback: "Abort rollback",
  term_rollback: "Terminate rollback",
};

function SignalButton({ signal, busy, onSend, preview }: { signal: Signal; busy: string | null; onSend(): void; preview?: LiveView["rollbackPreview"] }) {
  // abort and term ask first, showing what the rollback would revert
  const confirm = signal.dangerous || signal.name === "abort_rollout";
  const showPreview = preview && (signal.name === "abort_rollout" || signal.name === "term_rollout");
  const helpId = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const label = signalLabels[signal.name] ?? signal.name;
  const refused = useRefusal()(signal.name);
  return (
    <div className="flex items-start gap-3">
      <button
        type="button"
        onClick={() => (confirm ? dialog.current?.showModal() : onSend())}
        disabled={busy !== null || !!refused}
        aria-describedby={helpId}
        data-signal={signal.name}
        className={`${signal.dangerous ? ui.btnDanger : signal.name.startsWith("abort") ? ui.btnWarn : signal.name === "resume_rollout" ? ui.btnPrimary : ui.btnSecondary} shrink-0`}
      >
        {busy === signal.name ? "Sending…" : label}
      </button>
      <p id={helpId} className={`text-xs ${ui.muted}`}>
        {signal.description}
        {refused && (
          <span className="mt-1 block font-medium text-amber-800 dark:text-amber-300" data-testid="signal-refused">
            {refusalText(refused)}
          </span>
        )}
      </p>
      {confirm && (
        <dialog
          ref={dialog}
          aria-labelledby={`${helpId}-title`}
          className="m-auto w-[min(32rem,calc(100vw-2rem))] rounded-xl bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-950/60 dark:bg-slate-900 dark:text-slate-100"
        >
          <form
            method="dialog"
            className="space-y-4 p-5"
            onSubmit={(e) => {
              const submitter = (e.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
              if (submitter?.value === "confirm") onSend();
            }}
          >
            <h2 id={`${helpId}-title`} className="text-lg font-semibold">
              {label}?
            </h2>
            <p className="text-sm">{signal.description}</p>
            {showPreview && (
              <div className="space-y-2 rounded-lg bg-slate-50 p-3 dark:bg-slate-800/60" data-testid="confirm-preview">
                <p className="text-sm font-medium">{previewHeadline(preview, false).replace(/^Aborting now/, signal.dangerous ? "Terminating now" : "Aborting now")}</p>
                <RollbackPreviewList preview={preview} />
              </div>
            )}
            {signal.dangerous ? (
              <p className="text-sm font-medium text-rose-700 dark:text-rose-400">Running commands are killed at once. This cannot be undone.</p>
            ) : (
              <p className="text-sm">No new task starts; running commands finish first.</p>
            )}
            <div className="flex justify-end gap-2">
              <button value="cancel" className={ui.btnSecondary} autoFocus>
                Cancel
              </button>
              <button value="confirm" className={ui.btnDanger}>
                {label}
              </button>
            </div>
          </form>
        </dialog>
      )}
    </div>
  );
}

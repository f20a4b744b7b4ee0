"use client";
// Whether the rollout page follows the rollout live (streaming or polling), with
// the buttons to stop, resume or refresh.
import { ui } from "@/lib/web/ui";
import type { StreamMode } from "./use-rollout-stream";

export function LiveBar(props: {
  status: string;
  live: boolean;
  following: boolean;
  refreshMs: number;
  mode: StreamMode;
  fetching: boolean;
  error: string | null;
  onStop(): void;
  onResume(): void;
  onRefresh(): void;
}) {
  if (!props.live) {
    return (
      <p className={`text-xs ${ui.muted}`} data-testid="not-live">
        {props.status === "not_started" ? "Not running yet: the page goes live when the rollout runs." : "Done: this page no longer refreshes."}
      </p>
    );
  }
  return (
    <div className="flex flex-wrap items-center gap-3 text-sm">
      {props.following ? (
        <>
          <span className="inline-flex items-center gap-2 rounded-full bg-emerald-50 px-2.5 py-1 font-medium text-emerald-800 ring-1 ring-inset ring-emerald-300 dark:bg-emerald-950 dark:text-emerald-300 dark:ring-emerald-800" data-testid="live-indicator">
            <span aria-hidden="true" className="relative flex h-2 w-2">
              <span className="absolute inline-flex h-full w-full animate-ping rounded-full bg-emerald-400 opacity-75" />
              <span className="relative inline-flex h-2 w-2 rounded-full bg-emerald-500" />
            </span>
            Live
            <span className="font-normal text-emerald-700 dark:text-emerald-400" data-testid="live-mode">
              {props.mode === "stream"
                ? "· streaming changes"
                : props.mode === "connecting"
                  ? "· connecting…"
                  : `· polling every ${props.refreshMs >= 1000 ? `${props.refreshMs / 1000} s` : `${props.refreshMs} ms`}`}
            </span>
          </span>
          <button type="button" onClick={props.onStop} className={ui.btnSmall}>
            Stop auto-refresh
          </button>
        </>
      ) : (
        <>
          <span className="inline-flex items-center gap-2 rounded-full bg-slate-100 px-2.5 py-1 font-medium text-slate-700 ring-1 ring-inset ring-slate-300 dark:bg-slate-800 dark:text-slate-300 dark:ring-slate-600" data-testid="paused-indicator">
            Auto-refresh stopped
          </span>
          <button type="button" onClick={props.onResume} className={ui.btnSmall}>
            Resume auto-refresh
          </button>
          <button type="button" onClick={props.onRefresh} className={ui.btnSmall}>
            Refresh now
          </button>
        </>
      )}
      {props.error && props.mode === "polling" && (
        <span role="status" className="text-xs text-rose-700 dark:text-rose-400">
          Last refresh failed: {props.error}
        </span>
      )}
    </div>
  );
}

"use client";
// A log, followed live: fetches the lines after the last one seen, every
// `everyMs` while `live`, and once more when it stops being live. With
// `streamed` (lines pushed by the page's event stream) it fetches once and
// then appends what is pushed, instead of polling.
import { useEffect, useRef, useState } from "react";
import { getJson, useApi } from "../app-context";
import { formatTime } from "@/lib/web/format";
import { ui } from "@/lib/web/ui";
import { mergeLines, noLines, type LogLine as Line } from "@/lib/web/log-lines";

const KEEP = 5000;

export function LogView({ path, live, everyMs, label, streamed = null }: { path: string; live: boolean; everyMs: number; label: string; streamed?: Line[] | null }) {
  const api = useApi();
  const [shown, setShown] = useState(noLines);
  const { lines, dropped } = shown;
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const lastId = useRef(0);
  const box = useRef<HTMLPreElement>(null);
  const stick = useRef(true);
  const pushed = streamed !== null;

  /**
   * Lines from the fetch or the stream, each shown once by id whatever the order
   * they arrive in (a fetch under way may return lines the stream pushed meanwhile).
   */
  const append = (fresh: Line[]) => {
    if (!fresh.length) return;
    lastId.current = Math.max(lastId.current, fresh[fresh.length - 1].id);
    setShown((old) => mergeLines(old, fresh, KEEP));
  };

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const { lines: fresh } = await getJson<{ lines: Line[] }>(api(`${path}?format=json&after=${lastId.current}`));
        if (stopped) return;
        setError(null);
        append(fresh);
        setLoaded(true);
        // A page of 5000 came back: there is more, fetch it now.
        if (fresh.length >= 5000) return void (timer = setTimeout(poll, 0));
      } catch (e) {
        if (!stopped) setError(e instanceof Error ? e.message : String(e));
      }
      if (!stopped && live && !pushed) timer = setTimeout(poll, everyMs);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
    // `api` is stable for a given base path.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [path, live, everyMs, pushed]);

  // Lines pushed by the stream: merged with what was fetched.
  useEffect(() => {
    if (streamed?.length) append(streamed);
  }, [streamed]);

  useEffect(() => {
    const el = box.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [lines]);

  return (
    <div className="space-y-1.5">
      <div className="flex flex-wrap items-center justify-between gap-2 text-xs">
        <span className={ui.muted} aria-live="polite">
          {loaded ? `${lines.length + dropped} line${lines.length + dropped === 1 ? "" : "s"}` : "Loading…"}
          {live && loaded ? " · following" : ""}
        </span>
        <a href={api(path)} target="_blank" rel="noreferrer" className={ui.link}>
          Open as text<span className="sr-only"> ({label})</span>
        </a>
      </div>
      {error && (
        <p role="alert" className="text-xs text-rose-700 dark:text-rose-400">
          Could not load the log: {error}
        </p>
      )}
      <pre
        ref={box}
        role="log"
        aria-label={label}
        tabIndex={0}
        data-testid={`log-${label}`}
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
        className="max-h-80 min-h-16 overflow-auto rounded-lg bg-slate-950 p-3 font-mono text-xs leading-5 text-slate-200 ring-1 ring-slate-800"
      >
        {dropped > 0 && <span className="text-slate-400">… {dropped} earlier lines not shown; open as text for all of it{"\n"}</span>}
        {loaded && !lines.length && <span className="text-slate-400">(empty)</span>}
        {lines.map((l) => (
          <span key={l.id} data-line-id={l.id} className="block whitespace-pre-wrap break-words">
            <span className="select-none text-slate-400">{formatTime(l.at).slice(11)} </span>
            {l.line}
          </span>
        ))}
      </pre>
    </div>
  );
}

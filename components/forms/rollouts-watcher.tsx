"use client";
// Development: refreshes the page (server components re-render, what was typed
// stays) when a file in rollouts/ changes, so an author sees a changed form at once.
import { useEffect } from "react";
import { useRouter } from "next/navigation";
import { useApi } from "../app-context";

export function RolloutsWatcher() {
  const router = useRouter();
  const api = useApi();
  const url = api("/api/dev/rollouts");
  useEffect(() => {
    const events = new EventSource(url);
    let timer: ReturnType<typeof setTimeout> | undefined;
    events.onmessage = () => {
      // An editor's save is often several writes: refresh once they have settled.
      clearTimeout(timer);
      timer = setTimeout(() => router.refresh(), 150);
    };
    return () => {
      clearTimeout(timer);
      events.close();
    };
  }, [url, router]);
  return null;
}

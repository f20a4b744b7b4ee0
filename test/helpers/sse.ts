// A small Server-Sent Events client for tests: reads a stream's events as they come.
export type SseEvent = { id?: string; event: string; data: any };

export type SseReader = {
  status: number;
  /** Resolves with the next event (or null at the end of the stream). */
  next(timeoutMs?: number): Promise<SseEvent | null>;
  /** Reads events until `pred` holds for one (returned) or the stream ends (throws). */
  until(pred: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
};

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
  const ctrl = new AbortController();
  const res = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: ctrl.signal });
  const queue: (SseEvent | null)[] = [];
  const waiters: ((e: SseEvent | null) => void)[] = [];
  const push = (e: SseEvent | null) => {
    const w = waiters.shift();
    if (w) w(e);
    else queue.push(e);
  };
  if (res.body && res.status === 200) {
    void (async () => {
      const decoder = new TextDecoder();
      let buf = "";
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buf += decoder.decode(chunk, { stream: true });
          let at: number;
          while ((at = buf.indexOf("\n\n")) >= 0) {
            const block = buf.slice(0, at);
            buf = buf.slice(at + 2);
            const e: Partial<SseEvent> & { data?: string } = {};
            for (const line of block.split("\n")) {
              if (line.startsWith(":")) continue;
              const i = line.indexOf(":");
              const [k, v] = i < 0 ? [line, ""] : [line.slice(0, i), line.slice(i + 1).replace(/^ /, "")];
              if (k === "id") e.id = v;
              else if (k === "event") e.event = v;
              else if (k === "data") e.data = (e.data === undefined ? "" : e.data + "\n") + v;
            }
            if (e.data !== undefined) push({ id: e.id, event: e.event ?? "message", data: JSON.parse(e.data) });
          }
        }
      } catch {
        // aborted
      }
      push(null);
    })();
  } else {
    push(null);
  }
  const next = (timeoutMs = 20_000) =>
    queue.length
      ? Promise.resolve(queue.shift()!)
      : new Promise<SseEvent | null>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error(`no event within ${timeoutMs} ms`)), timeoutMs);
          waiters.push((e) => {
            clearTimeout(t);
            resolve(e);
          });
        });
  return {
    status: res.status,
    next,
    async until(pred, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const e = await next(Math.max(1, deadline - Date.now()));
        if (!e) throw new Error("the stream ended first");
        if (pred(e)) return e;
      }
    },
    close: () => ctrl.abort(),
  };
}

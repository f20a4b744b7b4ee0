// Server-Sent Events for rollout pages. One reader per watched rollout in this
// process (however many connections watch it) reads the change feed at most
// every 100 ms and fans each change out; every connection has a bounded
// buffer, and one that stops reading is dropped rather than allowed to grow
// the server's memory.
import { type Db, requireRolloutRow, getRollout, getTaskRecords, liveView, rolloutHeader, type RolloutHeader } from "@/lib/kettle/operations";
import { currentCursor, followed, followsAny, formatCursor, mergeFollows, readChanges, type Cursor, type LogFollow } from "@/lib/kettle/read/changes";
import { activeStatuses, type RolloutStatus } from "@/lib/kettle/status";
import { onChangeHint } from "@/lib/kettle/change-hints";

/** A rollout's changes are read at most this often (per instance, however many watch it). */
const TICK_MS = 100;
/** A hint waits this long before the read, so that one read takes a whole burst of commits. */
const HINT_SETTLE_MS = 5;
/** While this instance's runner hints at a rollout's changes, the feed is also polled this often (for writes from elsewhere). */
const HINTED_POLL_MS = 1000;
/** How long hints count as flowing after the last one. */
const HINTS_FLOW_MS = 2000;
const KEEPALIVE_MS = 15_000;
/** What a connection may have queued, unread, before it is dropped (KETTLE_STREAM_BUFFER_BYTES, default 1 MiB). */
const MAX_BUFFERED_BYTES = Number(process.env.KETTLE_STREAM_BUFFER_BYTES) > 0 ? Number(process.env.KETTLE_STREAM_BUFFER_BYTES) : 1 << 20;
/** A header (counts by status and all) is rebuilt at most this often while only tasks change. */
const HEADER_EVERY_MS = 250;

const encoder = new TextEncoder();

const done = (status: string) => status !== "not_started" && !activeStatuses.includes(status as RolloutStatus);

type Subscriber = {
  follow: LogFollow;
  /** Queues one event; false when the connection is gone or was dropped. */
  send(event: string, data: unknown, id?: string): boolean;
  /** Queues an event already encoded (one encoding shared by every watcher). */
  sendEncoded(bytes: Uint8Array): boolean;
  close(): void;
};

const encodeEvent = (event: string, data: unknown, id?: string) => encoder.encode(`${id ? `id: ${id}\n` : ""}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

/** One rollout's reader in this process. */
class Watch {
  private readonly subs = new Set<Subscriber>();
  /** The next read: one timer, moved earlier by a hint, never sooner than TICK_MS after the last read. */
  private timer: NodeJS.Timeout | undefined;
  private dueAt = Infinity;
  private lastReadAt = 0;
  private lastHintAt = 0;
  /** A read fell due while one was under way: read again as soon as allowed. */
  private again = false;
  /** Held while reading, or while a new subscriber catches up, so that nothing is skipped in between. */
  private lock: Promise<unknown> = Promise.resolve();
  private headerAt = 0;
  private headerStale = false;
  /** Each header field as last broadcast (JSON), so that a change event carries only the fields that changed. */
  private sentHeader = new Map<string, string>();
  cursor: Cursor = { change: 0, log: 0 };

  constructor(
    private readonly db: Db,
    readonly rolloutId: number,
  ) {}

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /** Adds a connection: a snapshot (or, from `since`, what it missed), then every change. */
  join(sub: Subscriber, since: Cursor | null): Promise<void> {
    return this.exclusive(async () => {
      if (!this.subs.size) {
        this.cursor = await currentCursor(this.db, this.rolloutId);
        this.lastReadAt = Date.now();
        this.pollLater();
        if (!watches.has(this.rolloutId)) watches.set(this.rolloutId, this);
      }
      // Caught up from its own cursor only when that is not too far behind; else a fresh snapshot.
      let status: string | null = null;
      if (since && since.change <= this.cursor.change && this.cursor.change - since.change < 10_000) {
        status = await this.catchUp(sub, since);
      }
      if (status === null) {
        const rollout = liveView(await getRollout(this.db, this.rolloutId, { tasks: "auto" }));
        sub.send("snapshot", { rollout }, formatCursor(this.cursor));
        status = rollout.status;
      }
      this.subs.add(sub);
      // Its snapshot may hold a field newer than the last broadcast: the next header goes out whole.
      this.sentHeader.clear();
      if (done(status)) {
        // Nothing more will change: say so, and let the client go.
        sub.send("end", { status });
        this.drop(sub);
      }
    });
  }

  leave(sub: Subscriber) {
    this.subs.delete(sub);
    if (!this.subs.size) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.dueAt = Infinity;
      watches.delete(this.rolloutId);
    }
  }

  /** This process's runner committed a change to the rollout: read it soon (change-hints.ts). */
  hint() {
    this.lastHintAt = Date.now();
    this.readAt(this.lastHintAt + HINT_SETTLE_MS);
  }

  private readAt(at: number) {
    at = Math.max(at, this.lastReadAt + TICK_MS);
    if (this.timer && this.dueAt <= at) return;
    clearTimeout(this.timer);
    this.dueAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.dueAt = Infinity;
      void this.tick();
    }, Math.max(0, at - Date.now()));
  }

  /** The next read when nothing hints: every TICK_MS, or less often while hints flow (they bring this runner's changes). */
  private pollLater() {
    const hinted = Date.now() - this.lastHintAt < HINTS_FLOW_MS;
    this.readAt(this.lastReadAt + (hinted ? HINTED_POLL_MS : TICK_MS));
  }

  /** Sends what a reconnecting client missed; its status, or null when a snapshot is needed instead. */
  private async catchUp(sub: Subscriber, since: Cursor): Promise<string | null> {
    const batch = await readChanges(this.db, this.rolloutId, since, sub.follow);
    if (batch.more || batch.plan || batch.cursor.change > this.cursor.change) return null;
    const row = await requireRolloutRow(this.db, this.rolloutId);
    const header = await rolloutHeader(this.db, row);
    const tasks = await getTaskRecords(this.db, row, batch.taskIds);
    const logs = batch.logs.filter((l) => l.id <= this.cursor.log);
    const { config: _config, ...rollout } = header; // as everywhere in the stream (LiveView)
    sub.send("change", { rollout, tasks, logs }, formatCursor(this.cursor));
    return header.status;
  }

  private reading = false;

  private async tick() {
    if (!this.subs.size) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    this.lastReadAt = Date.now();
    try {
      await this.exclusive(() => this.readOnce());
    } catch (e) {
      console.error(`event stream of rollout ${this.rolloutId}: ${e instanceof Error ? e.message : e}`);
    } finally {
      this.reading = false;
      if (this.subs.size) {
        // The earliest of: again (a read fell due meanwhile), a header held back, the next poll.
        if (this.again) this.readAt(0);
        if (this.headerStale) this.readAt(this.headerAt + HEADER_EVERY_MS);
        this.pollLater();
        this.again = false;
      }
    }
  }

  private async readOnce() {
    const follow = mergeFollows([...this.subs].map((s) => s.follow));
    const batch = await readChanges(this.db, this.rolloutId, this.cursor, follow);
    const changed = batch.cursor.change !== this.cursor.change || batch.cursor.log !== this.cursor.log;
    if (!changed && !this.headerStale) return;
    if (batch.plan) {
      // Finalised again: a new tree. Everyone starts from a new snapshot.
      this.cursor = batch.cursor;
      const rollout = liveView(await getRollout(this.db, this.rolloutId, { tasks: "auto" }));
      this.broadcast("snapshot", { rollout }, formatCursor(this.cursor));
      this.sentHeader.clear();
      return;
    }
    const row = await requireRolloutRow(this.db, this.rolloutId);
    // The header (counts and all) at once when the rollout itself changed, else at most every HEADER_EVERY_MS.
    const at = Date.now();
    let header: RolloutHeader | undefined;
    if (batch.rollout || (batch.taskIds.length || this.headerStale) && at - this.headerAt >= HEADER_EVERY_MS) {
      header = await rolloutHeader(this.db, row);
      this.headerAt = at;
      this.headerStale = false;
    } else if (batch.taskIds.length) {
      this.headerStale = true;
    }
    const tasks = await getTaskRecords(this.db, row, batch.taskIds);
    this.cursor = batch.cursor;
    const id = formatCursor(this.cursor);
    const delta = header && this.headerDelta(header);
    // Serialised once per set of followed logs, not once per watcher: 500 watchers cost one JSON.stringify.
    const encoded = new Map<string, Uint8Array | null>();
    for (const sub of [...this.subs]) {
      const key = [...sub.follow.rollout, ...sub.follow.tasks].sort().join(",");
      let bytes = encoded.get(key);
      if (bytes === undefined) {
        const logs = followsAny(sub.follow) ? batch.logs.filter((l) => followed(sub.follow, l)) : [];
        bytes =
          header || tasks.length || logs.length
            ? encodeEvent("change", { ...(delta ? { rollout: delta } : {}), ...(tasks.length ? { tasks } : {}), ...(logs.length ? { logs } : {}) }, id)
            : null;
        encoded.set(key, bytes);
      }
      if (bytes && !sub.sendEncoded(bytes)) this.drop(sub);
    }
    if (header && done(header.status) && !batch.more) {
      this.broadcast("end", { status: header.status });
      for (const sub of [...this.subs]) this.drop(sub);
    }
  }

  /**
   * The header's fields that differ from the last broadcast, with id, status and now always: most
   * changes move only progress and time left, while the config alone can be tens of KB.
   */
  private headerDelta(header: RolloutHeader): Partial<Omit<RolloutHeader, "config">> {
    const delta: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(header)) {
      if (field === "config") continue; // a live page does without it (LiveView)
      const json = JSON.stringify(value) ?? "undefined";
      if (field === "id" || field === "status" || field === "now" || this.sentHeader.get(field) !== json) {
        delta[field] = value;
        this.sentHeader.set(field, json);
      }
    }
    return delta as Partial<Omit<RolloutHeader, "config">>;
  }

  private broadcast(event: string, data: unknown, id?: string) {
    const bytes = encodeEvent(event, data, id);
    for (const sub of [...this.subs]) if (!sub.sendEncoded(bytes)) this.drop(sub);
  }

  private drop(sub: Subscriber) {
    sub.close();
    this.leave(sub);
  }
}

const watchesKey = Symbol.for("kettle.eventWatches");
const watches: Map<number, Watch> = ((globalThis as Record<symbol, unknown>)[watchesKey] ??= new Map()) as Map<number, Watch>;
// One listener per process, however many copies of this module are loaded.
const hintsKey = Symbol.for("kettle.eventWatchesHinted");
(globalThis as Record<symbol, unknown>)[hintsKey] ??= onChangeHint((rolloutId) => watches.get(rolloutId)?.hint());

/** How many connections this process is streaming to, per rollout (for tests and metrics). */
export function streamStats(): { rollouts: number; connections: number } {
  let connections = 0;
  for (const w of watches.values()) connections += (w as unknown as { subs: Set<unknown> }).subs.size;
  return { rollouts: watches.size, connections };
}

/**
 * The SSE response for one connection. `since` (from Last-Event-ID) resumes
 * where the client left off. The stream ends with an `end` event once the
 * rollout is done.
 */
export function eventStream(db: Db, rolloutId: number, follow: LogFollow, since: Cursor | null, signal: AbortSignal): Response {
  let watch = watches.get(rolloutId);
  if (!watch) watches.set(rolloutId, (watch = new Watch(db, rolloutId)));
  const w = watch;
  let keepalive: NodeJS.Timeout | undefined;
  let closed = false;
  let sub: Subscriber;
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const close = () => {
          if (closed) return;
          closed = true;
          clearInterval(keepalive);
          w.leave(sub);
          try {
            controller.close();
          } catch {
            // already closed or errored
          }
        };
        const enqueue = (bytes: Uint8Array) => {
          if (closed) return false;
          // A client that stops reading: its queue fills up to the limit, then it is dropped.
          if ((controller.desiredSize ?? 0) <= 0) return false;
          controller.enqueue(bytes);
          return true;
        };
        sub = { follow, send: (event, data, id) => enqueue(encodeEvent(event, data, id)), sendEncoded: enqueue, close };
        enqueue(encoder.encode("retry: 2000\n\n"));
        keepalive = setInterval(() => {
          if (!enqueue(encoder.encode(": keepalive\n\n"))) close();
        }, KEEPALIVE_MS);
        signal.addEventListener("abort", close, { once: true });
        w.join(sub, since).catch((e) => {
          console.error(`event stream of rollout ${rolloutId}: ${e instanceof Error ? e.message : e}`);
          close();
        });
      },
      cancel() {
        sub?.close();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: MAX_BUFFERED_BYTES }),
  );
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    },
  });
}

// outbound/: what leaves the process (webhook deliveries from the outbox,
// webhook subscriptions and payloads, Prometheus metrics). It imports store/
// and the shared leaves.
//
// Delivers the webhook outbox: claims due events with a lease (so several
// instances never send one at once), POSTs each, signed per Standard Webhooks,
// with a timeout, records every attempt, and retries with exponential backoff
// until the event is 24 h old. An instance that dies mid-way loses nothing: its
// claims run out and another instance (or its own next start) delivers.
import { Webhook } from "standardwebhooks";
import type { Db } from "../store/db";
import { claimDue, nextDueAt, pruneOutbox, recordAttempt, releaseClaims, webhookById, type OutboxRow, type WebhookRow } from "../store/webhooks";
import { deliveryBody, SECRET_PURPOSE } from "./webhooks";
import { unsealSecret } from "../secrets";
import { countDelivery } from "./metrics";
import { describeError } from "../errors";
import { sleep } from "../runner/waiting";
import { now } from "../clock";

export type OutboxOptions = {
  /** This instance (the runner's id), recorded on claims and attempts. */
  owner: string;
  /** How often to look for due events at most (a due time sooner wakes it). */
  pollMs?: number;
  /** One attempt's timeout. */
  timeoutMs?: number;
  /** The first retry's delay; each next one doubles, up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** How long after the event to keep trying. */
  maxAgeMs?: number;
  log?: (line: string) => void;
};

/** The delay before attempt `n + 1` after `n` failed ones: base × 2^(n−1), capped, with up to 10 % jitter. */
export function retryDelay(failed: number, base: number, max: number): number {
  const d = Math.min(max, base * 2 ** Math.max(0, failed - 1));
  return Math.round(d + d * 0.1 * Math.random());
}

/** How long delivered and given-up events are kept (with their attempts). */
const KEEP_MS = 7 * 24 * 3_600_000;

export class OutboxDelivery {
  private readonly stopping = new AbortController();
  private wakeUp = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly o: Required<Omit<OutboxOptions, "log">> & { log: (line: string) => void };
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly db: Db,
    opts: OutboxOptions,
  ) {
    this.o = {
      owner: opts.owner,
      pollMs: opts.pollMs ?? 1000,
      timeoutMs: opts.timeoutMs ?? 10_000,
      backoffMs: opts.backoffMs ?? 5_000,
      maxBackoffMs: opts.maxBackoffMs ?? 3_600_000,
      maxAgeMs: opts.maxAgeMs ?? 24 * 3_600_000,
      log: opts.log ?? (() => {}),
    };
  }

  /** A claim lasts past one attempt's timeout, so a slow receiver is never sent the event twice at once. */
  private get leaseMs() {
    return this.o.timeoutMs + 5_000;
  }

  start(): this {
    this.loop ??= this.main();
    return this;
  }

  wake(): void {
    this.wakeUp.abort();
  }

  private async main() {
    let lastPrune = 0;
    while (!this.stopping.signal.aborted) {
      let waitMs = this.o.pollMs;
      try {
        const at = now();
        if (at - lastPrune > 3_600_000) {
          lastPrune = at;
          await pruneOutbox(this.db, at - KEEP_MS); // the Webhooks page shows a week of deliveries
        }
        const due = await claimDue(this.db, this.o.owner, at, at + this.leaseMs);
        if (due.length) {
          await this.deliverAll(due);
          continue; // there may be more
        }
        const next = await nextDueAt(this.db);
        if (next !== null) waitMs = Math.max(10, Math.min(this.o.pollMs, next - now() + 5));
      } catch (e) {
        this.o.log(`webhooks: ${describeError(e).message}`);
      }
      this.wakeUp = new AbortController();
      await sleep(waitMs, this.stopping.signal, this.wakeUp.signal);
    }
  }

  /** One at a time per subscription (in event order), subscriptions side by side. */
  private async deliverAll(rows: OutboxRow[]) {
    const byHook = new Map<number, OutboxRow[]>();
    for (const r of rows) (byHook.get(r.webhookId) ?? byHook.set(r.webhookId, []).get(r.webhookId)!).push(r);
    const work = Promise.all(
      [...byHook.entries()].map(async ([hookId, list]) => {
        const hook = await webhookById(this.db, hookId);
        for (const row of list) {
          if (this.stopping.signal.aborted) return;
          await this.deliver(row, hook);
        }
      }),
    ).then(() => undefined);
    this.inFlight.add(work);
    try {
      await work;
    } finally {
      this.inFlight.delete(work);
    }
  }

  private async deliver(row: OutboxRow, hook: WebhookRow | null) {
    const started = now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      if (!hook) throw new Error("the webhook was deleted");
      const secret = await unsealSecret(SECRET_PURPOSE, hook.secretSealed);
      if (secret === null) throw new Error("cannot read the webhook's secret: KETTLE_SECRET_KEY changed since it was made; make the webhook again");
      const body = deliveryBody(row.payload, hook.format);
      const msgId = `msg_kettle_${row.id}`;
      const timestamp = new Date();
      const signature = new Webhook(secret).sign(msgId, timestamp, body);
      const res = await fetch(hook.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "Kettle-Webhooks/1",
          "webhook-id": msgId,
          "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
          "webhook-signature": signature,
        },
        body,
        redirect: "manual",
        signal: AbortSignal.any([AbortSignal.timeout(this.o.timeoutMs), this.stopping.signal]),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined); // read (and drop) the answer so the connection is freed
      if (!res.ok) error = `HTTP ${res.status}`;
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      error = err.name === "TimeoutError" ? `timed out after ${this.o.timeoutMs} ms` : (err.cause?.code ?? err.cause?.message ?? describeError(e).message);
    }
    if (this.stopping.signal.aborted && status === null) return; // shutting down: the claim is given back, not counted
    const at = now();
    const attempt = { at: started, durationMs: at - started, status, error: error?.slice(0, 500) ?? null };
    const ok = error === null;
    const tooOld = at - row.createdAt >= this.o.maxAgeMs || !hook;
    const next = ok
      ? { deliveredAt: at }
      : tooOld
        ? { failedAt: at }
        : { nextAttemptAt: Math.min(at + retryDelay(row.attempts + 1, this.o.backoffMs, this.o.maxBackoffMs), row.createdAt + this.o.maxAgeMs) };
    const recorded = await recordAttempt(this.db, row.id, this.o.owner, attempt, next).catch((e) => {
      this.o.log(`webhooks: could not record the attempt for event ${row.id}: ${describeError(e).message}`);
      return false;
    });
    if (!recorded) return;
    countDelivery(ok ? "delivered" : tooOld ? "gave_up" : "failed");
    if (!ok) this.o.log(`webhooks: event ${row.id} (${row.event}) to webhook ${row.webhookId}: ${error}${tooOld ? "; giving up" : ""}`);
  }

  /** Stops taking events, waits a moment for deliveries under way, and gives the remaining claims back. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
    await releaseClaims(this.db, this.o.owner).catch(() => {});
  }
}

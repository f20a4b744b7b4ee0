// Prometheus metrics the engine and the runner observe (GET /metrics serves them).
// The registry lives on globalThis: server.ts's runner and Next's route handlers
// are separate module graphs in one process, and must share one set of counters.
import { Counter, Histogram, Gauge, Registry, collectDefaultMetrics } from "prom-client";

function create() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  const durations = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 30, 60, 300, 900, 1800, 3600];
  return {
    registry,
    rollouts: new Gauge({ name: "kettle_rollouts", help: "Rollouts by status (all of them, read from the database at scrape)", labelNames: ["status"], registers: [registry] }),
    outboxPending: new Gauge({ name: "kettle_webhook_outbox_pending", help: "Webhook events not yet delivered nor given up (read from the database at scrape)", registers: [registry] }),
    taskRun: new Histogram({ name: "kettle_task_run_duration_seconds", help: "How long task runs took, by task type and outcome (leaf tasks and groups alike)", labelNames: ["type", "outcome"], buckets: durations, registers: [registry] }),
    taskRevert: new Histogram({ name: "kettle_task_revert_duration_seconds", help: "How long task reverts took, by task type and outcome", labelNames: ["type", "outcome"], buckets: durations, registers: [registry] }),
    signals: new Counter({ name: "kettle_signals_total", help: "Signals accepted through this instance's API, by name", labelNames: ["name"], registers: [registry] }),
    decisions: new Counter({ name: "kettle_decisions_total", help: "Decisions accepted through this instance's API (approve, reject, retry, skip, retry_rollback), by name", labelNames: ["name"], registers: [registry] }),
    leaseClaims: new Counter({ name: "kettle_lease_claims_total", help: "Rollouts this instance's runner claimed (takeovers included)", registers: [registry] }),
    leaseTakeovers: new Counter({ name: "kettle_lease_takeovers_total", help: "Rollouts this instance took over from a runner that went silent or died", registers: [registry] }),
    leaseRenewals: new Counter({ name: "kettle_lease_renewals_total", help: "Lease renewals by this instance's runner", registers: [registry] }),
    webhookDeliveries: new Counter({ name: "kettle_webhook_deliveries_total", help: "Webhook delivery attempts by outcome: delivered, failed (will retry), gave_up", labelNames: ["outcome"], registers: [registry] }),
    analysisMeasurements: new Counter({ name: "kettle_analysis_measurements_total", help: "Analysis measurements this instance's runner took, by analysis, metric and outcome", labelNames: ["analysis", "metric", "outcome"], registers: [registry] }),
    analysisLastValue: new Gauge({ name: "kettle_analysis_last_value", help: "The last numeric value each analysis metric measured on this instance", labelNames: ["analysis", "metric"], registers: [registry] }),
    rolloutsRun: new Counter({ name: "kettle_rollout_runs_requested_total", help: "Run requests accepted through this instance's API", registers: [registry] }),
  };
}

type Metrics = ReturnType<typeof create>;
const KEY = Symbol.for("kettle.metrics");
export function metrics(): Metrics {
  const g = globalThis as Record<symbol, unknown>;
  return (g[KEY] ??= create()) as Metrics;
}

// One-line hooks for the engine, the runner and the routes (never throw).
const safe = (f: () => void) => {
  try {
    f();
  } catch {
    // metrics must never break what they measure
  }
};
// One histogram child per (phase, type, outcome), found by a string key: observing through
// labels hashes the label object at every call, once per task (several µs in a sequence's step).
const taskChildren = new Map<string, { observe(v: number): void }>();
export const observeTask = (type: string, phase: "run" | "revert", ok: boolean, ms: number) =>
  safe(() => {
    const key = `${phase}\u0000${ok ? 1 : 0}\u0000${type}`;
    let child = taskChildren.get(key);
    if (!child) taskChildren.set(key, (child = (phase === "run" ? metrics().taskRun : metrics().taskRevert).labels({ type, outcome: ok ? "finished" : "failed" })));
    child.observe(Math.max(0, ms) / 1000);
  });
export const countLeaseClaim = (takeover: boolean) =>
  safe(() => {
    metrics().leaseClaims.inc();
    if (takeover) metrics().leaseTakeovers.inc();
  });
export const countLeaseRenewal = () => safe(() => metrics().leaseRenewals.inc());
export const countSignal = (name: string) => safe(() => metrics().signals.inc({ name }));
export const countDecision = (name: string) => safe(() => metrics().decisions.inc({ name }));
export const countRunRequest = () => safe(() => metrics().rolloutsRun.inc());
export const countDelivery = (outcome: "delivered" | "failed" | "gave_up") => safe(() => metrics().webhookDeliveries.inc({ outcome }));
export const observeMeasurement = (analysis: string, metric: string, outcome: string, value: number | null) =>
  safe(() => {
    metrics().analysisMeasurements.inc({ analysis, metric, outcome });
    if (value !== null && Number.isFinite(value)) metrics().analysisLastValue.set({ analysis, metric }, value);
  });

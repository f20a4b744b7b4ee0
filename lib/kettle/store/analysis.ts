// Analysis runs and their measurements (tables analysis_run, analysis_measurement):
// written by the runner as each measurement is taken and when the verdict is
// reached (a trigger turns a failed or inconclusive verdict into its webhook
// event in the same statement); read by read/analysis.ts.
import type { Db } from "./db";
import type { AnalysisSpec } from "../analysis/spec";
import type { Counters, Measurement, MetricValue } from "../analysis/verdict";
import type { AnalysisResult } from "../analysis/run";
import { hintChanged } from "../change-hints";

export type AnalysisRunKey = { rolloutId: number; taskId: number | null; attempt: number; name: string };
export type AnalysisRunRow = AnalysisRunKey & {
  id: number;
  spec: AnalysisSpec;
  startedAt: number;
  finishedAt: number | null;
  verdict: AnalysisResult["verdict"] | null;
  why: string | null;
  metrics: AnalysisResult["metrics"] | null;
};
export type MeasurementRow = Measurement & { runId: number; counters: Counters | null };

const json = <T>(v: unknown): T | null => (v === null || v === undefined ? null : (JSON.parse(String(v)) as T));

const toRun = (r: Record<string, unknown>): AnalysisRunRow => ({
  id: Number(r.id),
  rolloutId: Number(r.rollout_id),
  taskId: r.task_id === null ? null : Number(r.task_id),
  attempt: Number(r.attempt),
  name: String(r.name),
  spec: json<AnalysisSpec>(r.spec)!,
  startedAt: Number(r.started_at),
  finishedAt: r.finished_at === null ? null : Number(r.finished_at),
  verdict: (r.verdict ?? null) as AnalysisRunRow["verdict"],
  why: r.why === null ? null : String(r.why),
  metrics: json<AnalysisResult["metrics"]>(r.metrics),
});

const toMeasurement = (r: Record<string, unknown>): MeasurementRow => ({
  runId: Number(r.run_id),
  metric: String(r.metric),
  at: Number(r.at),
  value: json<MetricValue>(r.value),
  outcome: String(r.outcome) as Measurement["outcome"],
  message: r.message === null ? null : String(r.message),
  counters: json<Counters>(r.counters),
});

/** The run of this key, made when it does not exist yet; with the measurements it already has. */
export async function beginAnalysisRun(db: Db, key: AnalysisRunKey, spec: AnalysisSpec, at: number): Promise<{ run: AnalysisRunRow; taken: MeasurementRow[] }> {
  await db.$client.execute({
    sql: `INSERT INTO analysis_run (rollout_id, task_id, attempt, name, spec, started_at) VALUES (?, ?, ?, ?, ?, ?)
          ON CONFLICT DO NOTHING`,
    args: [key.rolloutId, key.taskId, key.attempt, key.name, JSON.stringify(spec), at],
  });
  const rs = await db.$client.execute({
    sql: "SELECT * FROM analysis_run WHERE rollout_id = ? AND COALESCE(task_id, -1) = COALESCE(?, -1) AND attempt = ? AND name = ?",
    args: [key.rolloutId, key.taskId, key.attempt, key.name],
  });
  const run = toRun(rs.rows[0] as Record<string, unknown>);
  const m = await db.$client.execute({ sql: "SELECT * FROM analysis_measurement WHERE run_id = ? ORDER BY id", args: [run.id] });
  return { run, taken: m.rows.map((r) => toMeasurement(r as Record<string, unknown>)) };
}

export async function recordMeasurement(db: Db, run: AnalysisRunRow, m: Measurement, counters: Counters): Promise<void> {
  await db.$client.execute({
    sql: "INSERT INTO analysis_measurement (run_id, metric, at, value, outcome, message, counters) VALUES (?, ?, ?, ?, ?, ?, ?)",
    args: [run.id, m.metric, m.at, m.value === null ? null : JSON.stringify(m.value), m.outcome, m.message, JSON.stringify(counters)],
  });
  hintChanged(run.rolloutId);
}

/** Records the verdict (once: a run that has one keeps it). */
export async function finishAnalysisRun(db: Db, run: AnalysisRunRow, result: AnalysisResult, at: number): Promise<void> {
  await db.$client.execute({
    sql: "UPDATE analysis_run SET verdict = ?, why = ?, metrics = ?, finished_at = ? WHERE id = ? AND verdict IS NULL",
    args: [result.verdict, result.why, JSON.stringify(result.metrics), at, run.id],
  });
  hintChanged(run.rolloutId);
}

/** Every analysis run of a rollout, oldest first, each with its measurements. */
export async function analysisRunsOf(db: Db, rolloutId: number): Promise<(AnalysisRunRow & { measurements: MeasurementRow[] })[]> {
  const [runs, ms] = await db.$client.batch(
    [
      { sql: "SELECT * FROM analysis_run WHERE rollout_id = ? ORDER BY id", args: [rolloutId] },
      { sql: "SELECT m.* FROM analysis_measurement m JOIN analysis_run r ON r.id = m.run_id WHERE r.rollout_id = ? ORDER BY m.id", args: [rolloutId] },
    ],
    "read",
  );
  const byRun = new Map<number, MeasurementRow[]>();
  for (const r of ms.rows) {
    const m = toMeasurement(r as Record<string, unknown>);
    byRun.set(m.runId, [...(byRun.get(m.runId) ?? []), m]);
  }
  return runs.rows.map((r) => {
    const run = toRun(r as Record<string, unknown>);
    return { ...run, measurements: byRun.get(run.id) ?? [] };
  });
}

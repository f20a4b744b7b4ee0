// Health analysis: each analysis run and every measurement it took.
import { sqliteTable, integer, text, index } from "drizzle-orm/sqlite-core";
import { rollout } from "./runs";

// Health analysis (drizzle/0011_analysis.sql; written by store/analysis.ts).
export const analysisRun = sqliteTable("analysis_run", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  rolloutId: integer("rollout_id")
    .notNull()
    .references(() => rollout.id, { onDelete: "cascade" }),
  taskId: integer("task_id"),
  attempt: integer("attempt").notNull().default(0),
  name: text("name").notNull(),
  spec: text("spec").notNull(),
  startedAt: integer("started_at").notNull(),
  finishedAt: integer("finished_at"),
  verdict: text("verdict").$type<"successful" | "failed" | "inconclusive">(),
  why: text("why"),
  metrics: text("metrics"),
});
export const analysisMeasurement = sqliteTable(
  "analysis_measurement",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    runId: integer("run_id")
      .notNull()
      .references(() => analysisRun.id, { onDelete: "cascade" }),
    metric: text("metric").notNull(),
    at: integer("at").notNull(),
    value: text("value"),
    outcome: text("outcome").notNull(),
    message: text("message"),
    counters: text("counters"),
  },
  (t) => [index("analysis_measurement_run_idx").on(t.runId, t.id)],
);

// Every plan a rollout was finalised with, and the decisions on each.
import { sqliteTable, integer, text, index } from "drizzle-orm/sqlite-core";
import { rollout } from "./runs";

// Every plan a rollout was finalised with (issue 14: plan diff), written in finalise's batch
// (saveFinalised, statement from lib/kettle/store/plans.ts). `tree`: {type, description, children}.
export const plan = sqliteTable(
  "plan",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    rolloutId: integer("rollout_id")
      .notNull()
      .references(() => rollout.id, { onDelete: "cascade" }),
    finalisedAt: integer("finalised_at").notNull(),
    config: text("config", { mode: "json" }).notNull().$type<Record<string, unknown>>(),
    tree: text("tree", { mode: "json" }).notNull().$type<{ type: string; description: string; children: unknown[] }>(),
    finalisedBy: text("finalised_by"),
  },
  (t) => [index("plan_rollout_idx").on(t.rolloutId, t.id)],
);

// Approvals and rejections of a plan before it runs (issue 22), each bound to the plan's hash
// (store/plan-decisions.ts writes it).
export const planDecision = sqliteTable(
  "plan_decision",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    rolloutId: integer("rollout_id")
      .notNull()
      .references(() => rollout.id, { onDelete: "cascade" }),
    planHash: text("plan_hash").notNull(),
    decision: text("decision").notNull().$type<"approve" | "reject">(),
    by: text("by"),
    at: integer("at").notNull(),
    comment: text("comment"),
  },
  (t) => [index("plan_decision_rollout_idx").on(t.rolloutId, t.planHash)],
);

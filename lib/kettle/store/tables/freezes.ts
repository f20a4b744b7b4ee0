// When rollouts may run: freeze windows.
import { sqliteTable, integer, text } from "drizzle-orm/sqlite-core";

/** Freeze windows (issue 21): deny (no runs then) or allow (runs only then), one-off or recurring. */
export const freeze = sqliteTable("freeze", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull(),
  reason: text("reason").notNull().default(""),
  mode: text("mode").notNull().default("deny").$type<"deny" | "allow">(),
  kinds: text("kinds", { mode: "json" }).$type<string[]>(),
  startsAt: integer("starts_at"),
  endsAt: integer("ends_at"),
  rrule: text("rrule"),
  cron: text("cron"),
  durationMs: integer("duration_ms"),
  timeZone: text("time_zone").notNull().default("UTC"),
  createdBy: text("created_by"),
  createdAt: integer("created_at").notNull(),
});

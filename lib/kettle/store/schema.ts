// store/: the tables and their SQL, one module writing each table
// (docs/architecture.md lists which). It imports authoring/ (to rebuild tasks),
// modules/ (task kinds by name) and the shared leaves, never runner/ or read/.
//
// The tables, one file per concept in tables/; this module is what drizzle-kit
// and the client read (drizzle.config.ts, db.ts).
export * from "./tables/runs";
export * from "./tables/people";
export * from "./tables/webhooks";
export * from "./tables/plans";
export * from "./tables/analysis";
export * from "./tables/freezes";

// `npm run db:migrate`: creates or updates the database named by KETTLE_DATABASE_URL.
import "dotenv/config";
import { parseSettings } from "../lib/kettle/settings";
import { readyDb } from "../lib/kettle/store/db";
import { migrateDb } from "../lib/kettle/store/migrations";

const s = parseSettings();
const db = await readyDb(s.databaseUrl, s.databaseAuthToken);
await migrateDb(db);
const tables = await db.$client.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%' ORDER BY name");
console.log(`Migrated ${s.databaseUrl}: tables ${tables.rows.map((r) => r.name).join(", ")}`);

// `npm run db:backup -- FILE`: a consistent copy of the database named by
// KETTLE_DATABASE_URL, taken while Kettle runs (no need to stop it).
import "dotenv/config";
import { parseSettings } from "../lib/kettle/settings";
import { readyDb } from "../lib/kettle/store/db";
import { backupDatabase } from "../lib/kettle/store/backup";

const file = process.argv[2];
if (!file) {
  console.error("Usage: npm run db:backup -- FILE   (FILE must not exist yet)");
  process.exit(2);
}
const s = parseSettings();
try {
  const db = await readyDb(s.databaseUrl, s.databaseAuthToken);
  const { file: written, bytes, tookMs } = await backupDatabase(db, s.databaseUrl, file);
  console.log(`Backed up ${s.databaseUrl} to ${written}: ${(bytes / 1024 / 1024).toFixed(1)} MB in ${tookMs} ms`);
} catch (e) {
  console.error(`\n${(e as Error).message}\n`);
  process.exit(1);
}

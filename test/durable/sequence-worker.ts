// A runner on its own, for sequence-kill.test.ts: runs a sequence of journaling
// tasks on the database named in argv until it is killed (SIGKILL, any moment).
//   node --import tsx test/durable/sequence-worker.ts file:/tmp/…/kettle.sqlite 5000
import { readyDb } from "@/lib/kettle/store/db";
import { migrateDb } from "@/lib/kettle/store/migrations";
import { createRollout, runRollout } from "@/lib/kettle/operations";
import { Runner } from "@/lib/kettle/runner/runner";

const [url, n] = process.argv.slice(2);
const db = await readyDb(url);
await migrateDb(db);
const kind = "fixtures:TreeRollout";
const id = await createRollout(db, { kind, config: { tree: { seq: Array.from({ length: Number(n) }, () => ({ journal: true })) } } }, [kind]);
await runRollout(db, id, "crash-test");
new Runner(db, { pollMs: 10, signalPollMs: 50, leaseMs: 10_000 }).start().wake();
process.stdout.write(`running ${id}\n`);

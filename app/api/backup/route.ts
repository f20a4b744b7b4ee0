import fs from "node:fs";
import { Readable } from "node:stream";
import { route } from "@/lib/web/http";
import { backupToTemp, writeAudit } from "@/lib/kettle/operations";
import { settings } from "@/lib/kettle/settings";

export const dynamic = "force-dynamic";

/** A consistent copy of the live database, as a SQLite file (admins; `kettle backup FILE`). */
export const POST = route(
  async ({ db, audit }) => {
    const backup = await backupToTemp(db, settings().databaseUrl);
    await writeAudit(db, audit("backup", { comment: `${backup.bytes} bytes` }));
    const stream = fs.createReadStream(backup.file);
    stream.once("close", () => backup.remove());
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    return new Response(Readable.toWeb(stream) as ReadableStream, {
      headers: {
        "content-type": "application/vnd.sqlite3",
        "content-length": String(backup.bytes),
        "content-disposition": `attachment; filename="kettle-${stamp}.sqlite"`,
        "cache-control": "no-store",
      },
    });
  },
  { mutation: true, action: "backup" },
);

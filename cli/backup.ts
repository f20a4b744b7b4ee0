// `kettle backup FILE`: a consistent copy of the server's live database, written
// to FILE with a progress line (admins).
import fs from "node:fs";
import { CliError, EXIT, type Client } from "./client";

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

export async function backup(client: Client, file: string): Promise<{ file: string; bytes: number }> {
  if (fs.existsSync(file)) throw new CliError(EXIT.refused, `${file} exists already: a backup never overwrites a file`);
  const stream = process.stderr;
  const tty = !!stream.isTTY && !process.env.CI;
  stream.write("Backing up (the server copies its database first)…\n");
  let last = 0;
  const bytes = await client.download("/api/backup", file, (got, total) => {
    if (!tty || Date.now() - last < 100) return;
    last = Date.now();
    stream.write(`\r\x1b[KReceiving ${mb(got)}${total ? ` of ${mb(total)} (${Math.floor((100 * got) / total)}%)` : ""}`);
  });
  if (tty) stream.write("\r\x1b[K");
  return { file, bytes };
}

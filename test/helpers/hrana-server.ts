// A small libSQL server for tests: the Hrana v2 protocol over HTTP (JSON), as
// sqld and Turso speak it, backed by a local database file. No sqld can be
// installed here; this lets the remote code path (KETTLE_DATABASE_URL=http://…)
// run for real through @libsql/client. Each stream (baton) has its own
// connection, so transactions span requests as they do on sqld.
import http from "node:http";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import Database from "libsql";

type Value = { type: "null" } | { type: "integer"; value: string } | { type: "float"; value: number } | { type: "text"; value: string } | { type: "blob"; base64: string };
type Stmt = { sql?: string; sql_id?: number; args?: Value[]; named_args?: { name: string; value: Value }[]; want_rows?: boolean };
type Cond = { type: "ok" | "error"; step: number } | { type: "not"; cond: Cond } | { type: "and" | "or"; conds: Cond[] } | { type: "is_autocommit" };
type Request =
  | { type: "close" }
  | { type: "execute"; stmt: Stmt }
  | { type: "batch"; batch: { steps: { condition?: Cond; stmt: Stmt }[] } }
  | { type: "sequence"; sql?: string; sql_id?: number }
  | { type: "store_sql"; sql_id: number; sql: string }
  | { type: "close_sql"; sql_id: number }
  | { type: "get_autocommit" };

type Stream = { db: Database.Database; sqls: Map<number, string> };

function toArg(v: Value): unknown {
  switch (v.type) {
    case "null":
      return null;
    case "integer":
      return BigInt(v.value);
    case "float":
      return v.value;
    case "text":
      return v.value;
    case "blob":
      return Buffer.from(v.base64, "base64");
  }
}

function toValue(v: unknown): Value {
  if (v === null || v === undefined) return { type: "null" };
  if (typeof v === "bigint") return { type: "integer", value: String(v) };
  if (typeof v === "number") return Number.isInteger(v) ? { type: "integer", value: String(v) } : { type: "float", value: v };
  if (typeof v === "string") return { type: "text", value: v };
  return { type: "blob", base64: Buffer.from(v as Uint8Array).toString("base64") };
}

export type HranaServer = { url: string; close(): Promise<void>; requests: () => number };

export async function startHranaServer(file: string): Promise<HranaServer> {
  const streams = new Map<string, Stream>();
  let requests = 0;

  const execute = (s: Stream, stmt: Stmt) => {
    const sql = stmt.sql ?? s.sqls.get(stmt.sql_id!);
    if (sql === undefined) throw new Error(`unknown sql_id ${stmt.sql_id}`);
    const prepared = s.db.prepare(sql);
    prepared.safeIntegers(true);
    const args = stmt.named_args?.length
      ? Object.fromEntries(stmt.named_args.map((a) => [a.name.replace(/^[:@$]/, ""), toArg(a.value)]))
      : (stmt.args ?? []).map(toArg);
    let returnsRows = true;
    try {
      prepared.raw(true);
    } catch {
      returnsRows = false;
    }
    if (returnsRows) {
      const cols = prepared.columns().map((c: { name: string; type?: string | null }) => ({ name: c.name, decltype: c.type ?? null }));
      const rows = (prepared.all(args) as unknown[][]).map((row) => row.map(toValue));
      const changes = s.db.prepare("SELECT changes()").raw(true).get() as unknown[];
      return { cols, rows, affected_row_count: Number(changes[0]), last_insert_rowid: null };
    }
    const info = prepared.run(args);
    return { cols: [], rows: [], affected_row_count: Number(info.changes), last_insert_rowid: String(info.lastInsertRowid) };
  };

  const handle = (s: Stream, req: Request): unknown => {
    switch (req.type) {
      case "execute":
        return { type: "execute", result: execute(s, req.stmt) };
      case "batch": {
        const results: unknown[] = [];
        const errors: unknown[] = [];
        const holds = (c: Cond): boolean => {
          switch (c.type) {
            case "ok":
              return results[c.step] != null;
            case "error":
              return errors[c.step] != null;
            case "not":
              return !holds(c.cond);
            case "and":
              return c.conds.every(holds);
            case "or":
              return c.conds.some(holds);
            case "is_autocommit":
              return !s.db.inTransaction;
          }
        };
        req.batch.steps.forEach((step, i) => {
          results[i] = null;
          errors[i] = null;
          if (step.condition && !holds(step.condition)) return;
          try {
            results[i] = execute(s, step.stmt);
          } catch (e) {
            errors[i] = { message: (e as Error).message, code: (e as { code?: string }).code ?? "SQLITE_ERROR" };
          }
        });
        return { type: "batch", result: { step_results: results, step_errors: errors } };
      }
      case "sequence":
        s.db.exec(req.sql ?? s.sqls.get(req.sql_id!)!);
        return { type: "sequence" };
      case "store_sql":
        s.sqls.set(req.sql_id, req.sql);
        return { type: "store_sql" };
      case "close_sql":
        s.sqls.delete(req.sql_id);
        return { type: "close_sql" };
      case "get_autocommit":
        return { type: "get_autocommit", is_autocommit: !s.db.inTransaction };
      case "close":
        return { type: "close" };
    }
  };

  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method === "GET" && req.url === "/v2") return send(200, {});
    if (req.method !== "POST" || req.url !== "/v2/pipeline") return send(404, { message: "not found" });
    let raw = "";
    req.on("data", (d) => (raw += d));
    req.on("end", () => {
      requests++;
      const body = JSON.parse(raw) as { baton: string | null; requests: Request[] };
      let baton = body.baton;
      let stream = baton ? streams.get(baton) : undefined;
      if (!stream) {
        stream = { db: new Database(file, { timeout: 10_000 }), sqls: new Map() };
        baton = randomBytes(8).toString("hex");
        streams.set(baton, stream);
      }
      const results = body.requests.map((r) => {
        try {
          return { type: "ok", response: handle(stream!, r) };
        } catch (e) {
          return { type: "error", error: { message: (e as Error).message, code: (e as { code?: string }).code ?? "SQLITE_ERROR" } };
        }
      });
      const closed = body.requests.some((r) => r.type === "close");
      if (closed) {
        if (stream.db.inTransaction) stream.db.exec("ROLLBACK");
        stream.db.close();
        streams.delete(baton!);
      }
      send(200, { baton: closed ? null : baton, base_url: null, results });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () =>
      new Promise((resolve) => {
        for (const s of streams.values()) s.db.close();
        streams.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

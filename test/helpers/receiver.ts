// A webhook receiver on a loopback port: records every request; answers as told.
import http from "node:http";
import type { AddressInfo } from "node:net";

export type Received = { path: string; headers: Record<string, string>; body: string; at: number };

export type Receiver = {
  url: string;
  received: Received[];
  /** How to answer a request: a status, or "hang" to never answer. Default 200. */
  answer: (req: Received, nth: number) => number | "hang";
  close(): Promise<void>;
};

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const hanging = new Set<http.ServerResponse>();
  const r: Receiver = {
    url: "",
    received,
    answer: () => 200,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const rec: Received = { path: req.url ?? "/", headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])), body, at: Date.now() };
      received.push(rec);
      const nth = received.filter((x) => x.path === rec.path && x.headers["webhook-id"] === rec.headers["webhook-id"]).length;
      const a = r.answer(rec, nth);
      if (a === "hang") {
        hanging.add(res);
        return;
      }
      res.statusCode = a;
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return r;
}

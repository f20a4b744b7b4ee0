// The live event stream (GET /api/rollouts/{id}/events) against real servers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import net from "node:net";
import fs from "node:fs";
import { startServer, type TestServer } from "../helpers/server";
import { openSse, type SseEvent } from "../helpers/sse";

type Json = Record<string, any>;
let a: TestServer;
let b: TestServer;
const env = { KETTLE_ROLLOUT_CLS: "fixtures:TreeRollout", KETTLE_STREAM_BUFFER_BYTES: "65536" };

beforeAll(async () => {
  a = await startServer({ env });
  b = await startServer({ env, dbUrl: a.dbUrl, dir: a.dir });
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
});

async function created(s: TestServer, tree: unknown): Promise<number> {
  const r = await s.api<Json>("POST", "/api/rollouts", { config: { tree } });
  expect(r.status).toBe(201);
  return r.body.id;
}
const run = async (s: TestServer, id: number) => expect((await s.api("POST", `/api/rollouts/${id}/run`)).status).toBe(202);

/** Applies events to a client-side picture of the rollout: status, and each task's status by id. */
function follow() {
  const state = { status: "", header: {} as Json, tasks: new Map<number, string>(), logs: [] as string[], lastId: "" };
  const walk = (t: Json) => {
    state.tasks.set(t.id, t.status);
    for (const c of t.children ?? []) walk(c);
  };
  return {
    state,
    apply(e: SseEvent) {
      if (e.id) state.lastId = e.id;
      if (e.event === "snapshot") {
        state.status = e.data.rollout.status;
        const { tasks: _tree, ...header } = e.data.rollout;
        state.header = header;
        state.tasks.clear();
        walk(e.data.rollout.tasks);
      }
      if (e.event === "change") {
        if (e.data.rollout) state.status = e.data.rollout.status;
        if (e.data.rollout) state.header = { ...state.header, ...e.data.rollout }; // only the fields that changed
        for (const t of e.data.tasks ?? []) state.tasks.set(t.id, t.status);
        for (const l of e.data.logs ?? []) state.logs.push(l.line);
      }
    },
  };
}

describe("the event stream", () => {
  it("a snapshot, then only what changed, through a failure and the rollback, then `end`", async () => {
    const id = await created(a, { seq: [{ noop: "one" }, { delay: 1 }, { fail: "boom" }] });
    const sse = await openSse(`${a.url}/api/rollouts/${id}/events?logs=rollout,rollback`);
    expect(sse.status).toBe(200);
    const f = follow();
    const first = (await sse.next())!;
    expect(first.event).toBe("snapshot");
    expect(first.id).toMatch(/^\d+-\d+$/);
    f.apply(first);
    expect(f.state.status).toBe("not_started");
    await run(a, id);
    const statuses: string[] = [];
    const deltas: Json[] = [];
    for (;;) {
      const e = await sse.next();
      if (!e) throw new Error("stream ended without `end`");
      f.apply(e);
      if (e.event === "change") {
        expect(e.data.tasks?.every((t: Json) => !("children" in t)) ?? true).toBe(true); // records only, not the tree
        if (e.data.rollout) deltas.push(e.data.rollout);
        if (e.data.rollout && statuses.at(-1) !== e.data.rollout.status) statuses.push(e.data.rollout.status);
      }
      if (e.event === "end") {
        expect(e.data.status).toBe("rolled_back");
        break;
      }
    }
    expect(statuses[0]).toBe("started");
    expect(statuses.at(-1)).toBe("rolled_back");
    expect([...f.state.tasks.entries()]).toEqual([
      [0, "rolled_back"],
      [1, "rolled_back"],
      [2, "rolled_back"],
      [3, "rolled_back"],
    ]);
    expect(f.state.logs.some((l) => /^Rollout stopped by the failure of task 3/.test(l))).toBe(true);
    expect(f.state.logs).toContain("Rollback finished");
    expect(await sse.next()).toBeNull(); // the server closed the stream
    // A change carries the header fields that changed (id, status and now always); merged into the
    // snapshot, they make the rollout as the API shows it at the end, but for the config (never streamed).
    for (const d of deltas) expect(Object.keys(d)).toEqual(expect.arrayContaining(["id", "status", "now"]));
    expect(deltas.some((d) => "progress" in d && !("title" in d))).toBe(true);
    expect([first.data.rollout, ...deltas].some((d) => "config" in d)).toBe(false);
    const { tasks: _tree, now: _now, config: _config, ...final } = (await a.api<Json>("GET", `/api/rollouts/${id}`)).body;
    const { now: _then, ...merged } = f.state.header;
    expect(merged).toEqual(final);
  });

  it("a reconnect with Last-Event-ID gets what it missed", async () => {
    const id = await created(a, { seq: [{ noop: "one" }, { delay: 1 }, { noop: "three" }, { noop: "four" }] });
    const first = await openSse(`${a.url}/api/rollouts/${id}/events`);
    const f = follow();
    f.apply((await first.next())!);
    await run(a, id);
    // Disconnect once the delay runs, then wait for the end through the plain API.
    f.apply(await first.until((e) => e.event === "change" && e.data.tasks?.some((t: Json) => t.id === 2 && t.status === "started")));
    first.close();
    for (let i = 0; i < 100 && (await a.api<Json>("GET", `/api/rollouts/${id}`)).body.status !== "finished"; i++) await new Promise((r) => setTimeout(r, 50));
    const again = await openSse(`${a.url}/api/rollouts/${id}/events`, { "Last-Event-ID": f.state.lastId });
    const catchUp = (await again.next())!;
    expect(catchUp.event).toBe("change"); // not a new snapshot: only what was missed
    f.apply(catchUp);
    expect((await again.next())!.event).toBe("end");
    expect(f.state.status).toBe("finished");
    expect([...f.state.tasks.values()]).toEqual(["finished", "finished", "finished", "finished", "finished"]);
  });

  it("changes made through another instance arrive", async () => {
    const id = await created(b, { seq: [{ noop: "x" }, { delay: 1 }] });
    const sse = await openSse(`${a.url}/api/rollouts/${id}/events`);
    const f = follow();
    f.apply((await sse.next())!);
    await run(b, id);
    await b.api("POST", `/api/rollouts/${id}/signals/abort_rollout`).catch(() => {});
    const end = await sse.until((e) => {
      f.apply(e);
      return e.event === "end";
    });
    expect(["rolled_back", "finished"]).toContain(end.data.status);
    expect(f.state.status).toBe(end.data.status);
  });

  it("404 for an unknown rollout, 400 for a bad logs list", async () => {
    const unknown = await a.api<Json>("GET", "/api/rollouts/999999/events");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatch(/No rollout with id 999999/);
    const id = await created(a, { noop: true });
    expect((await a.api<Json>("GET", `/api/rollouts/${id}/events?logs=everything`)).status).toBe(400);
  });

  it("a client that stops reading is dropped, and the server's memory stays flat", async () => {
    const waves = Array.from({ length: 5 }, () => ({ par: Array.from({ length: 3000 }, () => ({ noop: true })) }));
    const id = await created(a, { seq: waves });
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${a.proc.pid}/status`, "utf8"))![1]) / 1024;
    const before = rss();
    // A raw connection that asks for the stream and then never reads.
    const socket = net.connect(a.port, "127.0.0.1");
    await new Promise((r) => socket.once("connect", r));
    socket.write(`GET /api/rollouts/${id}/events HTTP/1.1\r\nHost: 127.0.0.1:${a.port}\r\nAccept: text/event-stream\r\n\r\n`);
    socket.pause();
    let closedByServer = false;
    socket.on("end", () => (closedByServer = true));
    await run(a, id);
    for (let i = 0; i < 400 && (await a.api<Json>("GET", `/api/rollouts/${id}?tasks=summary`)).body.status !== "finished"; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const after = rss();
    console.log(`stalled client: server RSS ${before.toFixed(0)} MB before, ${after.toFixed(0)} MB after 15 000 tasks`);
    // Now read what was sent: the server cut the stream off before the end, rather than queueing it all.
    let text = "";
    socket.on("data", (d) => (text += d.toString()));
    socket.resume();
    for (let i = 0; i < 100 && !closedByServer; i++) await new Promise((r) => setTimeout(r, 100));
    socket.destroy();
    expect(closedByServer).toBe(true);
    expect(text).toContain("event: snapshot");
    expect(text).not.toContain("event: end");
    expect(after - before).toBeLessThan(250);
  });
});

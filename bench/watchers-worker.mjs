// W8's watchers, in a worker thread of their own: each opens the rollout's event
// stream like a browser would, and notes, for every task record a change event
// brings, how long after its recorded time it arrived. In plain JavaScript so a
// worker needs no loader. (Watchers in the bench's main thread measured the
// bench's own queueing: one thread parsing 500 streams was the bottleneck.)
import { parentPort, workerData } from "node:worker_threads";

const { url, count } = workerData;

async function watch(finished) {
  const res = await fetch(url, { headers: { accept: "text/event-stream" } });
  if (res.status !== 200) throw new Error(`events: ${res.status}`);
  const latencies = [];
  const decoder = new TextDecoder();
  let buf = "";
  let opened = false;
  for await (const chunk of res.body) {
    if (!opened) {
      opened = true;
      parentPort.postMessage({ type: "open" });
    }
    buf += decoder.decode(chunk, { stream: true });
    let at;
    while ((at = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, at);
      buf = buf.slice(at + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      if (event === "end") return latencies;
      if (event !== "change") continue;
      const arrived = Date.now();
      const data = JSON.parse(/^data: (.*)$/m.exec(block)[1]);
      for (const t of data.tasks ?? []) {
        const written = Math.max(t.run?.startedAt ?? 0, t.run?.finishedAt ?? 0, t.run?.failedAt ?? 0);
        if (written) latencies.push(arrived - written);
        if (t.run?.finishedAt) finished.add(t.id);
      }
    }
  }
  return latencies;
}

const sets = Array.from({ length: count }, () => new Set());
const results = await Promise.all(sets.map((finished) => watch(finished).catch(() => [])));
parentPort.postMessage({ type: "done", latencies: results.flat(), finished: sets.map((s) => s.size) });

// The 1 MB request of issue 18, against the production server with the heap
// limit of the documented container (1 GB: --max-old-space-size=512): the demo
// kind with 500 hosts and a version of nearly 1 MB, which the version is copied
// into every task. Prints the answer, the time it took, the server's peak RSS
// (VmHWM) and whether the server is still up and answering.
// Run: npx tsx bench/hostile-request.ts [--heap=512] (needs a production build).
import fs from "node:fs";
import { startServer } from "../test/helpers/server";

const heapMb = Number(process.argv.find((a) => a.startsWith("--heap="))?.slice(7) ?? 512);
const rssOf = (pid: number, field: "VmHWM" | "VmRSS") => {
  const m = fs.readFileSync(`/proc/${pid}/status`, "utf8").match(new RegExp(`${field}:\\s+(\\d+) kB`));
  return m ? Math.round(Number(m[1]) / 1024) : 0;
};

const server = await startServer({ nodeArgs: [`--max-old-space-size=${heapMb}`], env: { KETTLE_ROLLOUT_CLS: "rollout:MyRollout,demo:DemoRollout" } });
const pid = server.proc.pid!;
const before = rssOf(pid, "VmRSS");
const hosts = Array.from({ length: 500 }, (_, i) => `web-${String(i).padStart(3, "0")}`);
const version = "1".repeat(1_048_576 - 20 - JSON.stringify(hosts).length - 64);
const body = JSON.stringify({ kind: "demo:DemoRollout", config: { version, hosts } });
// Sampled while the request runs: a server that dies takes its /proc entry with it.
let peak = before;
const sampler = setInterval(() => {
  try {
    peak = Math.max(peak, rssOf(pid, "VmHWM"));
  } catch {
    // gone
  }
}, 20);
const started = Date.now();
let answer: string;
try {
  const res = await fetch(`${server.url}/api/rollouts`, { method: "POST", headers: { "content-type": "application/json" }, body });
  const text = await res.text();
  answer = `${res.status} ${text.length > 160 ? `${text.slice(0, 160)}… (${text.length} bytes)` : text}`;
} catch (e) {
  answer = `no answer: ${(e as Error).message}`;
}
const ms = Date.now() - started;
const stillAnswers = (await fetch(`${server.url}/api/rollouts`).then((r) => r.status, () => 0)) === 200;
clearInterval(sampler);
const alive = server.proc.exitCode === null && server.proc.signalCode === null;
if (alive) peak = Math.max(peak, rssOf(pid, "VmHWM"));
console.log(`body ${body.length} bytes, --max-old-space-size=${heapMb}`);
console.log(`answer: ${answer}`);
console.log(`time ${ms} ms; RSS before ${before} MB, peak ${peak} MB${alive ? "" : " (then it died)"}; server ${stillAnswers ? "still answers" : "is down"}`);
if (!stillAnswers) console.log(server.output().split("\n").filter((l) => /heap|memory|Error/i.test(l)).slice(0, 8).join("\n"));
await server.stop();

// `kettle`: Kettle from a terminal or a pipeline, through the server's JSON API.
// Arguments are parsed by commander; this file only says what each command does.
//
// Exit codes: 0 finished, 1 rolled back, 2 rollback failed, 3 refused (bad input,
// any 4xx), 4 timed out waiting, 5 cannot reach the server (or it failed: 5xx),
// 6 superseded (a newer queued run replaced it), 7 refused by a freeze window.
import fs from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { Client, CliError, EXIT } from "./client";
import { duration, isDone, progressLine, showText, treeLines, type RolloutJson } from "./view";
import { backup } from "./backup";
import { decidePlan } from "./plan-approval";
import { addScheduleCommands } from "./schedule";

type Globals = { url: string; token?: string; json?: boolean };

const program = new Command("kettle")
  .description("Start, watch and steer Kettle rollouts through a Kettle server's API")
  .addOption(new Option("--url <url>", "the Kettle server").env("KETTLE_URL").default("http://localhost:5000"))
  .addOption(new Option("--token <token>", "an API token (Authorization: Bearer)").env("KETTLE_TOKEN"))
  .option("--json", "print machine-readable JSON on stdout")
  .showHelpAfterError()
  .exitOverride()
  .addHelpText(
    "after",
    "\nExit codes: 0 finished, 1 rolled back, 2 rollback failed, 3 refused (bad input, 4xx),\n            4 timed out waiting, 5 cannot reach the server, 6 superseded in its queue,\n            7 refused by a freeze window",
  );

/** The options given before or after the command's name. */
function globals(cmd: Command): Globals {
  return cmd.optsWithGlobals() as Globals;
}
const clientOf = (g: Globals) => new Client({ url: g.url, token: g.token });
const out = (s: string): void => void process.stdout.write(s.endsWith("\n") ? s : s + "\n");
const printJson = (v: unknown): void => out(JSON.stringify(v, null, 2));

function rolloutId(value: string): string {
  if (value !== "latest" && !/^\d{1,15}$/.test(value)) throw new CliError(EXIT.refused, `A rollout id is a number (or "latest"), not "${value}"`);
  return value;
}
function taskId(value: string): string {
  if (!/^\d{1,9}$/.test(value)) throw new CliError(EXIT.refused, `A task id is a number, not "${value}"`);
  return value;
}

/** "30m", "90s", "1h30m", "500ms", or a plain number of seconds → ms. */
export function parseDuration(text: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  let total = 0;
  let consumed = "";
  for (const m of t.matchAll(re)) {
    total += Number(m[1]) * unit[m[2]];
    consumed += m[0];
  }
  if (!consumed || consumed !== t) throw new CliError(EXIT.refused, `Not a duration: "${text}" (e.g. 90s, 30m, 1h30m)`);
  return Math.round(total);
}

const exitFor = (status: string) =>
  status === "finished" ? EXIT.finished : status === "rolled_back" ? EXIT.rolledBack : status === "rollback_failed" ? EXIT.rollbackFailed : status === "superseded" ? EXIT.superseded : EXIT.timedOut;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Follows a rollout until it is done (or the timeout): a live line on a terminal,
 * plain lines when something changes otherwise (and every 30 s while nothing does).
 */
async function waitUntilDone(client: Client, id: string, opts: { timeoutMs?: number; json?: boolean; intervalMs: number }): Promise<number> {
  const stream = opts.json ? process.stderr : process.stdout;
  const tty = !!stream.isTTY && !process.env.CI;
  const began = Date.now();
  let lastKey = "";
  let lastPrinted = 0;
  let unreachableSince: number | null = null;
  let reached = false;
  let live = false;
  const clearLive = () => {
    if (live) stream.write("\r\x1b[K");
    live = false;
  };
  for (;;) {
    let r: RolloutJson;
    try {
      r = await client.request<RolloutJson>("GET", `/api/rollouts/${id}`);
      unreachableSince = null;
      reached = true;
    } catch (e) {
      // A restart of the server (or a blip) is not the rollout's end: keep trying for a minute.
      if (reached && e instanceof CliError && e.exitCode === EXIT.unreachable) {
        unreachableSince ??= Date.now();
        if (Date.now() - unreachableSince < 60_000 && !(opts.timeoutMs !== undefined && Date.now() - began > opts.timeoutMs)) {
          await sleep(opts.intervalMs);
          continue;
        }
      }
      clearLive();
      throw e;
    }
    const elapsed = (r.now ?? Date.now()) - (r.rolloutStartedAt ?? began);
    const line = progressLine(r, elapsed);
    const key = progressLine({ ...r, tasks: stripProgress(r.tasks) }, 0);
    if (tty) {
      const width = Math.max(20, (stream.columns || 100) - 1);
      stream.write(`\r\x1b[K${line.length > width ? line.slice(0, width - 1) + "…" : line}`);
      live = true;
    } else if (key !== lastKey || Date.now() - lastPrinted >= 30_000) {
      stream.write(line + "\n");
      lastKey = key;
      lastPrinted = Date.now();
    }
    if (isDone(r.status)) {
      clearLive();
      const took = r.rolloutStartedAt ? duration((r.rollbackFinishedAt ?? r.rolloutFinishedAt ?? r.now ?? Date.now()) - r.rolloutStartedAt) : "";
      stream.write(`Rollout ${r.id} ${r.status.replace(/_/g, " ")}${took ? ` after ${took}` : ""}\n`);
      if (r.status !== "finished") for (const l of treeLines(r.tasks)) stream.write(`  ${l}\n`);
      if (opts.json) printJson(r);
      return exitFor(r.status);
    }
    if (opts.timeoutMs !== undefined && Date.now() - began >= opts.timeoutMs) {
      clearLive();
      stream.write(`Timed out after ${duration(opts.timeoutMs)}: rollout ${r.id} is still ${r.status.replace(/_/g, " ")}\n`);
      if (opts.json) printJson(r);
      return EXIT.timedOut;
    }
    await sleep(opts.intervalMs);
  }
}

function stripProgress(t: RolloutJson["tasks"]): RolloutJson["tasks"] {
  return t && { ...t, progress: null, children: t.children.map((c) => stripProgress(c)!) };
}

/** Sets `a.b.c` in an object to a JSON value (or the text as it is when it is not JSON). */
function setPath(target: Record<string, unknown>, assignment: string) {
  const i = assignment.indexOf("=");
  if (i <= 0) throw new CliError(EXIT.refused, `--set takes key=value, not "${assignment}"`);
  const keys = assignment.slice(0, i).split(".");
  const raw = assignment.slice(i + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // a plain string
  }
  let obj = target;
  for (const k of keys.slice(0, -1)) {
    if (typeof obj[k] !== "object" || obj[k] === null || Array.isArray(obj[k])) obj[k] = {};
    obj = obj[k] as Record<string, unknown>;
  }
  obj[keys[keys.length - 1]] = value;
}

function readConfig(source: string | undefined): Record<string, unknown> {
  if (source === undefined) return {};
  let text: string;
  try {
    text = source === "-" ? fs.readFileSync(0, "utf8") : fs.readFileSync(source, "utf8");
  } catch (e) {
    throw new CliError(EXIT.refused, `Cannot read the config ${source === "-" ? "from standard input" : `file ${source}`}: ${(e as Error).message}`);
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("it must be a JSON object");
    return v as Record<string, unknown>;
  } catch (e) {
    throw new CliError(EXIT.refused, `The config ${source === "-" ? "on standard input" : `in ${source}`} is not valid: ${(e as Error).message}`);
  }
}

const collect = (v: string, prev: string[]) => [...prev, v];

program
  .command("list")
  .description("the latest rollouts, newest first")
  .option("--status <status>", "only rollouts with this status (e.g. started, finished, rolled_back)")
  .option("--kind <kind>", "only rollouts of this kind (e.g. rollout:MyRollout)")
  .option("--limit <n>", "at most this many", "20")
  .option("--hidden", "the hidden rollouts instead")
  .action(async (opts: { status?: string; kind?: string; limit: string; hidden?: boolean }, cmd: Command) => {
    const g = globals(cmd);
    const client = clientOf(g);
    const limit = Math.max(1, Number(opts.limit) || 20);
    const found: RolloutJson[] = [];
    // The API pages newest first; filters are applied here, over at most 10 pages of 200.
    for (let page = 1; page <= 10 && found.length < limit; page++) {
      const res = await client.request<{ rollouts: RolloutJson[]; pages: number }>("GET", `/api/rollouts?page=${page}&perPage=200${opts.hidden ? "&hidden=1" : ""}`);
      found.push(...res.rollouts.filter((r) => (!opts.status || r.status === opts.status) && (!opts.kind || r.kind === opts.kind)));
      if (page >= res.pages) break;
    }
    const rows = found.slice(0, limit);
    if (g.json) return printJson(rows);
    if (!rows.length) return out("No rollouts");
    const table = rows.map((r) => [String(r.id), r.status, r.kind, r.user ?? "anonymous", r.rolloutStartedAt ? new Date(r.rolloutStartedAt).toISOString() : "-"]);
    const head = ["ID", "STATUS", "KIND", "BY", "STARTED"];
    const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
    for (const row of [head, ...table]) out(row.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd());
  });

program
  .command("show")
  .description("a rollout: status, times, its task tree, what waits for a person")
  .argument("<id>", "rollout id or latest", rolloutId)
  .action(async (id: string, _opts: unknown, cmd: Command) => {
    const g = globals(cmd);
    const client = clientOf(g);
    const r = await client.request<RolloutJson>("GET", `/api/rollouts/${id}`);
    if (g.json) return printJson(r);
    out(showText(r, client.pageUrl(`/rollouts/${r.id}`)));
  });

program
  .command("new")
  .description("create and finalise a rollout (the server validates the config)")
  .option("--kind <kind>", "the rollout kind (default: the server's first)")
  .option("--config <file>", "the config as a JSON file, or - for standard input")
  .option("--set <key=value>", "set one config field (a JSON value or text; a.b for nested); repeatable", collect, [])
  .action(async (opts: { kind?: string; config?: string; set: string[] }, cmd: Command) => {
    const g = globals(cmd);
    const client = clientOf(g);
    const config = readConfig(opts.config);
    for (const s of opts.set) setPath(config, s);
    const r = await client.request<RolloutJson>("POST", "/api/rollouts", { ...(opts.kind ? { kind: opts.kind } : {}), config });
    if (g.json) return printJson(r);
    out(`Created rollout ${r.id} (${r.kind}): ${client.pageUrl(`/rollouts/${r.id}`)}`);
    for (const l of treeLines(r.tasks)) out(`  ${l}`);
    out(`Run it with: kettle run ${r.id} --wait`);
  });

program
  .command("run")
  .description("start a rollout; --wait follows it to the end and exits with its outcome")
  .argument("<id>", "rollout id", rolloutId)
  .option("--wait", "follow it until it is done")
  .option("--override <reason>", "admins: run it despite the freeze windows, saying why (audited)")
  .option("--timeout <duration>", "with --wait: give up waiting after this long (e.g. 30m); exit 4")
  .addOption(new Option("--interval <ms>", "how often to ask for progress").default("1000").hideHelp())
  .action(async (id: string, opts: { wait?: boolean; override?: string; timeout?: string; interval: string }, cmd: Command) => {
    const g = globals(cmd);
    const client = clientOf(g);
    const timeoutMs = opts.timeout ? parseDuration(opts.timeout) : undefined;
    const ran = await client.request<RolloutJson & { queue?: { position: number } | null }>("POST", `/api/rollouts/${id}/run`, opts.override ? { override: opts.override } : {});
    const said = ran.status === "queued" ? `queued (position ${ran.queue?.position ?? "?"} in its kind's queue)` : "started";
    if (!opts.wait) {
      if (g.json) return printJson(await client.request("GET", `/api/rollouts/${id}`));
      return out(`Rollout ${id} ${said}: ${client.pageUrl(`/rollouts/${id}`)}`);
    }
    (g.json ? process.stderr : process.stdout).write(`Rollout ${id} ${said}: ${client.pageUrl(`/rollouts/${id}`)}\n`);
    process.exitCode = await waitUntilDone(client, id, { timeoutMs, json: g.json, intervalMs: Number(opts.interval) || 1000 });
  });

program
  .command("wait")
  .description("follow a rollout until it is done; exits with its outcome (0 finished, 1 rolled back, 2 rollback failed, 4 timed out, 6 superseded)")
  .argument("<id>", "rollout id or latest", rolloutId)
  .option("--timeout <duration>", "give up after this long (e.g. 30m, 90s)")
  .addOption(new Option("--interval <ms>", "how often to ask for progress").default("1000").hideHelp())
  .action(async (id: string, opts: { timeout?: string; interval: string }, cmd: Command) => {
    const g = globals(cmd);
    const timeoutMs = opts.timeout ? parseDuration(opts.timeout) : undefined;
    process.exitCode = await waitUntilDone(clientOf(g), id, { timeoutMs, json: g.json, intervalMs: Number(opts.interval) || 1000 });
  });

program
  .command("signal")
  .description("send a signal: abort_rollout, term_rollout, skip_rollback, abort_rollback, term_rollback, pause_rollout, resume_rollout")
  .argument("<id>", "rollout id", rolloutId)
  .argument("<name>", "the signal")
  .option("--comment <text>", "why (kept with the signal)")
  .action(async (id: string, name: string, opts: { comment?: string }, cmd: Command) => {
    const g = globals(cmd);
    const res = await clientOf(g).request("POST", `/api/rollouts/${id}/signals/${encodeURIComponent(name)}`, opts.comment ? { comment: opts.comment } : {});
    if (g.json) return printJson(res);
    out(`Sent ${name} to rollout ${id}`);
  });

for (const [decision, what] of [
  ["approve", "approve a task waiting for approval"],
  ["reject", "reject a task waiting for approval (it fails)"],
  ["retry", "run a failed task again (the rollout is paused on it)"],
  ["skip", "skip a failed task (the run carries on as if it had finished)"],
] as const) {
  program
    .command(decision)
    .description(what)
    .argument("<id>", "rollout id", rolloutId)
    .argument("<task>", "task id", taskId)
    .option("--comment <text>", "why (kept with the decision)")
    .action(async (id: string, task: string, opts: { comment?: string }, cmd: Command) => {
      const g = globals(cmd);
      const r = await clientOf(g).request<RolloutJson>("POST", `/api/rollouts/${id}/tasks/${task}/${decision}`, opts.comment ? { comment: opts.comment } : {});
      if (g.json) return printJson(r);
      out(`${decision[0].toUpperCase()}${decision.slice(1)}: task ${task} of rollout ${id} (the rollout is ${r.status.replace(/_/g, " ")})`);
    });
}

for (const decision of ["approve", "reject"] as const) {
  program
    .command(`${decision}-plan`)
    .description(`${decision} the plan a rollout will run (kinds whose plans need approval), as the server shows it now`)
    .argument("<id>", "rollout id", rolloutId)
    .option("--comment <text>", "why (kept with the decision)")
    .action(async (id: string, opts: { comment?: string }, cmd: Command) => {
      const g = globals(cmd);
      const { rollout, line } = await decidePlan(clientOf(g), id, decision, opts.comment);
      if (g.json) return printJson(rollout);
      out(line);
    });
}

program
  .command("logs")
  .description("a rollout's log (or its rollback log with --revert), or a task's run (or revert) log")
  .argument("<id>", "rollout id or latest", rolloutId)
  .option("--task <task>", "a task's log instead of the rollout's", taskId)
  .option("--revert", "the revert log (of the task), or the rollback log (of the rollout)")
  .option("--follow", "keep printing new lines until the rollout is done")
  .addOption(new Option("--interval <ms>", "how often to look for new lines").default("1000").hideHelp())
  .action(async (id: string, opts: { task?: string; revert?: boolean; follow?: boolean; interval: string }, cmd: Command) => {
    const g = globals(cmd);
    const client = clientOf(g);
    const stream = opts.task ? (opts.revert ? "revert" : "run") : opts.revert ? "rollback" : "rollout";
    const path = opts.task ? `/api/rollouts/${id}/tasks/${opts.task}/logs/${stream}` : `/api/rollouts/${id}/logs/${stream}`;
    let after = 0;
    for (;;) {
      const { lines } = await client.request<{ lines: { id: number; at: number; line: string }[] }>("GET", `${path}?format=json&after=${after}`);
      for (const l of lines) out(g.json ? JSON.stringify(l) : `${new Date(l.at).toISOString()} ${l.line}`);
      if (lines.length) after = lines[lines.length - 1].id;
      if (!opts.follow) return;
      if (!lines.length) {
        const r = await client.request<RolloutJson>("GET", `/api/rollouts/${id}`);
        if (isDone(r.status)) {
          // one last read: lines written just before the end
          const rest = await client.request<{ lines: { id: number; at: number; line: string }[] }>("GET", `${path}?format=json&after=${after}`);
          for (const l of rest.lines) out(g.json ? JSON.stringify(l) : `${new Date(l.at).toISOString()} ${l.line}`);
          return;
        }
        await sleep(Number(opts.interval) || 1000);
      }
    }
  });

program
  .command("lock")
  .description("lock a rollout kind: Run is refused until it is unlocked")
  .argument("<kind>", "the rollout kind, e.g. rollout:MyRollout")
  .requiredOption("--reason <text>", "why (shown to whoever tries to run it)")
  .action(async (kind: string, opts: { reason: string }, cmd: Command) => {
    const g = globals(cmd);
    const res = await clientOf(g).request("POST", `/api/kinds/${encodeURIComponent(kind)}/lock`, { reason: opts.reason });
    if (g.json) return printJson(res);
    out(`Locked ${kind}: ${opts.reason}`);
  });

program
  .command("unlock")
  .description("unlock a rollout kind")
  .argument("<kind>", "the rollout kind")
  .action(async (kind: string, _opts: unknown, cmd: Command) => {
    const g = globals(cmd);
    const res = await clientOf(g).request("DELETE", `/api/kinds/${encodeURIComponent(kind)}/lock`);
    if (g.json) return printJson(res);
    out(`Unlocked ${kind}`);
  });

program
  .command("backup")
  .description("write a consistent copy of the server's live database to FILE (admins); restore: see the README")
  .argument("<file>", "where to write it (must not exist)")
  .action(async (file: string, _opts: unknown, cmd: Command) => {
    const g = globals(cmd);
    const res = await backup(clientOf(g), file);
    if (g.json) return printJson(res);
    out(`Backed up to ${res.file} (${(res.bytes / 1024 / 1024).toFixed(1)} MB)`);
  });

addScheduleCommands(program, { globals, clientOf, out, printJson, rolloutId });

function fail(e: unknown): number {
  if (e instanceof CommanderError) {
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help" || e.exitCode === 0) return 0;
    return EXIT.refused; // a usage error: commander has printed it
  }
  const json = process.argv.includes("--json");
  if (e instanceof CliError) {
    if (json) printJson({ error: e.message, ...(e.status ? { status: e.status } : {}), ...(e.body?.fields ? { fields: e.body.fields } : {}), exitCode: e.exitCode });
    process.stderr.write(`kettle: ${e.message}\n`);
    const fields = e.body?.fields as Record<string, string[]> | undefined;
    if (fields && !json) for (const [k, msgs] of Object.entries(fields)) process.stderr.write(`  ${k === "_" ? "(config)" : k}: ${msgs.join("; ")}\n`);
    return e.exitCode;
  }
  process.stderr.write(`kettle: ${(e as Error)?.stack ?? String(e)}\n`);
  return EXIT.unreachable;
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  process.exitCode = fail(e);
}

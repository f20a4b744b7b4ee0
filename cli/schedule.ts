// When rollouts may run (issue 21) from a terminal: freeze windows (list,
// define, delete), an admin's override, scheduled runs, and a kind's queue.
import type { Command } from "commander";
import type { Client } from "./client";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Helpers = {
  globals(cmd: Command): { json?: boolean };
  clientOf(g: object): Client;
  out(s: string): void;
  printJson(v: unknown): void;
  rolloutId(value: string): string;
};

const at = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString().replace(".000Z", "Z") : "-");

export function addScheduleCommands(program: Command, h: Helpers): void {
  const act = (cmd: Command) => ({ g: h.globals(cmd), client: h.clientOf(h.globals(cmd)) });

  program
    .command("freezes")
    .description("list the freeze windows: on now, next, which kinds")
    .action(async (_o: unknown, cmd: Command) => {
      const { g, client } = act(cmd);
      const { freezes } = await client.request<{ freezes: Json[] }>("GET", "/api/freezes");
      if (g.json) return h.printJson(freezes);
      if (!freezes.length) return h.out("No freeze windows");
      for (const f of freezes) {
        const when = f.activeNow ? `ON until ${at(f.activeNow.end)}` : f.nextStart ? `next ${at(f.nextStart.start)} – ${at(f.nextStart.end)}` : "not again";
        const rule = f.rrule ? `RRULE ${f.rrule}` : f.cron ? `cron ${f.cron}` : "one-off";
        h.out(`${f.id}\t${f.mode}\t${f.name}\t${when}\t${rule} (${f.timeZone})\t${f.kinds ? f.kinds.join(",") : "every kind"}${f.reason ? `\t${f.reason}` : ""}`);
      }
    });

  program
    .command("freeze")
    .description("define a freeze window (admins): --start and --end, or --cron / --rrule (with --start) and --duration")
    .argument("<name>", "its name")
    .option("--reason <text>", "why")
    .option("--allow", "an allow window: runs only then (a deny window wins)")
    .option("--kinds <list>", "comma-separated kinds (default: every kind)")
    .option("--start <iso>", "one-off start, or an rrule's first occurrence")
    .option("--end <iso>", "one-off end")
    .option("--cron <expr>", "cron expression for each start")
    .option("--rrule <rule>", "RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=FR")
    .option("--duration <iso>", "ISO 8601 duration of each occurrence, e.g. PT64H")
    .option("--tz <zone>", "IANA time zone, e.g. Europe/Berlin", "UTC")
    .action(async (name: string, o: Json, cmd: Command) => {
      const { g, client } = act(cmd);
      const body = { name, reason: o.reason, mode: o.allow ? "allow" : "deny", kinds: o.kinds ? String(o.kinds).split(",") : undefined, start: o.start, end: o.end, cron: o.cron, rrule: o.rrule, duration: o.duration, timeZone: o.tz };
      const f = await client.request<Json>("POST", "/api/freezes", body);
      if (g.json) return h.printJson(f);
      h.out(`Freeze window ${f.id} "${f.name}" defined${f.activeNow ? `: on now, until ${at(f.activeNow.end)}` : f.nextStart ? `: next ${at(f.nextStart.start)}` : ""}`);
    });

  program
    .command("unfreeze")
    .description("delete a freeze window (admins): rollouts it paused resume by themselves")
    .argument("<id>", "the window's id")
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const { g, client } = act(cmd);
      const res = await client.request("DELETE", `/api/freezes/${encodeURIComponent(id)}`);
      if (g.json) return h.printJson(res);
      h.out(`Freeze window ${id} deleted`);
    });

  program
    .command("override")
    .description("let a rollout run through the freeze windows (admins; audited); one a freeze paused resumes")
    .argument("<id>", "rollout id", h.rolloutId)
    .requiredOption("--reason <text>", "why")
    .action(async (id: string, o: { reason: string }, cmd: Command) => {
      const { g, client } = act(cmd);
      const res = await client.request<Json>("POST", `/api/rollouts/${id}/override`, { reason: o.reason });
      if (g.json) return h.printJson(res);
      h.out(`Rollout ${id} may run through the freezes${res.resumed ? " (resumed)" : ""}`);
    });

  program
    .command("schedule")
    .description("schedule a rollout's run at a time (ISO 8601 with an offset); its plan is checked again then")
    .argument("<id>", "rollout id", h.rolloutId)
    .argument("<at>", "when, e.g. 2026-12-22T09:00:00+01:00")
    .option("--override <reason>", "admins: into a freeze window, saying why")
    .action(async (id: string, when: string, o: { override?: string }, cmd: Command) => {
      const { g, client } = act(cmd);
      const r = await client.request<Json>("POST", `/api/rollouts/${id}/schedule`, { at: when, ...(o.override ? { override: o.override } : {}) });
      if (g.json) return h.printJson(r);
      h.out(`Rollout ${id} will run at ${at(r.schedule?.at)}`);
    });

  program
    .command("unschedule")
    .description("cancel a rollout's scheduled run")
    .argument("<id>", "rollout id", h.rolloutId)
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const { g, client } = act(cmd);
      const r = await client.request<Json>("DELETE", `/api/rollouts/${id}/schedule`);
      if (g.json) return h.printJson(r);
      h.out(`Rollout ${id}: scheduled run cancelled`);
    });

  for (const [action, what] of [
    ["cancel", "take a queued rollout out of its kind's queue (it goes back to not started)"],
    ["front", "move a queued rollout to the front of its kind's queue (admins)"],
  ] as const) {
    program
      .command(`queue-${action}`)
      .description(what)
      .argument("<id>", "rollout id", h.rolloutId)
      .action(async (id: string, _o: unknown, cmd: Command) => {
        const { g, client } = act(cmd);
        const r = await client.request<Json>("POST", `/api/rollouts/${id}/queue/${action}`);
        if (g.json) return h.printJson(r);
        h.out(action === "cancel" ? `Rollout ${id} left the queue (${r.status.replace(/_/g, " ")})` : `Rollout ${id} is first in its queue (position ${r.queue?.position})`);
      });
  }
}

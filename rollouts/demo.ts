// A second example that shows Kettle's features off, runnable on this machine
// with no outside service: a generated config form (Basic and Advanced), a
// gradual rollout over a list of hosts with shell commands, monitors, approval
// gates between waves and a pause on failure (CarefulDemoRollout), and health
// analysis after each wave against a simulated error rate the demo serves itself
// on a loopback port (AnalysedDemoRollout).
// Offer them next to the guide's example with
//   KETTLE_ROLLOUT_CLS=rollout:MyRollout,demo:DemoRollout,demo:CarefulDemoRollout
import fs from "node:fs";
import { z } from "zod";
import { Rollout, ShellTask, SequentialExecTask, gradualExec, gradualSequentialExec, gradualGroups, type Monitor, type ShellState, type Task, type GradualOptions } from "@/lib/kettle";
import { demoMetricUrl, serveDemoMetric } from "./demo-metric";

// A host name as DNS allows it: labels of 1 to 63 letters, digits and dashes (not
// at either end), dot-separated, 253 characters in all. The version and the host
// are copied into every task of the host: bounded here, a config cannot make a
// plan much bigger than the hosts it names.
const label = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const hostPattern = new RegExp(`^(?=.{1,253}$)${label}(?:\\.${label})*$`);
const MAX_VERSION = 64;

const approvalField = (byDefault: "none" | "instead-of-delay" | "after-delay") =>
  z
    .enum(["none", "instead-of-delay", "after-delay"])
    .default(byDefault)
    .meta({
      title: "Approval between waves",
      description: "Someone approves each wave on the rollout page before it starts.",
      options: { none: "No approval", "instead-of-delay": "Instead of the delay", "after-delay": "After the delay" },
    });

const demoConfig = z.object({
  // Basic
  version: z
    .string()
    .trim()
    .min(1, "Say which version to deploy")
    .max(MAX_VERSION, `At most ${MAX_VERSION} characters`)
    .regex(/^[\w.+-]+$/, "Letters, digits, dots, dashes and pluses only")
    .default("1.4.2")
    .meta({ title: "Version", description: "The release to deploy.", placeholder: "e.g. 1.4.2" }),
  hosts: z
    .array(z.string().trim().regex(hostPattern, "Not a host name"))
    .min(1, "Name at least one host")
    .max(500, "At most 500 hosts")
    .default(["web-01", "web-02", "web-03", "web-04", "web-05", "web-06"])
    .meta({ title: "Hosts", description: "One per line. The first host goes alone, then up to half of them, then the rest." }),
  waveDelaySecs: z
    .number()
    .int("A whole number of seconds")
    .min(1)
    .max(600)
    .default(5)
    .meta({ title: "Delay between waves (seconds)", description: "Time to watch each wave before the next one starts." }),
  order: z
    .enum(["parallel", "sequential"])
    .default("parallel")
    .meta({
      title: "Within a wave",
      options: { parallel: "All hosts at once", sequential: "One host after another" },
    }),
  healthCheck: z.boolean().default(true).meta({ title: "Check each host's health after deploying" }),
  approval: approvalField("none"),
  // Advanced
  monitors: z
    .array(z.enum(["stopFile", "errorRate"]))
    .default(["stopFile"])
    .meta({
      title: "Monitors",
      description: "Run beside the rollout; any of them can abort it, which rolls back what ran.",
      options: { stopFile: "Stop file (aborts when the file exists)", errorRate: "Error rate (a simulated one)" },
    }),
  stopFile: z
    .string()
    .trim()
    .min(1)
    .max(4096)
    .default("/tmp/kettle-demo-stop")
    .meta({ title: "Stop file", description: "With the stop-file monitor: `touch` this file to abort the rollout." }),
  maxErrorRate: z
    .number()
    .min(0)
    .max(100)
    .default(5)
    .meta({ title: "Highest error rate (%)", description: "With the error-rate monitor: abort above this. The simulated rate wanders between 0 and 3%." }),
  failHost: z
    .string()
    .trim()
    .refine((h) => h === "" || hostPattern.test(h), "Not a host name")
    .optional()
    .meta({ title: "Make this host fail", description: "Its deploy exits with an error, to watch a rollback." }),
  notes: z
    .string()
    .max(2000)
    .default("")
    .meta({ title: "Notes", description: "Shown on the rollout's page.", multiline: true }),
});

export type DemoConfig = z.infer<typeof demoConfig>;

type HostState = ShellState & { host: string; version: string };

/** Deploys one host (a shell command that pretends to), and reverts it. */
export class DeployHostTask extends ShellTask {
  declare state: HostState;
  description() {
    return `Deploy ${this.state.version} to ${this.state.host}`;
  }
}

/** Checks one host's health (a shell command that pretends to). */
export class CheckHostTask extends ShellTask {
  declare state: HostState;
  description() {
    return `Check ${this.state.host} is healthy`;
  }
}

/** A host's steps (deploy, then check), one after another. */
export class HostStepsTask extends SequentialExecTask {
  description() {
    return `${(this.state as { host?: string }).host ?? "Host"}: deploy, then check`;
  }
}

const sh = (script: string) => ["sh", "-c", script];

function hostTask(config: DemoConfig, host: string): Task {
  const env = { HOST: host, VERSION: config.version };
  const fails = !!config.failHost && config.failHost === host;
  const deploy = new DeployHostTask({
    host,
    version: config.version,
    env,
    command: sh(
      fails
        ? 'echo "deploying $VERSION to $HOST"; sleep 1; echo "error: $HOST refused $VERSION (disk full)" >&2; exit 1'
        : 'echo "deploying $VERSION to $HOST"; sleep 1; echo "unpacked $VERSION on $HOST"; sleep 1; echo "restarted $HOST"',
    ),
    revertCommand: sh('echo "restoring the previous version on $HOST"; sleep 1; echo "restored $HOST"'),
  } as HostState);
  if (!config.healthCheck) return deploy;
  const check = new CheckHostTask({
    host,
    version: config.version,
    env,
    command: sh('echo "GET http://$HOST/health"; sleep 0.5; echo "200 OK: $HOST runs $VERSION"'),
  } as HostState);
  const steps = new HostStepsTask([deploy, check]);
  (steps.state as { host?: string }).host = host;
  return steps;
}

const monitors: Record<string, Monitor> = {
  stopFile: async (ctx) => {
    const file = String(ctx.config.stopFile ?? "/tmp/kettle-demo-stop");
    ctx.log(`stop-file monitor: watching ${file}`);
    while (await ctx.sleep(500)) {
      if (fs.existsSync(file)) {
        await ctx.abort(`stop file ${file} exists`);
        return;
      }
    }
  },
  errorRate: async (ctx) => {
    const max = Number(ctx.config.maxErrorRate ?? 5);
    let rate = 0.5;
    while (await ctx.sleep(2000)) {
      rate = Math.min(3, Math.max(0, rate + (Math.random() - 0.45) * 0.8));
      ctx.log(`error-rate monitor: ${rate.toFixed(2)}% (abort above ${max}%)`);
      if (rate > max) {
        await ctx.abort(`error rate ${rate.toFixed(2)}% is above ${max}%`);
        return;
      }
    }
  },
};

/** A gradual deploy of a version over a list of hosts. */
export class DemoRollout extends Rollout<DemoConfig> {
  static title = "Demo: gradual deploy to hosts";
  static configSchema = demoConfig;
  static advancedFields = ["monitors", "stopFile", "maxErrorRate", "failHost", "notes"];
  static monitors = monitors;

  generateTasks() {
    const hosts = [...new Set(this.config.hosts)];
    const make = (host: string) => hostTask(this.config, host);
    const delay = { seconds: this.config.waveDelaySecs };
    const options: GradualOptions = { ...(this.config.approval === "none" ? {} : { approval: this.config.approval }), ...this.analysisOption() };
    return this.config.order === "sequential" ? gradualSequentialExec(hosts, make, delay, options) : gradualExec(hosts, make, delay, options);
  }

  /** AnalysedDemoRollout: a health analysis after each wave. */
  protected analysisOption(): GradualOptions {
    return {};
  }

  info() {
    const c = this.config;
    const hosts = [...new Set(c.hosts ?? [])];
    const lines = [
      `Deploys ${c.version} to ${hosts.length} host${hosts.length === 1 ? "" : "s"}: ${hosts.slice(0, 8).join(", ")}${hosts.length > 8 ? ", …" : ""}`,
      `${waveText(gradualGroups(hosts).map((g) => g.length))}, ${c.approval === "instead-of-delay" ? "each approved by hand" : `${c.waveDelaySecs} secs apart`}, ${c.order === "sequential" ? "one host at a time" : "hosts in a wave at once"}`,
      `Monitors: ${c.monitors?.length ? c.monitors.join(", ") : "none"}`,
    ];
    if (c.monitors?.includes("stopFile")) lines.push(`To abort from a shell: touch ${c.stopFile}`);
    if (c.approval && c.approval !== "none") lines.push(`Each wave after the first waits for an approval ${c.approval === "after-delay" ? "after the delay" : "instead of a delay"}`);
    if ((this.constructor as { onFailure?: string }).onFailure === "pause") lines.push("A failing task pauses the rollout: retry it, skip it or roll back");
    if (c.failHost) lines.push(`${c.failHost} is set to fail`);
    if (c.notes) lines.push(`Notes: ${c.notes}`);
    return lines;
  }
}

function waveText(sizes: number[]): string {
  return sizes.length === 1 ? "One wave" : `${sizes.length} waves of ${sizes.join(" + ")} hosts`;
}

/**
 * The same deploy, done carefully: each wave after the first waits for an
 * approval (instead of the delay, by default), and a failing host pauses the
 * rollout for a decision (retry, skip or roll back) instead of rolling back.
 */
export class CarefulDemoRollout extends DemoRollout {
  static title = "Demo: careful deploy (approvals, pause on failure)";
  static onFailure = "pause" as const;
  static configSchema = demoConfig.extend({ approval: approvalField("instead-of-delay") });
}

const analysedConfig = demoConfig.extend({
  simulatedErrorRate: z
    .number()
    .min(0)
    .max(100)
    .default(1)
    .meta({ title: "Simulated error rate (%)", description: "What the demo's own metric server answers (± 10%). Above the highest error rate the analysis fails; above half of it, it is inconclusive and pauses." }),
});

/**
 * The same deploy, gated by health analysis: after each wave the web provider
 * reads a simulated error rate three times, a second apart, from a loopback
 * server this module starts (rollouts/demo-metric.ts). Below half of the highest
 * error rate: healthy; at or above it: failed (rolls back); in between:
 * inconclusive (paused for Retry, Skip or Roll back).
 */
export class AnalysedDemoRollout extends DemoRollout {
  static title = "Demo: deploy gated by health analysis";
  static configSchema = analysedConfig;
  static advancedFields = [...DemoRollout.advancedFields, "simulatedErrorRate"];

  protected analysisOption(): GradualOptions {
    serveDemoMetric();
    const c = this.config as DemoConfig & { simulatedErrorRate: number };
    const max = c.maxErrorRate;
    return {
      analysis: {
        title: "Error rate",
        metrics: [
          {
            name: "error-rate",
            provider: { web: { url: demoMetricUrl(c.simulatedErrorRate), jsonPath: "$.data.errorRate", timeoutSeconds: 5 } },
            interval: "1s",
            count: 3,
            successCondition: `result < ${max / 2}`,
            failureCondition: `result >= ${max}`,
          },
        ],
      },
    };
  }

  info() {
    const c = this.config as DemoConfig & { simulatedErrorRate: number };
    return [...super.info(), `Health analysis after each wave: the simulated error rate (${c.simulatedErrorRate}%) must stay below ${c.maxErrorRate / 2}%; ${c.maxErrorRate}% or more rolls back`];
  }
}

serveDemoMetric();

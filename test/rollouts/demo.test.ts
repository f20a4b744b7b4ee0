// rollouts/demo.ts: its waves, its commands and its rollback, with stand-in commands and fake time.
import { beforeAll, expect, test } from "vitest";
import { loadTaskKinds } from "@/lib/kettle/modules/registry";
import { testRollout, type CommandStub } from "@/lib/kettle/testing";
import { DemoRollout } from "@/rollouts/demo";
import { freePort } from "../helpers/server";

// Loading the modules in rollouts/ happens once per process; the timings below are of the runs.
beforeAll(() => loadTaskKinds());

/** Records the host each deploy command was for, in order; a host named in `failing` exits 1. */
function fakeShell(failing: string[] = []) {
  const deployed: string[] = [];
  const restored: string[] = [];
  const commands: CommandStub = (argv, { env }) => {
    const script = argv.at(-1) ?? "";
    const host = env?.HOST ?? "?";
    if (script.includes("restoring")) {
      restored.push(host);
      return { output: [`restored ${host}`] };
    }
    if (script.includes("deploying")) {
      deployed.push(host);
      if (failing.includes(host)) return { exitCode: 1, output: [`error: ${host} refused`] };
      return { output: [`deploying ${env?.VERSION} to ${host}`, `restarted ${host}`] };
    }
    return { output: ["200 OK"] };
  };
  return { commands, deployed, restored };
}

test("DemoRollout deploys one host, then half, then the rest, with the delays between", async () => {
  const started = performance.now();
  const shell = fakeShell();
  const hosts = ["web-01", "web-02", "web-03", "web-04", "web-05", "web-06"];
  const r = await testRollout(DemoRollout, { version: "2.0.0", hosts, waveDelaySecs: 60, monitors: [] }, { commands: shell.commands });
  expect(r.status).toBe("finished");
  expect(r.root?.children.map((c) => c.description)).toEqual([
    "web-01: deploy, then check",
    "Delay for 1:00 mins",
    "Execute in parallel:",
    "Delay for 1:00 mins",
    "Execute in parallel:",
  ]);
  expect(shell.deployed[0]).toBe("web-01");
  expect(new Set(shell.deployed)).toEqual(new Set(hosts));
  expect(r.task("Deploy 2.0.0 to web-03")?.logs.run).toContain("restarted web-03");
  expect(r.info[0]).toBe("Deploys 2.0.0 to 6 hosts: web-01, web-02, web-03, web-04, web-05, web-06");
  expect(r.elapsedMs).toBeGreaterThanOrEqual(120_000); // two one-minute waits, in fake time
  expect(performance.now() - started).toBeLessThan(1000);
});

test("DemoRollout rolls back what ran when a host fails", async () => {
  const started = performance.now();
  const shell = fakeShell(["web-02"]);
  const r = await testRollout(DemoRollout, { hosts: ["web-01", "web-02", "web-03"], failHost: "", monitors: [] }, { commands: shell.commands });
  expect(r.status).toBe("rolled_back");
  expect(r.task("Deploy 1.4.2 to web-02")?.status).toBe("rolled_back");
  expect(r.task("Deploy 1.4.2 to web-02")?.run.error).toMatch(/exited with code 1/);
  expect(shell.restored).toEqual(expect.arrayContaining(["web-01", "web-02"]));
  expect(r.logs.rollback.at(-1)).toBe("Rollback finished");
  expect(performance.now() - started).toBeLessThan(1000);
});

test("DemoRollout refuses a host name that is not one, beside the field", async () => {
  await expect(testRollout(DemoRollout, { hosts: ["web 01"] })).rejects.toMatchObject({ fields: { "hosts.0": ["Not a host name"] } });
});

test("DemoRollout's config is bounded: a version of a few dozen characters, host names as DNS allows", () => {
  const schema = DemoRollout.configSchema;
  const fits = (config: Record<string, unknown>) => schema.safeParse(config).success;
  expect(fits({ version: "2.0.0-rc.1+build.7" })).toBe(true);
  expect(fits({ version: "1".repeat(64) })).toBe(true);
  expect(fits({ version: "1".repeat(65) })).toBe(false);
  expect(fits({ version: "1".repeat(1_000_000) })).toBe(false);
  const label = "a".repeat(63);
  for (const host of ["web-01", "web-01.eu-west.example.com", label, `${label}.${label}.${label}.${"b".repeat(61)}`]) expect(fits({ hosts: [host] }), host).toBe(true);
  for (const host of ["-web", "web-", "web..01", `${"a".repeat(64)}`, `${label}.${label}.${label}.${"b".repeat(62)}`, "web_01", "a".repeat(10_000)]) {
    expect(fits({ hosts: [host] }), host).toBe(false);
  }
  expect(fits({ failHost: "web-" })).toBe(false);
  expect(fits({ failHost: "" })).toBe(true);
});

test("AnalysedDemoRollout: a health analysis after each wave against the demo's own simulated metric (web provider, loopback)", async () => {
  const { AnalysedDemoRollout } = await import("@/rollouts/demo");
  // A port of this test's own: a server of another test may hold the default one and end meanwhile.
  process.env.KETTLE_DEMO_METRIC_PORT = String(await freePort());
  const shell = fakeShell();
  const hosts = ["web-01", "web-02", "web-03"];
  const healthy = await testRollout(AnalysedDemoRollout, { version: "2.0.0", hosts, waveDelaySecs: 1, monitors: [], simulatedErrorRate: 0.5 }, { commands: shell.commands });
  expect(healthy.status).toBe("finished");
  expect(healthy.analysis.runs.map((r) => [r.name, r.verdict, r.metrics[0].measurements.length])).toEqual([
    ["Error rate (wave 1 of 2)", "successful", 3],
    ["Error rate (wave 2 of 2)", "successful", 3],
  ]);
  const failing = await testRollout(AnalysedDemoRollout, { version: "2.0.0", hosts, waveDelaySecs: 1, monitors: [], simulatedErrorRate: 20 }, { commands: fakeShell().commands });
  expect(failing.status).toBe("rolled_back");
  expect(failing.task("Analysis: Error rate (wave 1 of 2)")?.run.error).toMatch(/Analysis failed: error-rate: 1st measurement \d+(\.\d+)? meets the failure condition result >= 5/);
});

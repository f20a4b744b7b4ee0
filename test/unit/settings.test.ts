// Settings: defaults, and bad values named with what to do about them.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { parseSettings, SettingsError } from "@/lib/kettle/settings";
import { resolveRolloutClass } from "@/lib/kettle/modules/registry";

describe("settings", () => {
  it("has the documented defaults", () => {
    const s = parseSettings({});
    expect(s).toMatchObject({
      rolloutClasses: ["rollout:MyRollout"],
      refreshTimeout: 1000,
      databaseUrl: "file:kettle.sqlite",
      port: 5000,
      hostname: "0.0.0.0",
      basePath: "",
      production: false,
    });
    expect(s.secretKey.length).toBeGreaterThanOrEqual(16);
  });

  it("reads several rollout classes, the first being the default", () => {
    expect(parseSettings({ KETTLE_ROLLOUT_CLS: "rollout:MyRollout, demo:DemoRollout" }).rolloutClasses).toEqual(["rollout:MyRollout", "demo:DemoRollout"]);
  });

  it.each([
    ["KETTLE_ROLLOUT_REFRESH_TIMEOUT", "soon", /KETTLE_ROLLOUT_REFRESH_TIMEOUT/],
    ["KETTLE_ROLLOUT_CLS", "MyRollout", /module:ExportName/],
    ["KETTLE_DATABASE_URL", "postgres://x", /libSQL URL/],
    ["PORT", "99999", /PORT/],
    ["KETTLE_BASE_PATH", "kettle/", /must start with \//],
  ])("refuses %s=%s with a message naming it", (name, value, message) => {
    expect(() => parseSettings({ [name]: value })).toThrow(SettingsError);
    expect(() => parseSettings({ [name]: value })).toThrow(message);
  });

  it("requires KETTLE_SECRET_KEY in production", () => {
    expect(() => parseSettings({ NODE_ENV: "production", KETTLE_AUTH: "none" })).toThrow(/KETTLE_SECRET_KEY: required in production/);
    expect(parseSettings({ NODE_ENV: "production", KETTLE_AUTH: "none", KETTLE_SECRET_KEY: "0123456789abcdef0123" }).production).toBe(true);
  });

  it("requires KETTLE_AUTH to be set explicitly in production, in one clear line", () => {
    expect(() => parseSettings({ NODE_ENV: "production", KETTLE_SECRET_KEY: "0123456789abcdef0123" })).toThrow(/KETTLE_AUTH: required in production/);
    expect(parseSettings({ KETTLE_SECRET_KEY: "0123456789abcdef0123" }).auth.mode).toBe("none");
    expect(() => parseSettings({ KETTLE_AUTH: "proxy" })).toThrow(/KETTLE_USER_HEADER: required when KETTLE_AUTH=proxy/);
    expect(() => parseSettings({ KETTLE_AUTH: "oidc" })).toThrow(/KETTLE_OIDC_ISSUER: required/);
    expect(() => parseSettings({ KETTLE_AUTH: "ldap" })).toThrow(/KETTLE_AUTH: must be none, proxy or oidc/);
  });

  it("says which module or export is missing, and what exists", async () => {
    await expect(resolveRolloutClass("nope:Missing")).rejects.toThrow(/no module "nope".*modules there: .*rollout/);
    await expect(resolveRolloutClass("rollout:Missing")).rejects.toThrow(/no Rollout subclass exported as "Missing".*MyRollout/);
    await expect(resolveRolloutClass("rollout:MyRollout")).resolves.toMatchObject({ kind: "rollout:MyRollout" });
  });

  // (In development a rollout class that cannot be loaded is shown where it matters and the server
  // starts anyway, for the author to fix it: the author loop. Production refuses.)
  const start = (env: Record<string, string>) =>
    spawnSync(process.execPath, ["scripts/start.mjs"], { env: { ...process.env, PORT: "0", ...env }, encoding: "utf8", timeout: 30_000 });

  it("the server refuses to start on a malformed setting, with the message and no stack", () => {
    const res = start({ KETTLE_LEASE_MS: "soon" });
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/KETTLE_LEASE_MS/);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });

  it("in production it refuses to start on a rollout class that is not there, naming it", () => {
    const res = start({ NODE_ENV: "production", KETTLE_AUTH: "none", KETTLE_SECRET_KEY: "0123456789abcdef0123", KETTLE_ROLLOUT_CLS: "nope:Missing" });
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/KETTLE_ROLLOUT_CLS: no module "nope"/);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });
});

// Roles, the action map, the security headers and the sealed cookies, as pure functions.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { actionRoles, allowed, refusal, requiredRole, roleFor } from "@/lib/auth/roles";
import { securityHeaders } from "@/lib/web/security-headers";
import { parseSettings } from "@/lib/kettle/settings";
import { safeNext } from "@/lib/auth/oidc";
import { seal, unseal } from "@/lib/auth/session";

const auth = parseSettings({ KETTLE_ADMINS: "root,group:ops-leads", KETTLE_OPERATORS: "group:deployers,olga", KETTLE_VIEWERS: "group:contractors" }).auth;

describe("roles", () => {
  it("the highest list naming the user or a group wins; everyone else gets KETTLE_DEFAULT_ROLE", () => {
    expect(roleFor("root", [], auth)).toBe("admin");
    expect(roleFor("x", ["deployers", "ops-leads"], auth)).toBe("admin");
    expect(roleFor("olga", [], auth)).toBe("operator");
    expect(roleFor("x", ["contractors"], auth)).toBe("viewer");
    expect(roleFor("x", [], auth)).toBe("viewer");
    // a group entry never matches a user of that name, nor the other way round
    expect(roleFor("deployers", [], auth)).toBe("viewer");
    expect(roleFor("x", ["olga"], auth)).toBe("viewer");
    expect(roleFor("x", [], { ...auth, defaultRole: "none" })).toBeNull();
    expect(roleFor("x", [], { ...auth, defaultRole: "operator" })).toBe("operator");
  });

  it("every action the issue names is in the map, term and skip_rollback admin-only by default, and KETTLE_ADMIN_ONLY moves them", () => {
    for (const a of ["create", "finalise", "run", "hide", "lock", "unlock", "approve", "reject", "retry", "skip", "retry_rollback", "abort_rollout", "abort_rollback", "pause_rollout", "resume_rollout"]) {
      expect(requiredRole(a, auth), a).toBe("operator");
    }
    for (const a of ["term_rollout", "term_rollback", "skip_rollback", "audit_read"]) expect(requiredRole(a, auth), a).toBe("admin");
    expect(Object.keys(actionRoles)).toEqual(expect.arrayContaining(["token_create", "token_revoke", "audit_read"]));
    const moved = parseSettings({ KETTLE_ADMIN_ONLY: "term_rollout,run" }).auth;
    expect(requiredRole("run", moved)).toBe("admin");
    expect(requiredRole("skip_rollback", moved)).toBe("operator");
    // an action nobody declared needs operator, not nothing
    expect(requiredRole("something_new", auth)).toBe("operator");
  });

  it("refusals say which role is needed", () => {
    expect(refusal("viewer", "run", auth)).toBe("run needs the operator role (you are a viewer)");
    expect(refusal("operator", "term_rollout", auth)).toBe("term_rollout needs the admin role (you are an operator)");
    expect(refusal(null, "read", auth)).toBe("read needs the viewer role (you have none)");
    expect(refusal("admin", "term_rollout", auth)).toBeNull();
    expect(allowed(null, "sign_out", auth)).toBe(true);
  });
});

describe("settings", () => {
  it("the server refuses to start in production without KETTLE_AUTH, saying so", () => {
    const res = spawnSync(process.execPath, ["scripts/start.mjs"], {
      env: { ...process.env, NODE_ENV: "production", KETTLE_SECRET_KEY: "0123456789abcdef0123", KETTLE_AUTH: "", PORT: "0" },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/KETTLE_AUTH: required in production: set it to oidc, proxy, or none/);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("security headers", () => {
  it("allow the checklist's origin in frames and nothing else external; eval only in development", () => {
    const csp = (o: Parameters<typeof securityHeaders>[0]) => Object.fromEntries(securityHeaders(o))["Content-Security-Policy"];
    expect(csp({ dev: false, checklistUrl: "https://wiki.example.com/checklists/rollout-" })).toMatch(/frame-src https:\/\/wiki\.example\.com;/);
    expect(csp({ dev: false })).toMatch(/frame-src 'none'/);
    expect(csp({ dev: false })).not.toMatch(/unsafe-eval|https?:/);
    expect(csp({ dev: true })).toMatch(/script-src 'self' 'unsafe-inline' 'unsafe-eval'/);
    expect(csp({ dev: false })).toMatch(/frame-ancestors 'self'/);
    const all = Object.fromEntries(securityHeaders({ dev: false }));
    expect(all).toMatchObject({ "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin" });
  });
});

describe("sign-in helpers", () => {
  it("the way back after sign-in is a path on this site only", () => {
    expect(safeNext("/rollouts/3?x=1")).toBe("/rollouts/3?x=1");
    for (const bad of ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "", null, "/auth/sign-in"]) expect(safeNext(bad)).toBe("/");
  });

  it("sealed cookies are encrypted, expire, and do not pass for another purpose", async () => {
    const sealed = await seal("session", { sid: "s1", user: "alice", groups: ["g"] }, 60_000);
    expect(sealed).not.toContain("alice");
    expect(await unseal("session", sealed)).toMatchObject({ sid: "s1", user: "alice" });
    expect(await unseal("sign-in", sealed)).toBeNull();
    // Tamper with the ciphertext (a JWE's fourth part), not its last characters: those may carry only padding bits.
    const parts = sealed.split(".");
    parts[3] = (parts[3][0] === "A" ? "B" : "A") + parts[3].slice(1);
    expect(await unseal("session", parts.join("."))).toBeNull();
    expect(await unseal("session", await seal("session", { user: "x" }, -5_000))).toBeNull();
  });
});

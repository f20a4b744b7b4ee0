// Environment → typed settings, checked once, with messages that say what to fix.
import { z } from "zod";
import { randomBytes } from "node:crypto";

const kindPattern = /^[A-Za-z0-9_\-/.]+:[A-Za-z_$][\w$]*$/;

const schema = z.object({
  KETTLE_ROLLOUT_CLS: z
    .string()
    .default("rollout:MyRollout")
    .transform((s) => s.split(",").map((k) => k.trim()).filter(Boolean))
    .pipe(
      z
        .array(z.string().regex(kindPattern, "each entry must look like module:ExportName, e.g. rollout:MyRollout"))
        .min(1, "name at least one rollout class, e.g. rollout:MyRollout"),
    ),
  KETTLE_ROLLOUT_REFRESH_TIMEOUT: z.coerce.number().int().min(100).max(600_000).default(1000),
  KETTLE_DATABASE_URL: z
    .string()
    .default("file:kettle.sqlite")
    .refine((u) => /^(file:|libsql:|https?:|wss?:|:memory:)/.test(u), "must be a libSQL URL: file:…, libsql://…, http(s)://… or ws(s)://…"),
  KETTLE_DATABASE_AUTH_TOKEN: z.string().optional(),
  KETTLE_SECRET_KEY: z.string().min(16, "must be at least 16 characters").optional(),
  KETTLE_CHECKLIST_URL: z.string().url().optional(),
  KETTLE_CHECKLIST_HEIGHT: z.coerce.number().int().min(50).max(10_000).default(600),
  KETTLE_BASE_PATH: z
    .string()
    .regex(/^(\/[\w\-.~]+)+$/, "must start with / and not end with one, e.g. /kettle")
    .optional(),
  KETTLE_USER_HEADER: z.string().regex(/^[A-Za-z0-9-]+$/, "must be an HTTP header name").optional(),
  KETTLE_LEASE_MS: z.coerce.number().int().min(1000).max(600_000).default(10_000),
  KETTLE_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(250),
  KETTLE_SIGNAL_POLL_MS: z.coerce.number().int().min(5).max(10_000).default(50),
  KETTLE_INSTANCE_NAME: z.string().optional(),
  // ---- who may do what (lib/auth) ----
  KETTLE_AUTH: z.enum(["none", "proxy", "oidc"], "must be none, proxy or oidc").optional(),
  KETTLE_GROUPS_HEADER: z.string().regex(/^[A-Za-z0-9-]+$/, "must be an HTTP header name").optional(),
  KETTLE_OIDC_ISSUER: z.string().url().optional(),
  KETTLE_OIDC_CLIENT_ID: z.string().optional(),
  KETTLE_OIDC_CLIENT_SECRET: z.string().optional(),
  KETTLE_OIDC_GROUPS_CLAIM: z.string().default("groups"),
  KETTLE_OIDC_SCOPES: z.string().default("openid profile email"),
  KETTLE_PUBLIC_URL: z.string().url().optional(),
  KETTLE_SESSION_HOURS: z.coerce.number().min(0.01).max(24 * 30).default(12),
  KETTLE_ADMINS: z.string().default(""),
  KETTLE_OPERATORS: z.string().default(""),
  KETTLE_VIEWERS: z.string().default(""),
  KETTLE_DEFAULT_ROLE: z.enum(["none", "viewer", "operator", "admin"], "must be none, viewer, operator or admin").default("viewer"),
  KETTLE_ADMIN_ONLY: z.string().default("term_rollout,term_rollback,skip_rollback"),
  KETTLE_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(1024 * 1024),
  // ---- bounded work per finalise (issue 18): plan-limits.ts ----
  KETTLE_MAX_PLAN_TASKS: z.coerce.number().int().min(1).max(10_000_000).default(200_000),
  KETTLE_MAX_PLAN_STATE_BYTES: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(32 * 1024 * 1024),
  // ---- webhooks and metrics (issue 13) ----
  KETTLE_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  KETTLE_WEBHOOK_BACKOFF_MS: z.coerce.number().int().min(10).max(3_600_000).default(5_000),
  KETTLE_WEBHOOK_MAX_BACKOFF_MS: z.coerce.number().int().min(10).max(24 * 3_600_000).default(3_600_000),
  KETTLE_WEBHOOK_POLL_MS: z.coerce.number().int().min(10).max(600_000).default(1000),
  KETTLE_METRICS_ALLOW: z.string().default("127.0.0.1,::1"),
  KETTLE_METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(5000),
  HOSTNAME: z.string().default("0.0.0.0"),
  NODE_ENV: z.string().default("development"),
});

export type Settings = {
  rolloutClasses: string[];
  refreshTimeout: number;
  databaseUrl: string;
  databaseAuthToken?: string;
  secretKey: string;
  checklistUrl?: string;
  checklistHeight: number;
  basePath: string;
  userHeader?: string;
  leaseMs: number;
  pollMs: number;
  signalPollMs: number;
  instanceName?: string;
  auth: {
    mode: "none" | "proxy" | "oidc";
    /** Whether KETTLE_AUTH was set (production requires it). */
    explicit: boolean;
    groupsHeader?: string;
    oidc?: { issuer: string; clientId: string; clientSecret?: string; groupsClaim: string; scopes: string };
    publicUrl?: string;
    sessionMs: number;
    admins: string[];
    operators: string[];
    viewers: string[];
    defaultRole: "none" | "viewer" | "operator" | "admin";
    adminOnly: string[];
  };
  maxBodyBytes: number;
  /** The most tasks, and bytes of task state, one plan may have (plan-limits.ts). */
  planLimits: { tasks: number; stateBytes: number };
  webhooks: { timeoutMs: number; backoffMs: number; maxBackoffMs: number; pollMs: number };
  /** Addresses (or CIDR ranges) that may read /metrics without a session or token. */
  metricsAllow: string[];
  /** A bearer token that may read /metrics from anywhere (for a Prometheus scrape config). */
  metricsToken?: string;
  port: number;
  hostname: string;
  production: boolean;
};

export class SettingsError extends Error {
  name = "SettingsError";
}

// Empty strings in .env mean "unset", as in the original's `None`.
function withoutEmpty(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== "")) as Record<string, string>;
}

export function parseSettings(env: Record<string, string | undefined> = process.env): Settings {
  const parsed = schema.safeParse(withoutEmpty(env));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new SettingsError(`Invalid Kettle settings:\n${lines.join("\n")}`);
  }
  const s = parsed.data;
  const production = s.NODE_ENV === "production";
  if (production && !s.KETTLE_SECRET_KEY) {
    throw new SettingsError(
      "Invalid Kettle settings:\n  KETTLE_SECRET_KEY: required in production; generate one with\n" +
        "    node -e \"console.log(require('crypto').randomBytes(24).toString('hex'))\"",
    );
  }
  const mode = s.KETTLE_AUTH ?? "none";
  if (production && !s.KETTLE_AUTH) {
    throw new SettingsError(
      "Invalid Kettle settings:\n  KETTLE_AUTH: required in production: set it to oidc, proxy, or none (anyone who reaches the port may then do anything)",
    );
  }
  if (mode === "proxy" && !s.KETTLE_USER_HEADER) {
    throw new SettingsError("Invalid Kettle settings:\n  KETTLE_USER_HEADER: required when KETTLE_AUTH=proxy (the header your proxy sets, e.g. X-Forwarded-User)");
  }
  if (mode === "oidc" && (!s.KETTLE_OIDC_ISSUER || !s.KETTLE_OIDC_CLIENT_ID)) {
    throw new SettingsError(
      `Invalid Kettle settings:\n  ${!s.KETTLE_OIDC_ISSUER ? "KETTLE_OIDC_ISSUER" : "KETTLE_OIDC_CLIENT_ID"}: required when KETTLE_AUTH=oidc`,
    );
  }
  const list = (v: string) => v.split(",").map((x) => x.trim()).filter(Boolean);
  return {
    rolloutClasses: s.KETTLE_ROLLOUT_CLS,
    refreshTimeout: s.KETTLE_ROLLOUT_REFRESH_TIMEOUT,
    databaseUrl: s.KETTLE_DATABASE_URL,
    databaseAuthToken: s.KETTLE_DATABASE_AUTH_TOKEN,
    secretKey: s.KETTLE_SECRET_KEY ?? devSecret,
    checklistUrl: s.KETTLE_CHECKLIST_URL,
    checklistHeight: s.KETTLE_CHECKLIST_HEIGHT,
    basePath: s.KETTLE_BASE_PATH ?? "",
    userHeader: s.KETTLE_USER_HEADER?.toLowerCase(),
    leaseMs: s.KETTLE_LEASE_MS,
    pollMs: s.KETTLE_POLL_MS,
    signalPollMs: s.KETTLE_SIGNAL_POLL_MS,
    instanceName: s.KETTLE_INSTANCE_NAME,
    auth: {
      mode,
      explicit: !!s.KETTLE_AUTH,
      groupsHeader: s.KETTLE_GROUPS_HEADER?.toLowerCase(),
      oidc:
        s.KETTLE_OIDC_ISSUER && s.KETTLE_OIDC_CLIENT_ID
          ? {
              issuer: s.KETTLE_OIDC_ISSUER,
              clientId: s.KETTLE_OIDC_CLIENT_ID,
              clientSecret: s.KETTLE_OIDC_CLIENT_SECRET,
              groupsClaim: s.KETTLE_OIDC_GROUPS_CLAIM,
              scopes: s.KETTLE_OIDC_SCOPES,
            }
          : undefined,
      publicUrl: s.KETTLE_PUBLIC_URL?.replace(/\/+$/, ""),
      sessionMs: Math.round(s.KETTLE_SESSION_HOURS * 3600_000),
      admins: list(s.KETTLE_ADMINS),
      operators: list(s.KETTLE_OPERATORS),
      viewers: list(s.KETTLE_VIEWERS),
      defaultRole: s.KETTLE_DEFAULT_ROLE,
      adminOnly: list(s.KETTLE_ADMIN_ONLY),
    },
    maxBodyBytes: s.KETTLE_MAX_BODY_BYTES,
    planLimits: { tasks: s.KETTLE_MAX_PLAN_TASKS, stateBytes: s.KETTLE_MAX_PLAN_STATE_BYTES },
    webhooks: { timeoutMs: s.KETTLE_WEBHOOK_TIMEOUT_MS, backoffMs: s.KETTLE_WEBHOOK_BACKOFF_MS, maxBackoffMs: s.KETTLE_WEBHOOK_MAX_BACKOFF_MS, pollMs: s.KETTLE_WEBHOOK_POLL_MS },
    metricsAllow: list(s.KETTLE_METRICS_ALLOW),
    metricsToken: s.KETTLE_METRICS_TOKEN,
    port: s.PORT,
    hostname: s.HOSTNAME,
    production,
  };
}

const devSecret = randomBytes(24).toString("hex");

let cached: Settings | undefined;
/** The process's settings, parsed on first use. */
export function settings(): Settings {
  return (cached ??= parseSettings());
}

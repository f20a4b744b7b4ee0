// Real answers of the API, checked against the response schemas of its own
// OpenAPI document (issue 18: the document said `rows` where the audit trail
// answers `entries`): reads, changes, a run with an approval, and errors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../helpers/server";
import { answerChecker } from "../helpers/openapi-answers";
import { admin, operator, proxyEnv, TREE, viewer } from "../helpers/proxy-roles";
import { waitFor } from "../helpers/db";

type Json = Record<string, any>;
let server: TestServer;
let check: ReturnType<typeof answerChecker>;

beforeAll(async () => {
  server = await startServer({
    env: { ...proxyEnv },
  });
  check = answerChecker((await server.api<Json>("GET", "/api/openapi.json", undefined, admin)).body);
});
afterAll(async () => {
  await server?.stop();
});

const newRollout = async (tree: unknown) => {
  const made = await server.api<Json>("POST", "/api/rollouts", { kind: TREE, config: { tree } }, operator);
  expect(made.status).toBe(201);
  return made.body.id as number;
};

describe("real answers fit the OpenAPI document", () => {
  it("every read and the usual changes, and their errors", async () => {
    const id = await newRollout({ seq: [{ noop: "one" }, { approval: "go?" }] });
    const kind = encodeURIComponent(TREE);
    const calls: [string, string, unknown?, Record<string, string>?][] = [
      ["GET", "/api/rollouts"],
      ["GET", "/api/rollouts/in-flight"],
      ["GET", `/api/rollouts/${id}`],
      ["GET", `/api/rollouts/${id}?tasks=summary`],
      ["GET", `/api/rollouts/${id}/plans`],
      ["GET", `/api/rollouts/${id}/tasks`],
      ["GET", `/api/rollouts/${id}/audit`],
      ["GET", `/api/rollouts/${id}/logs/rollout?format=json`],
      ["GET", "/api/audit"],
      ["GET", "/api/me"],
      ["GET", "/api/tokens"],
      ["POST", "/api/tokens", { name: "answers" }],
      ["GET", `/api/kinds/${kind}/lock`],
      ["POST", `/api/kinds/${kind}/lock`, { reason: "checking answers" }],
      ["DELETE", `/api/kinds/${kind}/lock`],
      ["GET", "/api/webhooks"],
      ["POST", "/api/rollouts/preview", { kind: TREE, config: { tree: { noop: "x" } } }],
      ["PUT", `/api/rollouts/${id}`, { config: { tree: { seq: [{ noop: "one" }, { approval: "go?" }] } } }],
      ["POST", `/api/rollouts/${id}/hide`, { hidden: false }],
      ["POST", `/api/rollouts/${id}/run`],
      ["POST", `/api/rollouts/${id}/run`], // 409
      ["GET", "/api/rollouts/999999"], // 404
      ["POST", "/api/rollouts", { kind: 7 }], // 400
      ["POST", "/api/rollouts", { kind: TREE, config: { tree: {} } }, viewer], // 403
      ["DELETE", "/api/tokens/999999"], // 404
    ];
    const problems: string[] = [];
    const call = async (method: string, path: string, body?: unknown, who: Record<string, string> = admin) => {
      const res = await server.api<Json>(method, path, body, who);
      problems.push(...check(method, path, res.status, res.body));
      return res;
    };
    for (const [method, path, body, who] of calls) await call(method, path, body, who);
    // while it runs: the gate waits, is approved; signals; a token and a webhook changed and gone
    await waitFor(async () => (await server.api<Json>("GET", `/api/rollouts/${id}`, undefined, admin)).body.waitingFor?.length === 1, { what: "the gate to wait" });
    await call("GET", `/api/rollouts/${id}`);
    await call("GET", `/api/rollouts/${id}/tasks/1/logs/run?format=json`);
    await call("POST", `/api/rollouts/${id}/tasks/2/approve`, { comment: "looks fine" });
    await call("POST", `/api/rollouts/${id}/tasks/2/approve`, { comment: "again" }); // 409
    await call("POST", `/api/rollouts/${id}/signals/abort_rollback`); // 409: not rolling back
    await call("POST", `/api/rollouts/${id}/rollback/retry`); // 409
    const token = await call("POST", "/api/tokens", { name: "to revoke" }, viewer);
    await call("DELETE", `/api/tokens/${token.body.id}`, undefined, operator); // 403: someone else's
    await call("DELETE", `/api/tokens/${token.body.id}`, undefined, viewer);
    const hook = await call("POST", "/api/webhooks", { url: "http://127.0.0.1:9/answers", events: ["*"] });
    await call("GET", `/api/webhooks/${hook.body.id}`);
    await call("PUT", `/api/webhooks/${hook.body.id}`, { enabled: false });
    await call("DELETE", `/api/webhooks/${hook.body.id}`);
    await call("GET", `/api/rollouts/${id}/audit`);
    expect(problems).toEqual([]);
  });
});

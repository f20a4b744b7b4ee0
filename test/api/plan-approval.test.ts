// Approving the exact plan before it runs (a class's requiresApproval), in proxy
// mode with several people: four eyes, a stale plan's hash, a changed plan that
// voids the approvals, a rejection that blocks, and the audit trail of each.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { startServer, type TestServer } from "../helpers/server";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let server: TestServer;
const as = (user: string) => ({ "X-Forwarded-User": user });

beforeAll(async () => {
  server = await startServer({
    env: {
      KETTLE_AUTH: "proxy",
      KETTLE_USER_HEADER: "X-Forwarded-User",
      KETTLE_OPERATORS: "alice,bob,carol",
      KETTLE_ADMINS: "dana",
      KETTLE_ROLLOUT_CLS: "fixtures:ApprovedTreeRollout,fixtures:TreeRollout",
    },
  });
});
afterAll(() => server?.stop());

const approve = (id: number, user: string, planHash: string, comment?: string) => server.api<Json>("POST", `/api/rollouts/${id}/plan/approve`, { planHash, comment }, as(user));
const reject = (id: number, user: string, planHash: string, comment?: string) => server.api<Json>("POST", `/api/rollouts/${id}/plan/reject`, { planHash, comment }, as(user));
const view = async (id: number) => (await server.api<Json>("GET", `/api/rollouts/${id}`, undefined, as("alice"))).body;

describe("plan approval", () => {
  it("two approvals with four eyes: the maker may not approve, a stale hash is refused, a changed plan voids them, a rejection blocks", async () => {
    const created = await server.api<Json>("POST", "/api/rollouts", { kind: "fixtures:ApprovedTreeRollout", config: { tree: { noop: "v1" } } }, as("alice"));
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    const first = created.body.planApproval;
    expect(first).toMatchObject({ required: 2, fourEyes: true, approvers: [], approvals: [], rejections: [], missing: 2, createdBy: "alice", finalisedBy: "alice", sinceApproved: null });
    expect(first.planHash).toMatch(/^[0-9a-f]{64}$/);

    const early = await server.api<Json>("POST", `/api/rollouts/${id}/run`, undefined, as("alice"));
    expect(early.status).toBe(409);
    expect(early.body.error).toBe("Run refused: Its plan needs 2 approvals (four eyes): 2 missing");

    const own = await approve(id, "alice", first.planHash);
    expect(own.status).toBe(403);
    expect(own.body.error).toBe("Four eyes: you created the rollout, so someone else must approve it");
    expect(own.body.mayApprove).toBe("anyone allowed to approve, other than alice");

    const stale = await approve(id, "bob", "0".repeat(64));
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatch(/^The plan changed since you loaded it/);
    expect((await server.api<Json>("POST", `/api/rollouts/${id}/plan/approve`, { comment: "no hash" }, as("bob"))).status).toBe(400);

    const byBob = await approve(id, "bob", first.planHash, "diff looks right");
    expect(byBob.status).toBe(200);
    expect(byBob.body.planApproval).toMatchObject({ missing: 1, approvals: [{ by: "bob", comment: "diff looks right" }] });
    expect((await approve(id, "bob", first.planHash)).body.error).toBe("You have approved this plan already");
    expect((await approve(id, "carol", first.planHash)).status).toBe(200);
    expect((await view(id)).planApproval.missing).toBe(0);

    // Finalised again with the same config: the same plan, the approvals stand.
    expect((await server.api("PUT", `/api/rollouts/${id}`, { config: { tree: { noop: "v1" } } }, as("alice"))).status).toBe(200);
    expect((await view(id)).planApproval).toMatchObject({ planHash: first.planHash, missing: 0 });

    // A changed plan voids them: the page shows what changed since the approved plan.
    expect((await server.api("PUT", `/api/rollouts/${id}`, { config: { tree: { noop: "v2" } } }, as("bob"))).status).toBe(200);
    const second = (await view(id)).planApproval;
    expect(second).toMatchObject({ missing: 2, approvals: [], finalisedBy: "bob" });
    expect(second.planHash).not.toBe(first.planHash);
    expect(second.sinceApproved.tasks.changed).toEqual([expect.objectContaining({ before: "v1", after: "v2" })]);
    expect((await server.api<Json>("POST", `/api/rollouts/${id}/run`, undefined, as("carol"))).status).toBe(409);
    // bob finalised this plan: four eyes sets him aside too.
    expect((await approve(id, "bob", second.planHash)).body.error).toBe("Four eyes: you finalised this plan, so someone else must approve it");

    const no = await reject(id, "carol", second.planHash, "not before the freeze");
    expect(no.status).toBe(200);
    const blocked = await server.api<Json>("POST", `/api/rollouts/${id}/run`, undefined, as("alice"));
    expect(blocked.body.error).toBe("Run refused: Its plan was rejected by carol (not before the freeze): it cannot run until the plan changes");

    // A new plan, approved by two others, runs.
    expect((await server.api("PUT", `/api/rollouts/${id}`, { config: { tree: { noop: "v3" } } }, as("alice"))).status).toBe(200);
    const third = (await view(id)).planApproval;
    expect((await approve(id, "bob", third.planHash)).status).toBe(200);
    expect((await approve(id, "carol", third.planHash)).status).toBe(200);
    expect((await server.api<Json>("POST", `/api/rollouts/${id}/run`, undefined, as("carol"))).status).toBe(202);
    await expect.poll(async () => (await view(id)).status).toBe("finished");
    expect((await approve(id, "dana", third.planHash)).body.error).toMatch(/^Nothing to approve: the rollout has been run/);

    const audit = (await server.api<Json>("GET", `/api/audit?rollout=${id}&perPage=100`, undefined, as("dana"))).body.entries as Json[];
    const rows = audit.map((r) => `${r.action} ${r.outcome} ${r.user}`);
    expect(rows).toEqual(
      expect.arrayContaining(["approve_plan refused alice", "approve_plan refused bob", "approve_plan ok bob", "approve_plan ok carol", "reject_plan ok carol", "plan_approvals_voided ok bob", "run ok carol"]),
    );
  });

  it("a kind without requiresApproval has no planApproval and runs at once", async () => {
    const created = await server.api<Json>("POST", "/api/rollouts", { kind: "fixtures:TreeRollout", config: { tree: { noop: "x" } } }, as("alice"));
    expect(created.body.planApproval).toBeNull();
    expect((await approve(created.body.id, "bob", "a".repeat(64))).body.error).toBe("Rollouts of fixtures:TreeRollout need no approval of their plan");
    expect((await server.api("POST", `/api/rollouts/${created.body.id}/run`, undefined, as("alice"))).status).toBe(202);
  });

  it("the CLI approves the plan as the server shows it, and says what is missing", async () => {
    const created = await server.api<Json>("POST", "/api/rollouts", { kind: "fixtures:ApprovedTreeRollout", config: { tree: { noop: "cli" } } }, as("alice"));
    const id = created.body.id as number;
    const tokenOf = async (user: string) => (await server.api<Json>("POST", "/api/tokens", { name: `cli-${user}` }, as(user))).body.token as string;
    const kettle = (token: string, ...args: string[]) => spawnSync(process.execPath, ["bin/kettle.mjs", ...args], { env: { ...process.env, KETTLE_URL: server.url, KETTLE_TOKEN: token, CI: "1" }, encoding: "utf8" });
    const own = kettle(await tokenOf("alice"), "approve-plan", String(id));
    expect(own.status).toBe(3);
    expect(own.stderr).toContain("Four eyes: you created the rollout");
    const bob = kettle(await tokenOf("bob"), "approve-plan", String(id), "--comment", "ok");
    expect(bob.status, bob.stderr).toBe(0);
    expect(bob.stdout).toMatch(new RegExp(`^Approved the plan of rollout ${id} \\([0-9a-f]{12}\\): 1 of 2 approvals, 1 missing`));
    const carol = kettle(await tokenOf("carol"), "approve-plan", String(id));
    expect(carol.stdout).toMatch(/: approved: it may run/);
    expect(kettle(await tokenOf("carol"), "reject-plan", String(id)).stderr).toContain("You have approved this plan already");
  });
});

// The pieces that keep hostile input bounded (issue 18), without a server: the
// nesting scan, the plan limits, the text rule, the path guard's route matching,
// and the settings that set the limits.
import { describe, expect, it } from "vitest";
import { jsonDepth } from "@/lib/web/json-depth";
import { checkPlanLimits } from "@/lib/kettle/plan-limits";
import { controlCharacterIn, loneSurrogateIn, refuseBadText } from "@/lib/kettle/text";
import { decodedSegments, matchApiRoute } from "@/lib/web/path-guard";
import { parseSettings, SettingsError } from "@/lib/kettle/settings";
import { KettleError } from "@/lib/kettle/errors";
import { DelayTask, SequentialExecTask, Task } from "@/lib/kettle";

/** A task that keeps whatever state it is given. */
class Holder extends Task<Record<string, unknown>> {
  run() {
    return undefined;
  }
}

describe("jsonDepth", () => {
  it("counts arrays and objects, not brackets in strings or escaped quotes", () => {
    expect(jsonDepth("1")).toBe(0);
    expect(jsonDepth('{"a":[1,{"b":2}]}')).toBe(3);
    expect(jsonDepth('{"a":"[[[{{{"}')).toBe(1);
    expect(jsonDepth('{"a":"\\"[[[","b":[]}')).toBe(2);
    expect(jsonDepth('["\\\\",[[]]]')).toBe(3);
  });
  it("scans 100 000 levels without recursion, and stops counting past stopAt", () => {
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    expect(jsonDepth(deep)).toBe(100_000);
    expect(jsonDepth(deep, 64)).toBe(65);
  });
});

describe("checkPlanLimits", () => {
  const chain = (n: number) => {
    let task: Task = new DelayTask({ seconds: 1 });
    for (let i = 1; i < n; i++) task = new SequentialExecTask([task]);
    return task;
  };
  const refusal = (f: () => void) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(KettleError);
      expect((e as KettleError).kind).toBe("unprocessable");
      return (e as Error).message;
    }
    throw new Error("not refused");
  };
  it("counts tasks without recursion, and says by how much", () => {
    checkPlanLimits(chain(50_000), { tasks: 50_000, stateBytes: 1e9 });
    expect(refusal(() => checkPlanLimits(chain(50_002), { tasks: 50_000, stateBytes: 1e9 }))).toBe(
      "The plan has 50,002 tasks: 2 over the limit of 50,000 (KETTLE_MAX_PLAN_TASKS)",
    );
  });
  it("sums the state's bytes (UTF-8), and stops counting at twice the limit", () => {
    const big = new SequentialExecTask(Array.from({ length: 1000 }, () => new Holder({ note: "é".repeat(1000) })));
    expect(refusal(() => checkPlanLimits(big, { tasks: 10_000, stateBytes: 1_500_000 }))).toMatch(
      /^The plan's task state is 2,0\d\d,\d\d\d bytes: 5\d\d,\d\d\d over the limit of 1,500,000 \(KETTLE_MAX_PLAN_STATE_BYTES\)$/,
    );
    expect(refusal(() => checkPlanLimits(big, { tasks: 10_000, stateBytes: 100_000 }))).toMatch(/^The plan's task state is at least 20\d,\d\d\d bytes: at least 10\d,\d\d\d over the limit of 100,000/);
  });
  it("a state that is not JSON is refused, not a 500", () => {
    expect(refusal(() => checkPlanLimits(new Holder({ n: 1n }), { tasks: 10, stateBytes: 1e6 }))).toMatch(/cannot be stored as JSON/);
  });
});

describe("the text rule", () => {
  it("finds control characters but tab and line breaks, and says which and where", () => {
    expect(controlCharacterIn("a\tb\nc\r\nd")).toBeNull();
    expect(controlCharacterIn("ci\u0000 pipeline")).toBe("U+0000 at character 3");
    expect(controlCharacterIn("\u007f")).toBe("U+007F at character 1");
    expect(() => refuseBadText("reason", "a\u001bb")).toThrow("reason: control characters (such as NUL) are not allowed; tabs and line breaks are (found U+001B at character 2)");
  });
  it("finds lone surrogates, not pairs", () => {
    expect(loneSurrogateIn("emoji 😀 and 𝄞")).toBeNull();
    expect(loneSurrogateIn("a\ud800b")).toBe("U+D800 at character 2");
    expect(loneSurrogateIn("\udc00")).toBe("U+DC00 at character 1");
    expect(loneSurrogateIn("x\ud83d")).toBe("U+D83D at character 2");
    expect(() => refuseBadText("name", "x\ud83d")).toThrow("name: not valid Unicode text (it has a lone surrogate) (found U+D83D at character 2)");
  });
});

describe("the path guard", () => {
  const routes = [
    { path: "/api/rollouts/{id}", methods: ["GET", "PUT"] },
    { path: "/api/rollouts/in-flight", methods: ["GET"] },
    { path: "/api/rollouts/{id}/tasks/{taskId}/{decision}", methods: ["POST"] },
  ];
  it("decodes each segment, or says it does not", () => {
    expect(decodedSegments("/api/kinds/rollout%3AMy/lock")).toEqual(["", "api", "kinds", "rollout:My", "lock"]);
    for (const bad of ["/api/%zz", "/a/%E0%A4%A", "/%", "/x/%ED%A0%80"]) expect(decodedSegments(bad), bad).toBeNull();
  });
  it("matches a static segment before a parameter, and no empty parameter", () => {
    const match = (p: string) => matchApiRoute(routes, p.split("/"))?.path ?? null;
    expect(match("/api/rollouts/in-flight")).toBe("/api/rollouts/in-flight");
    expect(match("/api/rollouts/12")).toBe("/api/rollouts/{id}");
    expect(match("/api/rollouts/12/tasks/3/approve")).toBe("/api/rollouts/{id}/tasks/{taskId}/{decision}");
    expect(match("/api/rollouts/")).toBeNull();
    expect(match("/api/rollouts/12/nope")).toBeNull();
  });
});

describe("the limits' settings", () => {
  it("have defaults, and a bad value stops the server with the variable's name", () => {
    expect(parseSettings({}).planLimits).toEqual({ tasks: 200_000, stateBytes: 32 * 1024 * 1024 });
    expect(parseSettings({ KETTLE_MAX_PLAN_TASKS: "5000", KETTLE_MAX_PLAN_STATE_BYTES: "65536" }).planLimits).toEqual({ tasks: 5000, stateBytes: 65536 });
    for (const [name, value] of [["KETTLE_MAX_PLAN_TASKS", "0"], ["KETTLE_MAX_PLAN_TASKS", "lots"], ["KETTLE_MAX_PLAN_STATE_BYTES", "10"]]) {
      expect(() => parseSettings({ [name]: value })).toThrow(SettingsError);
      expect(() => parseSettings({ [name]: value })).toThrow(name);
    }
  });
});

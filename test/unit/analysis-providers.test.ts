// The providers against a loopback HTTP server standing in for Prometheus and a
// JSON endpoint (the real Prometheus is in test/api/analysis.test.ts), and the
// condition language's limits.
import http from "node:http";
import { afterAll, beforeAll, expect, test } from "vitest";
import { pick, queryPrometheus, queryWeb } from "@/lib/kettle/analysis/providers";
import { checkCondition, evaluateCondition } from "@/lib/kettle/analysis/conditions";
import { freePort } from "../helpers/server";

let url = "";
let answer: (req: http.IncomingMessage) => [number, string] = () => [200, "{}"];
let lastAuth: string | undefined;
let server: http.Server;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    lastAuth = req.headers.authorization;
    if (req.url?.startsWith("/slow")) return; // never answers
    const [status, body] = answer(req);
    res.writeHead(status, { "content-type": "application/json" }).end(body);
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  url = `http://127.0.0.1:${port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const prom = (data: unknown, status = "success") => () => [200, JSON.stringify({ status, data, error: status === "success" ? undefined : "bad_data: parse error" })] as [number, string];

test("prometheus: a scalar, a one-sample vector, a longer vector, an empty one; NaN is a value", async () => {
  const p = { address: url, query: "up" };
  answer = prom({ resultType: "scalar", result: [1, "0.25"] });
  expect(await queryPrometheus(p, AbortSignal.timeout(5000))).toBe(0.25);
  answer = prom({ resultType: "vector", result: [{ metric: {}, value: [1, "3"] }] });
  expect(await queryPrometheus(p, AbortSignal.timeout(5000))).toBe(3);
  answer = prom({ resultType: "vector", result: [{ value: [1, "1"] }, { value: [1, "2"] }] });
  expect(await queryPrometheus(p, AbortSignal.timeout(5000))).toEqual([1, 2]);
  answer = prom({ resultType: "vector", result: [] });
  expect(await queryPrometheus(p, AbortSignal.timeout(5000))).toBeNull();
  answer = prom({ resultType: "vector", result: [{ value: [1, "NaN"] }] });
  expect(await queryPrometheus(p, AbortSignal.timeout(5000))).toBeNaN();
  answer = prom(null, "error");
  await expect(queryPrometheus(p, AbortSignal.timeout(5000))).rejects.toThrow(/Prometheus: bad_data: parse error/);
  answer = prom({ resultType: "matrix", result: [] });
  await expect(queryPrometheus(p, AbortSignal.timeout(5000))).rejects.toThrow(/matrix result: an instant query/);
});

test("prometheus: the bearer token comes from the environment variable tokenEnv names, never from the tree", async () => {
  answer = prom({ resultType: "scalar", result: [1, "1"] });
  process.env.KETTLE_TEST_PROM_TOKEN = "s3cret";
  await queryPrometheus({ address: url, query: "up", tokenEnv: "KETTLE_TEST_PROM_TOKEN" }, AbortSignal.timeout(5000));
  expect(lastAuth).toBe("Bearer s3cret");
  delete process.env.KETTLE_TEST_PROM_TOKEN;
  await expect(queryPrometheus({ address: url, query: "up", tokenEnv: "KETTLE_TEST_PROM_TOKEN" }, AbortSignal.timeout(5000))).rejects.toThrow(/KETTLE_TEST_PROM_TOKEN \(tokenEnv\) is not set/);
});

test("web: a number or an array picked by the JSON path; HTTP errors, non-JSON and timeouts are errors", async () => {
  answer = () => [200, JSON.stringify({ data: { errorRate: "0.5", list: [1, 2] } })];
  expect(await queryWeb({ url, jsonPath: "$.data.errorRate" }, AbortSignal.timeout(5000))).toBe(0.5);
  expect(await queryWeb({ url, jsonPath: "$.data.list" }, AbortSignal.timeout(5000))).toEqual([1, 2]);
  expect(await queryWeb({ url, jsonPath: "$.data.missing" }, AbortSignal.timeout(5000))).toBeNull();
  answer = () => [200, JSON.stringify({ data: { errorRate: "high" } })];
  await expect(queryWeb({ url, jsonPath: "$.data.errorRate" }, AbortSignal.timeout(5000))).rejects.toThrow(/\$\.data\.errorRate is not a number: "high"/);
  answer = () => [503, "down"];
  await expect(queryWeb({ url, jsonPath: "$" }, AbortSignal.timeout(5000))).rejects.toThrow(/HTTP 503: down/);
  answer = () => [200, "<html>"];
  await expect(queryWeb({ url, jsonPath: "$" }, AbortSignal.timeout(5000))).rejects.toThrow(/not JSON/);
  await expect(queryWeb({ url: `${url}/slow`, jsonPath: "$", timeoutSeconds: 0.3 }, AbortSignal.timeout(5000))).rejects.toThrow(/no answer within 0.3 s/);
});

test("pick follows own properties only", () => {
  expect(pick({ a: [{ b: 2 }] }, "$.a[0].b")).toBe(2);
  expect(pick({}, "$.constructor")).toBeUndefined();
  expect(pick(7, "$")).toBe(7);
});

test("conditions: only result and the listed functions; transforms, other names and syntax errors are refused", () => {
  expect(checkCondition("result < 0.01 && len(result) == 1")).toBeNull();
  expect(checkCondition("default(result, 0) >= 1 || isNaN(result)")).toBeNull();
  expect(checkCondition("process.exit(1)")).toMatch(/unknown function|only "result"/);
  expect(checkCondition("other > 1")).toMatch(/only "result" may be named \(got "other"\)/);
  expect(checkCondition("result|len > 1")).toMatch(/unknown function "len"/);
  expect(checkCondition("result <")).toMatch(/does not parse/);
  expect(checkCondition("constructor")).not.toBeNull(); // refused (Jexl does not parse the name at all)
  expect(checkCondition("result.constructor")).not.toBeNull();
  expect(evaluateCondition("max(result) < 5 && avg(result) > 1", [2, 3, 4])).toBe(true);
  expect(evaluateCondition("result", 1)).toBe(false); // only a true boolean counts
});

// The rollout page shows each log line once: several pages opened before Run
// follow the run (approval gates approved as it goes) through the production
// build, with no console error. Its development twin is in test/dev.
import { describe, expect, test } from "vitest";
import { serverAndBrowser } from "../helpers/browser";
import { followLogOnEveryPage } from "../helpers/log-once";

const ctx = serverAndBrowser({ env: { KETTLE_ROLLOUT_CLS: "fixtures:TreeRollout" } });

describe("the rollout log on pages opened before Run (production build)", () => {
  test("four pages at once, twice over: every line shown once on every page", async () => {
    for (let round = 0; round < 2; round++) {
      const { lines } = await followLogOnEveryPage({ browser: ctx.browser, url: ctx.server.url, api: ctx.server.api, pages: 4, timeoutMs: 20_000 });
      expect(lines).toBeGreaterThanOrEqual(4); // started, two approvals, finished
    }
  });
});

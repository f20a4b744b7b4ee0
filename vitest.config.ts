import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": import.meta.dirname } },
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Server and browser tests start processes; two cores: keep files from piling up.
    maxWorkers: 2,
    fileParallelism: true,
  },
});

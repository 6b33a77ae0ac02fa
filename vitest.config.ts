import path from "node:path";
import { defineConfig } from "vitest/config";

/**
 * Unit and integration tests. Integration tests share one database per worker (PGlite in memory, or the
 * Postgres in TEST_DATABASE_URL) and isolate each test in a transaction that is rolled back, so PGlite's
 * start-up is paid once per worker, not per test. Hence `isolate: false`: modules (and the database) are
 * reused across the files of a worker.
 */
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname, "src") } },
  test: {
    include: ["tests/unit/**/*.test.ts", "tests/integration/**/*.test.ts"],
    // Tests that commit data to the shared worker database (real concurrency) run afterwards, alone:
    // vitest.serial.config.ts. Otherwise other files' global counts could see their rows.
    exclude: ["**/node_modules/**", "tests/**/*.serial.test.ts"],
    globalSetup: ["tests/setup/global.ts"],
    setupFiles: ["tests/setup/env.ts"],
    pool: "forks",
    isolate: false,
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

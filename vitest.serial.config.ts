import { defineConfig } from "vitest/config";
import base from "./vitest.config";

/**
 * Tests that need real concurrency commit rows to the database (no rolled-back transaction), so they run
 * after the main suite (`npm test` runs both), one file at a time, where no other test can see their rows.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["tests/**/*.serial.test.ts"],
    exclude: ["**/node_modules/**"],
    maxWorkers: 1,
    fileParallelism: false,
  },
});

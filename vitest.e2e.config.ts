import path from "node:path";
import { defineConfig } from "vitest/config";

/**
 * Browser tests: a production build served by `next start` on an empty embedded database, driven by
 * playwright-core in Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH). One file at a time: they share
 * one server and the machine has two cores.
 */
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname, "src") } },
  test: {
    include: ["tests/e2e/**/*.e2e.ts"],
    globalSetup: ["tests/e2e/setup/server.ts"],
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 300_000,
  },
});

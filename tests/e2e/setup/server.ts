import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    baseURL: string;
  }
}

const root = path.resolve(import.meta.dirname, "../../..");

export const E2E_FREE_PROMPT_LIMIT = 12;
export const E2E_ADMIN_EMAIL = "e2e-admin@example.test";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function waitForHealth(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode}):\n${log()}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`The app did not become healthy at ${url}:\n${log()}`);
}

/** Builds the app (unless E2E_SKIP_BUILD=1), starts it on a free port with a fresh data folder. */
export default async function setup(project: TestProject) {
  if (process.env.E2E_SKIP_BUILD !== "1") {
    const build = spawnSync("npx", ["next", "build"], { cwd: root, stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } });
    if (build.status !== 0) throw new Error("next build failed");
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), "promptvault-e2e-"));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    DATA_DIR: dataDir,
    PORT: String(port),
    // A prompt limit small enough for billing.e2e.ts to reach in a few seconds, and big enough for every other
    // test's user (onboarding.e2e.ts's makes the most: 3 imported + 5 starters).
    PLAN_LIMITS: JSON.stringify({ free: { prompts: E2E_FREE_PROMPT_LIMIT } }),
    // The first account of an instance is an admin too, and whichever test file runs first makes it: the
    // billing test signs its administrator up with this address instead of relying on that.
    ADMIN_EMAILS: E2E_ADMIN_EMAIL,
  };
  // Empty, not deleted: Next loads a developer's .env files for variables that are unset, and an e2e run must
  // never write into their database or call their services. (Empty counts as unset for the app.)
  for (const key of ["DATABASE_URL", "CLERK_SECRET_KEY", "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY", "CLERK_WEBHOOK_SIGNING_SECRET", "OPENAI_API_KEY", "OPENAI_BASE_URL", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "BLOB_READ_WRITE_TOKEN", "APP_URL"]) env[key] = "";
  let output = "";
  const child = spawn("npx", ["next", "start", "-p", String(port), "-H", "127.0.0.1"], { cwd: root, env, detached: true });
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const baseURL = `http://127.0.0.1:${port}`;
  await waitForHealth(baseURL, child, () => output);
  project.provide("baseURL", baseURL);

  return async () => {
    if (child.pid) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
    await new Promise((r) => setTimeout(r, 500));
    rmSync(dataDir, { recursive: true, force: true });
    if (process.env.E2E_SHOW_SERVER_LOG === "1") console.log(output);
  };
}

import { randomBytes } from "node:crypto";
import { and, count, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll } from "vitest";
import { BuiltinEngine } from "../../src/server/ai/builtin-engine";
import { resetApplicationKey } from "../../src/server/ai/key-vault";
import { OpenAiEngine } from "../../src/server/ai/openai-engine";
import type { Database } from "../../src/server/db/client";
import { optimizations, promptVersions, providerKeys, usageEvents } from "../../src/server/db/schema";
import type { EngineFactory } from "../../src/server/services/optimize-service";
import { FakeOpenAi } from "./fake-openai";
import { useEnvVars } from "./env-vars";

export * as optimizeRoute from "../../src/app/api/prompts/[id]/optimize/route";
export * as optimizationsRoute from "../../src/app/api/prompts/[id]/optimizations/route";
export * as acceptRoute from "../../src/app/api/optimizations/[id]/accept/route";
export * as rejectRoute from "../../src/app/api/optimizations/[id]/reject/route";
export * as planRoute from "../../src/app/api/optimize/plan/route";
export * as aiKeyRoute from "../../src/app/api/settings/ai-key/route";
export * as aiKeyTestRoute from "../../src/app/api/settings/ai-key/test/route";

/** Two keys that look like real ones and are easy to tell apart in a request. */
export const PLATFORM_KEY = "sk-platform-TESTKEY-0000000000000000000000000000aaaa";
export const USER_KEY = "sk-proj-USERKEY-1111111111111111111111111111111111bbbb";

/** One fake OpenAI server per test file; its script and records are cleared after every test. */
export function useFakeOpenAi(): FakeOpenAi {
  const fake = new FakeOpenAi();
  beforeAll(() => fake.start());
  afterAll(() => fake.stop());
  afterEach(() => fake.reset());
  return fake;
}

const ENV_KEYS = ["OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "OPENAI_TIMEOUT_MS", "AUTO_TAG_ENGINE", "APP_ENCRYPTION_KEY", "DATA_DIR", "NODE_ENV", "PLAN_LIMITS"] as const;
type EnvKey = (typeof ENV_KEYS)[number];

/**
 * Sets environment variables for one test (through the one env module) and restores them afterwards.
 * Every test starts with a fresh application encryption key in APP_ENCRYPTION_KEY, so stored API keys never
 * touch the developer's data folder; tests of the generated key unset it.
 */
export function useAiEnv(): (vars: Partial<Record<EnvKey, string | undefined>>) => void {
  // The plans' documented limits (no PLAN_LIMITS override) and no platform AI unless a test configures it.
  return useEnvVars(ENV_KEYS, {
    reset: ENV_KEYS.filter((k) => k !== "DATA_DIR" && k !== "NODE_ENV"),
    defaults: () => ({ APP_ENCRYPTION_KEY: randomBytes(32).toString("base64") }),
    afterSet: resetApplicationKey,
  });
}

/** Platform AI configured the way an operator would: OPENAI_API_KEY + OPENAI_BASE_URL (+ model). */
export function platformEnv(fake: FakeOpenAi, extra: Partial<Record<EnvKey, string>> = {}) {
  return { OPENAI_API_KEY: PLATFORM_KEY, OPENAI_BASE_URL: fake.baseURL, OPENAI_MODEL: "gpt-4o-mini", ...extra };
}

/** The real OpenAiEngine against the fake server, with a short timeout and explicit retries for fast tests. */
export function fakeEngines(fake: FakeOpenAi, options: { platformKey?: string | null; model?: string; timeoutMs?: number; maxRetries?: number } = {}): EngineFactory {
  const { platformKey = PLATFORM_KEY, model = "gpt-4o-mini", timeoutMs = 5_000, maxRetries = 0 } = options;
  return {
    platform: () => (platformKey === null ? null : new OpenAiEngine({ apiKey: platformKey, baseURL: fake.baseURL, model, timeoutMs, maxRetries })),
    user: (key) => new OpenAiEngine({ apiKey: key.apiKey, baseURL: key.baseUrl ?? undefined, model: key.model ?? model, timeoutMs, maxRetries }),
    builtin: () => new BuiltinEngine(),
  };
}

/** What a failed call must leave untouched: optimizations and versions of the prompt. */
export async function savedState(db: Database, promptId: string) {
  const [o] = await db.select({ n: count() }).from(optimizations).where(eq(optimizations.promptId, promptId));
  const [v] = await db.select({ n: count() }).from(promptVersions).where(eq(promptVersions.promptId, promptId));
  return { optimizations: Number(o!.n), versions: Number(v!.n) };
}

export function usageOf(db: Database, userId: string) {
  return db.select().from(usageEvents).where(eq(usageEvents.userId, userId)).orderBy(usageEvents.occurredAt, usageEvents.createdAt);
}

export async function providerKeyRows(db: Database, userId: string) {
  return db.select().from(providerKeys).where(and(eq(providerKeys.userId, userId), eq(providerKeys.provider, "openai")));
}

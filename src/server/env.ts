import { z } from "zod";

/**
 * The one place that reads `process.env`. Every optional service is off unless its keys are present;
 * `isXConfigured()` helpers below are what the rest of the code asks.
 */
const emptyAsUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());
const optionalUrl = z.preprocess(emptyAsUndefined, z.url().optional());
const optionalBool = z.preprocess(
  (v) => (typeof v === "string" ? (["1", "true", "yes"].includes(v.toLowerCase()) ? true : ["0", "false", "no"].includes(v.toLowerCase()) ? false : v) : v),
  z.boolean().optional(),
);

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),

  // Database: unset → embedded PGlite under DATA_DIR; a *.neon.tech host → Neon serverless driver; else node-postgres.
  DATABASE_URL: z.preprocess(emptyAsUndefined, z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL").optional()),
  DATABASE_DRIVER: z.preprocess(emptyAsUndefined, z.enum(["pglite", "neon", "pg"]).optional()),
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default(".data")),

  APP_URL: optionalUrl,
  COOKIE_SECURE: optionalBool,

  // Clerk: both keys switch auth from built-in accounts to Clerk.
  CLERK_SECRET_KEY: optionalString,
  NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: optionalString,
  CLERK_WEBHOOK_SIGNING_SECRET: optionalString,

  // Later issues: AI, billing, storage, plans.
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalUrl,
  OPENAI_MODEL: z.preprocess(emptyAsUndefined, z.string().default("gpt-4o-mini")),
  // Per attempt; the SDK retries twice (429/5xx/timeouts), so a person waits at most about 3× this.
  // Users' own keys may point at private addresses (a local Ollama…) outside production; in production only
  // when this is set — otherwise a user could make the server call internal services.
  AI_ALLOW_PRIVATE_BASE_URLS: optionalBool,
  // Auto-tagging: "auto" uses the user's own key, else the platform's OpenAI key, else the offline tagger;
  // "offline" never calls an LLM for tags.
  AUTO_TAG_ENGINE: z.preprocess(emptyAsUndefined, z.enum(["auto", "offline"]).default("auto")),
  OPENAI_TIMEOUT_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1000).max(600_000).default(30_000)),
  STRIPE_SECRET_KEY: optionalString,
  STRIPE_WEBHOOK_SECRET: optionalString,
  STRIPE_PRICE_PRO_MONTHLY: optionalString,
  STRIPE_PRICE_PRO_YEARLY: optionalString,
  STRIPE_PRICE_ENTERPRISE_MONTHLY: optionalString,
  STRIPE_PRICE_ENTERPRISE_YEARLY: optionalString,
  // Another Stripe API host (stripe-mock, a test server): e.g. http://127.0.0.1:12111
  STRIPE_API_URL: optionalUrl,
  // JSON overriding plan limits, e.g. {"free":{"prompts":5000}} (self-hosters, tests).
  PLAN_LIMITS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .refine((v) => {
        try {
          const parsed = JSON.parse(v);
          return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed);
        } catch {
          return false;
        }
      }, 'must be a JSON object, e.g. {"free":{"prompts":1000}}')
      .optional(),
  ),
  BLOB_READ_WRITE_TOKEN: optionalString,
  APP_ENCRYPTION_KEY: optionalString,
  DEFAULT_PLAN: z.preprocess(emptyAsUndefined, z.enum(["free", "pro", "enterprise"]).default("free")),
  ADMIN_EMAILS: z.preprocess(emptyAsUndefined, z.string().default("")),
});

export type Env = z.infer<typeof envSchema>;

let cached: Env | undefined;

export function getEnv(): Env {
  if (!cached) {
    const parsed = envSchema.safeParse(process.env);
    if (!parsed.success) {
      const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
      throw new Error(`Invalid environment configuration (see .env.example):\n${lines}`);
    }
    cached = parsed.data;
  }
  return cached;
}

/** Tests change process.env between cases; production never calls this. */
export function reloadEnv(): Env {
  cached = undefined;
  return getEnv();
}

export function isClerkConfigured(env: Env = getEnv()): boolean {
  return Boolean(env.CLERK_SECRET_KEY && env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY);
}

export function isClerkWebhookConfigured(env: Env = getEnv()): boolean {
  return isClerkConfigured(env) && Boolean(env.CLERK_WEBHOOK_SIGNING_SECRET);
}

export function isOpenAIConfigured(env: Env = getEnv()): boolean {
  return Boolean(env.OPENAI_API_KEY);
}

export function isStripeConfigured(env: Env = getEnv()): boolean {
  return Boolean(env.STRIPE_SECRET_KEY && env.STRIPE_WEBHOOK_SECRET);
}

export function isBlobConfigured(env: Env = getEnv()): boolean {
  return Boolean(env.BLOB_READ_WRITE_TOKEN);
}

export type DatabaseDriver = "pglite" | "neon" | "pg";

export function databaseDriver(env: Env = getEnv()): DatabaseDriver {
  if (!env.DATABASE_URL) return "pglite";
  if (env.DATABASE_DRIVER) return env.DATABASE_DRIVER;
  const host = new URL(env.DATABASE_URL).hostname;
  return /(^|\.)neon\.(tech|build)$/.test(host) ? "neon" : "pg";
}

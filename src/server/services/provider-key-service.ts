import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/client";
import { providerKeys } from "../db/schema";
import { decryptSecret, encryptSecret } from "../ai/key-vault";
import { AiEngineError } from "../ai/engine";
import { OpenAiEngine } from "../ai/openai-engine";
import { getEnv } from "../env";
import { ServiceError, notFound } from "../errors";
import { parseInput } from "./input";

/**
 * A user-supplied base URL is fetched by the server, so it must not reach cloud metadata services ever, nor
 * private networks in production (unless AI_ALLOW_PRIVATE_BASE_URLS). Literal hosts are checked; a public
 * name that resolves to a private address is not (documented limit).
 */
function allowedBaseUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return true; // not a URL: z.url() already says so
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return false;
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (/^169\.254\./.test(host) || host === "metadata.google.internal" || host === "metadata" || host.startsWith("fd00:ec2:")) return false;
  const env = getEnv();
  if (env.NODE_ENV !== "production" || env.AI_ALLOW_PRIVATE_BASE_URLS) return true;
  return !(
    host === "localhost" ||
    host.endsWith(".localhost") ||
    host.endsWith(".internal") ||
    /^(127\.|10\.|0\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(host) ||
    host === "::1" ||
    /^f[cd][0-9a-f]{2}:/.test(host)
  );
}

const keySchema = z.object({
  apiKey: z.string().trim().min(8, "does not look like an API key").max(500),
  baseUrl: z.url().max(500).refine(allowedBaseUrl, "must be a public http(s) address (private addresses need AI_ALLOW_PRIVATE_BASE_URLS on this server)").nullable().optional(),
  model: z.string().trim().min(1).max(100).nullable().optional(),
});

/** What the browser may see of a stored key: never the key, only its last four characters. */
export type ProviderKeyView = { provider: string; last4: string; baseUrl: string | null; model: string | null; lastTestedAt: Date | null; updatedAt: Date };

export type UserAiKey = { apiKey: string; baseUrl: string | null; model: string | null };

/** Bring-your-own-key: an OpenAI-compatible key per user, encrypted at rest (AES-256-GCM). */
export class ProviderKeyService {
  constructor(
    private readonly db: Database,
    private readonly userId: string,
  ) {}

  async get(): Promise<ProviderKeyView | null> {
    const [row] = await this.db
      .select({ provider: providerKeys.provider, last4: providerKeys.last4, baseUrl: providerKeys.baseUrl, model: providerKeys.model, lastTestedAt: providerKeys.lastTestedAt, updatedAt: providerKeys.updatedAt })
      .from(providerKeys)
      .where(and(eq(providerKeys.userId, this.userId), eq(providerKeys.provider, "openai")));
    return row ?? null;
  }

  /** Adds or replaces the key (after checking it against the service, unless `skipCheck`). */
  async set(rawInput: unknown, options: { skipCheck?: boolean } = {}): Promise<ProviderKeyView> {
    const input = parseInput(keySchema, rawInput);
    if (!options.skipCheck) await this.check({ apiKey: input.apiKey, baseUrl: input.baseUrl ?? null, model: input.model ?? null });
    const values = {
      ciphertext: encryptSecret(input.apiKey),
      last4: input.apiKey.slice(-4),
      baseUrl: input.baseUrl ?? null,
      model: input.model ?? null,
      lastTestedAt: options.skipCheck ? null : new Date(),
    };
    await this.db
      .insert(providerKeys)
      .values({ userId: this.userId, provider: "openai", ...values })
      .onConflictDoUpdate({ target: [providerKeys.userId, providerKeys.provider], set: { ...values, updatedAt: sql`now()` } });
    return (await this.get())!;
  }

  /** Checks the stored key against its service. */
  async test(): Promise<ProviderKeyView> {
    const key = await this.secret();
    if (!key) throw notFound("API key");
    await this.check(key);
    await this.db.update(providerKeys).set({ lastTestedAt: sql`now()` }).where(and(eq(providerKeys.userId, this.userId), eq(providerKeys.provider, "openai")));
    return (await this.get())!;
  }

  async delete(): Promise<void> {
    const rows = await this.db
      .delete(providerKeys)
      .where(and(eq(providerKeys.userId, this.userId), eq(providerKeys.provider, "openai")))
      .returning({ id: providerKeys.id });
    if (rows.length === 0) throw notFound("API key");
  }

  /** The decrypted key, for the optimizer only. Never returned by a route. */
  async secret(): Promise<UserAiKey | null> {
    const [row] = await this.db
      .select({ ciphertext: providerKeys.ciphertext, baseUrl: providerKeys.baseUrl, model: providerKeys.model })
      .from(providerKeys)
      .where(and(eq(providerKeys.userId, this.userId), eq(providerKeys.provider, "openai")));
    if (!row) return null;
    return { apiKey: decryptSecret(row.ciphertext), baseUrl: row.baseUrl, model: row.model };
  }

  private async check(key: UserAiKey): Promise<void> {
    const engine = new OpenAiEngine({ apiKey: key.apiKey, baseURL: key.baseUrl ?? undefined, model: key.model ?? getEnv().OPENAI_MODEL, timeoutMs: 15_000, maxRetries: 0 });
    try {
      await engine.check();
    } catch (error) {
      if (error instanceof AiEngineError) throw new ServiceError("invalid", `The key did not work: ${error.message}`, { reason: error.reason });
      throw error;
    }
  }
}

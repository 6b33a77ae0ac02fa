import { and, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/client";
import { optimizations, promptVersions, prompts, users, type OptimizationScore } from "../db/schema";
import { BuiltinEngine } from "../ai/builtin-engine";
import { AiEngineError, type EngineResult, type OptimizeEngine } from "../ai/engine";
import { FAILURE_OUTCOME, platformOpenAiConfig, userOpenAiConfig } from "../ai/openai-config";
import { OpenAiEngine } from "../ai/openai-engine";
import { scorePrompt, type RubricScore } from "../ai/rubric";
import { ServiceError, notFound } from "../errors";
import { limitsOf, PLAN_NAMES } from "../plans";
import { parseInput, requireId } from "./input";
import { PromptService } from "./prompts/prompt-service";
import type { PromptDetail } from "./prompts/types";
import { ProviderKeyService } from "./provider-key-service";
import { UsageService } from "./usage-service";

export const OPTIMIZE_FEATURE = "optimize";

const optimizeSchema = z.object({
  /** "auto": the platform's AI within the plan's quota, then the user's key; "builtin": the offline optimizer. */
  engine: z.enum(["auto", "builtin"]).default("auto"),
});

type KeySource = "platform" | "user" | "none";
/** `reservation`: the platform call's hold on the monthly quota (UsageService.reservePlatformCall). */
type Choice = { engine: OptimizeEngine; keySource: KeySource; reservation?: string };

export type OptimizationView = {
  id: string;
  promptId: string;
  engine: string;
  engineLabel: string;
  provider: string | null;
  model: string | null;
  keySource: KeySource;
  baseVersion: number | null;
  original: string;
  rewritten: string;
  changes: { change: string; reason: string }[];
  scoreBefore: OptimizationScore;
  scoreAfter: OptimizationScore;
  judged: { before: number; after: number } | null;
  status: "proposed" | "accepted" | "rejected";
  acceptedVersion: number | null;
  createdAt: Date;
  decidedAt: Date | null;
};

/** Engines are built per call, from the environment or the user's own key; tests construct them directly. */
export type EngineFactory = {
  platform(): OptimizeEngine | null;
  user(key: { apiKey: string; baseUrl: string | null; model: string | null }): OptimizeEngine;
  builtin(): OptimizeEngine;
};

export const defaultEngines: EngineFactory = {
  platform() {
    const config = platformOpenAiConfig();
    return config ? new OpenAiEngine(config) : null;
  },
  user: (key) => new OpenAiEngine(userOpenAiConfig(key)),
  builtin: () => new BuiltinEngine(),
};

/**
 * The Optimize button: rewrite a prompt with an engine, score both versions with the one rubric, keep the
 * proposal in the prompt's history; accepting it makes a new version. Every engine call writes a usage event,
 * successful or not; a failed call saves no optimization.
 */
export class OptimizeService {
  constructor(
    private readonly db: Database,
    private readonly userId: string,
    private readonly engines: EngineFactory = defaultEngines,
  ) {}

  async optimize(rawPromptId: string, rawInput: unknown = {}): Promise<OptimizationView> {
    const promptId = requireId(rawPromptId, "Prompt");
    const input = parseInput(optimizeSchema, rawInput);
    const prompt = await new PromptService(this.db, this.userId).findOwned(this.db, promptId);
    const choice = await this.choose(input.engine);
    try {
      return await this.run(choice, prompt);
    } finally {
      // Already gone after a success (deleted with the usage event); after a failure the quota is given back.
      // (Should that fail too, the reservation lapses after RESERVATION_TTL; the call's own outcome is what matters.)
      if (choice.reservation) await new UsageService(this.db).release(choice.reservation).catch((error) => console.warn("[optimize] could not release a quota reservation", error));
    }
  }

  private async run(choice: Choice, prompt: { id: string; body: string; currentVersion: number }): Promise<OptimizationView> {
    const started = Date.now();
    let result: EngineResult;
    try {
      result = await choice.engine.optimize(prompt.body);
    } catch (error) {
      if (!(error instanceof AiEngineError)) throw error;
      const usage = (error as AiEngineError & { usage?: EngineResult["usage"] }).usage;
      await this.recordUsage(choice, prompt.id, Date.now() - started, FAILURE_OUTCOME[error.reason], usage, { failure: error.reason });
      throw new ServiceError(error.reason === "rate_limited" ? "rate_limited" : error.reason === "timeout" ? "timeout" : "unavailable", error.message, { reason: error.reason });
    }
    const latencyMs = Date.now() - started;
    const before = scoreOf(scorePrompt(prompt.body));
    const after = scoreOf(scorePrompt(result.rewritten));

    const id = await this.db.transaction(async (tx) => {
      const [version] = await tx
        .select({ id: promptVersions.id })
        .from(promptVersions)
        .where(and(eq(promptVersions.promptId, prompt.id), eq(promptVersions.number, prompt.currentVersion)));
      const [row] = await tx
        .insert(optimizations)
        .values({
          userId: this.userId,
          promptId: prompt.id,
          baseVersionId: version?.id ?? null,
          engine: choice.engine.id,
          provider: result.provider,
          model: result.model,
          keySource: choice.keySource,
          original: prompt.body,
          rewritten: result.rewritten,
          changes: result.changes,
          scoreBefore: before,
          scoreAfter: after,
          judged: result.judged ?? null,
        })
        .returning({ id: optimizations.id });
      const usage = new UsageService(tx);
      await usage.record(this.usageRecord(choice, prompt.id, latencyMs, "success", result.usage, { provider: result.provider, model: result.model, optimizationId: row!.id }));
      // The call now counts as a usage event: its reservation goes in the same transaction.
      if (choice.reservation) await usage.release(choice.reservation);
      return row!.id;
    });
    return this.get(id);
  }

  async get(rawId: string): Promise<OptimizationView> {
    const id = requireId(rawId, "Optimization");
    const [row] = await this.query(eq(optimizations.id, id));
    if (!row) throw notFound("Optimization");
    return row;
  }

  async history(rawPromptId: string): Promise<OptimizationView[]> {
    const promptId = requireId(rawPromptId, "Prompt");
    await new PromptService(this.db, this.userId).findOwned(this.db, promptId, { includeTrashed: true });
    return this.query(eq(optimizations.promptId, promptId));
  }

  /** Accepting makes the rewrite a new version; refused if the prompt changed since the optimization ran. */
  async accept(rawId: string): Promise<{ optimization: OptimizationView; prompt: PromptDetail }> {
    const optimization = await this.get(rawId);
    if (optimization.status !== "proposed") throw new ServiceError("conflict", `This optimization was already ${optimization.status}.`);
    const promptService = new PromptService(this.db, this.userId);
    const prompt = await this.db.transaction(async (tx) => {
      const service = new PromptService(tx, this.userId);
      const current = await service.findOwned(tx, optimization.promptId, { forUpdate: true });
      // Re-read the decision under a row lock: a reject (or another accept) may have landed since `get`.
      const [locked] = await tx
        .select({ status: optimizations.status })
        .from(optimizations)
        .where(and(eq(optimizations.id, optimization.id), eq(optimizations.userId, this.userId)))
        .for("update");
      if (locked?.status !== "proposed") throw new ServiceError("conflict", `This optimization was already ${locked?.status ?? "decided"}.`);
      if (optimization.baseVersion !== null && current.currentVersion !== optimization.baseVersion) {
        throw new ServiceError("conflict", `The prompt has changed since this optimization ran (now version ${current.currentVersion}). Optimize it again.`);
      }
      const updated = await service.update(optimization.promptId, {
        body: optimization.rewritten,
        baseVersion: current.currentVersion,
        message: `Optimized with ${optimization.engineLabel} — score ${optimization.scoreBefore.total} → ${optimization.scoreAfter.total}`,
      });
      const [version] = await tx
        .select({ id: promptVersions.id })
        .from(promptVersions)
        .where(and(eq(promptVersions.promptId, updated.id), eq(promptVersions.number, updated.currentVersion)));
      await tx
        .update(optimizations)
        .set({ status: "accepted", acceptedVersionId: version!.id, decidedAt: sql`now()` })
        .where(and(eq(optimizations.id, optimization.id), eq(optimizations.userId, this.userId), eq(optimizations.status, "proposed")));
      return updated;
    });
    return { optimization: await this.get(optimization.id), prompt: await promptService.get(prompt.id) };
  }

  async reject(rawId: string): Promise<OptimizationView> {
    const optimization = await this.get(rawId);
    if (optimization.status !== "proposed") throw new ServiceError("conflict", `This optimization was already ${optimization.status}.`);
    // Only a proposal still open is rejected: an accept that committed meanwhile wins.
    const rows = await this.db
      .update(optimizations)
      .set({ status: "rejected", decidedAt: sql`now()` })
      .where(and(eq(optimizations.id, optimization.id), eq(optimizations.userId, this.userId), eq(optimizations.status, "proposed")))
      .returning({ id: optimizations.id });
    if (rows.length === 0) throw new ServiceError("conflict", `This optimization was already ${(await this.get(optimization.id)).status}.`);
    return this.get(optimization.id);
  }

  /** Which engine and whose key a call will use, for the UI before pressing the button. */
  async plan(): Promise<{ engine: string; keySource: KeySource; remainingPlatform: number | null; hasOwnKey: boolean }> {
    const platform = this.engines.platform();
    const hasOwnKey = Boolean(await new ProviderKeyService(this.db, this.userId).get());
    if (!platform) return { engine: hasOwnKey ? "openai" : "builtin", keySource: hasOwnKey ? "user" : "none", remainingPlatform: null, hasOwnKey };
    const remaining = await this.remainingPlatformQuota();
    if (remaining > 0) return { engine: "openai", keySource: "platform", remainingPlatform: remaining, hasOwnKey };
    return { engine: hasOwnKey ? "openai" : "none", keySource: hasOwnKey ? "user" : "none", remainingPlatform: 0, hasOwnKey };
  }

  /**
   * Platform AI within the plan's monthly quota → the user's own key → 402. Without any AI configured (and
   * no key of their own), the built-in engine.
   */
  private async choose(mode: "auto" | "builtin"): Promise<Choice> {
    if (mode === "builtin") return { engine: this.engines.builtin(), keySource: "none" };
    const platform = this.engines.platform();
    if (platform) {
      const limit = limitsOf(await this.userPlan()).platformOptimizationsPerMonth;
      const reservation = await new UsageService(this.db).reservePlatformCall(this.userId, OPTIMIZE_FEATURE, limit);
      if (reservation) return { engine: platform, keySource: "platform", reservation };
    }
    // Only now is the person's own key needed (and decrypted).
    const ownKey = await new ProviderKeyService(this.db, this.userId).secret();
    if (ownKey) return { engine: this.engines.user(ownKey), keySource: "user" };
    if (!platform) return { engine: this.engines.builtin(), keySource: "none" };
    const plan = await this.userPlan();
    throw new ServiceError(
      "payment_required",
      `You have used this month's ${limitsOf(plan).platformOptimizationsPerMonth} AI optimizations included in the ${PLAN_NAMES[plan]} plan. Add your own OpenAI-compatible API key in Settings, upgrade your plan, or use the built-in optimizer.`,
      { limit: "platformOptimizationsPerMonth", plan },
    );
  }

  /** What is left of this month's platform quota, calls in flight counted as used. */
  private async remainingPlatformQuota(): Promise<number> {
    const plan = await this.userPlan();
    const usage = new UsageService(this.db);
    const used = (await usage.platformCallsThisMonth(this.userId, OPTIMIZE_FEATURE)) + (await usage.platformCallsInFlight(this.userId, OPTIMIZE_FEATURE));
    return Math.max(0, limitsOf(plan).platformOptimizationsPerMonth - used);
  }

  private async userPlan() {
    const [row] = await this.db.select({ plan: users.plan }).from(users).where(eq(users.id, this.userId));
    return row?.plan ?? "free";
  }

  private usageRecord(choice: Choice, promptId: string, latencyMs: number, outcome: "success" | "error" | "timeout" | "rate_limited" | "invalid_output", usage: EngineResult["usage"] | undefined, extra: Record<string, unknown>) {
    const model = (extra.model as string | undefined) ?? choice.engine.model;
    const provider = (extra.provider as string | undefined) ?? choice.engine.provider;
    return {
      userId: this.userId,
      feature: OPTIMIZE_FEATURE,
      provider,
      model,
      inputTokens: usage?.inputTokens ?? 0,
      outputTokens: usage?.outputTokens ?? 0,
      cachedTokens: usage?.cachedTokens ?? 0,
      latencyMs,
      outcome,
      keySource: choice.keySource,
      promptId,
      metadata: { tokensFrom: usage?.fromProvider ? "provider" : "tokenizer", ...extra },
    };
  }

  private async recordUsage(choice: Choice, promptId: string, latencyMs: number, outcome: "error" | "timeout" | "rate_limited" | "invalid_output", usage: EngineResult["usage"] | undefined, extra: Record<string, unknown>) {
    await new UsageService(this.db).record(this.usageRecord(choice, promptId, latencyMs, outcome, usage, extra));
  }

  private async query(where: ReturnType<typeof eq>): Promise<OptimizationView[]> {
    const rows = await this.db
      .select({
        row: optimizations,
        baseVersion: sql<number | null>`(select ${promptVersions.number} from ${promptVersions} where ${promptVersions.id} = ${optimizations.baseVersionId})`,
        acceptedVersion: sql<number | null>`(select ${promptVersions.number} from ${promptVersions} where ${promptVersions.id} = ${optimizations.acceptedVersionId})`,
      })
      .from(optimizations)
      .innerJoin(prompts, eq(prompts.id, optimizations.promptId))
      .where(and(where, eq(optimizations.userId, this.userId)))
      .orderBy(desc(optimizations.createdAt))
      .limit(100);
    return rows.map(({ row, baseVersion, acceptedVersion }) => ({
      id: row.id,
      promptId: row.promptId,
      engine: row.engine,
      engineLabel: row.engine === "builtin" ? "the built-in optimizer" : `${row.model ?? "an AI model"}${row.keySource === "user" ? " (your key)" : ""}`,
      provider: row.provider,
      model: row.model,
      keySource: row.keySource as KeySource,
      baseVersion,
      original: row.original,
      rewritten: row.rewritten,
      changes: row.changes,
      scoreBefore: row.scoreBefore,
      scoreAfter: row.scoreAfter,
      judged: row.judged,
      status: row.status as OptimizationView["status"],
      acceptedVersion,
      createdAt: row.createdAt,
      decidedAt: row.decidedAt,
    }));
  }
}

function scoreOf(score: RubricScore): OptimizationScore {
  return { total: score.total, dimensions: score.dimensions, notes: score.notes };
}

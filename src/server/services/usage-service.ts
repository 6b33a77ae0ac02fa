import { and, count, eq, gte } from "drizzle-orm";
import type { Database } from "../db/client";
import { usageEvents } from "../db/schema";
import { costOf } from "../ai/pricing";
import { monthStart } from "../plans";

export type UsageRecord = {
  userId: string;
  feature: string;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  cachedTokens?: number;
  latencyMs: number;
  outcome: "success" | "error" | "timeout" | "rate_limited" | "invalid_output";
  keySource: "platform" | "user" | "none";
  promptId?: string | null;
  metadata?: Record<string, unknown>;
};

/** Every AI call the product makes is recorded here, with its tokens and its cost at the day's prices. */
export class UsageService {
  constructor(private readonly db: Database) {}

  async record(event: UsageRecord): Promise<string> {
    const at = new Date();
    const cost = costOf(event.provider, event.model, { inputTokens: event.inputTokens, outputTokens: event.outputTokens, cachedTokens: event.cachedTokens }, at);
    const [row] = await this.db
      .insert(usageEvents)
      .values({
        userId: event.userId,
        feature: event.feature,
        provider: event.provider,
        model: event.model,
        inputTokens: event.inputTokens,
        outputTokens: event.outputTokens,
        cachedTokens: event.cachedTokens ?? 0,
        costMicros: cost.costMicros,
        priceDate: cost.priceDate,
        latencyMs: event.latencyMs,
        outcome: event.outcome,
        keySource: event.keySource,
        promptId: event.promptId ?? null,
        metadata: { ...event.metadata, ...(cost.priced ? {} : { unpriced: true }) },
        occurredAt: at,
      })
      .returning({ id: usageEvents.id });
    return row!.id;
  }

  /** Successful calls of a feature paid by the platform's key this month. */
  async platformCallsThisMonth(userId: string, feature: string): Promise<number> {
    const [row] = await this.db
      .select({ n: count() })
      .from(usageEvents)
      .where(and(eq(usageEvents.userId, userId), eq(usageEvents.feature, feature), eq(usageEvents.keySource, "platform"), eq(usageEvents.outcome, "success"), gte(usageEvents.occurredAt, monthStart())));
    return Number(row?.n ?? 0);
  }
}

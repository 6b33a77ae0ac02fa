import { and, count, eq, gte, lt, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { aiReservations, usageEvents, users } from "../db/schema";
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

/** A reservation older than this belongs to a call that never finished (a crash): it no longer counts. */
export const RESERVATION_TTL_MS = 10 * 60 * 1000;

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

  /**
   * Reserves one of this month's `limit` platform-paid calls of a feature, or returns null when none is left:
   * successful calls plus calls in flight (reservations) are counted under a lock on the user's row, so two
   * requests at once cannot both take the last one. The caller writes the call's usage event and deletes the
   * reservation in one transaction (`release`), or just releases it when the call failed.
   */
  async reservePlatformCall(userId: string, feature: string, limit: number): Promise<string | null> {
    return this.db.transaction(async (tx) => {
      await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for("update");
      // Counted after the lock, in a statement of its own: it sees every reservation committed before it.
      await tx.delete(aiReservations).where(and(eq(aiReservations.userId, userId), lt(aiReservations.createdAt, sql`now() - ${`${RESERVATION_TTL_MS} milliseconds`}::interval`)));
      const [inFlight] = await tx.select({ n: count() }).from(aiReservations).where(and(eq(aiReservations.userId, userId), eq(aiReservations.feature, feature)));
      const used = (await new UsageService(tx).platformCallsThisMonth(userId, feature)) + Number(inFlight?.n ?? 0);
      if (used >= limit) return null;
      const [row] = await tx.insert(aiReservations).values({ userId, feature }).returning({ id: aiReservations.id });
      return row!.id;
    });
  }

  /** Ends a reservation (see reservePlatformCall); deleting one already gone is not an error. */
  async release(reservationId: string): Promise<void> {
    await this.db.delete(aiReservations).where(eq(aiReservations.id, reservationId));
  }

  /** Platform calls of a feature in flight now (reservations not yet expired). */
  async platformCallsInFlight(userId: string, feature: string): Promise<number> {
    const [row] = await this.db
      .select({ n: count() })
      .from(aiReservations)
      .where(and(eq(aiReservations.userId, userId), eq(aiReservations.feature, feature), gte(aiReservations.createdAt, sql`now() - ${`${RESERVATION_TTL_MS} milliseconds`}::interval`)));
    return Number(row?.n ?? 0);
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

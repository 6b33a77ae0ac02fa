import { sql } from "drizzle-orm";
import { bigint, check, date, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, timestamptz } from "./columns";
import { prompts } from "./prompts";
import { apiKeys, users } from "./users";

/**
 * A platform-paid AI call in flight, counted against the plan's monthly quota until its usage event is written
 * (then deleted in the same transaction). Without it, two calls started together with one left would both
 * pass the quota check. One left behind by a crash stops counting after RESERVATION_TTL (usage-service.ts).
 */
export const aiReservations = pgTable(
  "ai_reservations",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    feature: text("feature").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("ai_reservations_user_idx").on(t.userId, t.feature)],
);

/** Every AI call the product makes, and events sent to the ingestion API. Money in integer micro-dollars. */
export const usageEvents = pgTable(
  "usage_events",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    feature: text("feature").notNull(),
    provider: text("provider").notNull(),
    model: text("model").notNull(),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    cachedTokens: integer("cached_tokens").notNull().default(0),
    costMicros: bigint("cost_micros", { mode: "number" }).notNull().default(0),
    // The date of the price data used, so later price changes never rewrite history.
    priceDate: date("price_date"),
    latencyMs: integer("latency_ms"),
    outcome: text("outcome").notNull(),
    keySource: text("key_source").notNull(),
    promptId: uuid("prompt_id").references(() => prompts.id, { onDelete: "set null" }),
    apiKeyId: uuid("api_key_id").references(() => apiKeys.id, { onDelete: "set null" }),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    occurredAt: timestamptz("occurred_at").notNull().defaultNow(),
    createdAt: createdAt(),
  },
  (t) => [
    index("usage_events_user_time_idx").on(t.userId, t.occurredAt),
    check("usage_events_tokens_check", sql`${t.inputTokens} >= 0 and ${t.outputTokens} >= 0 and ${t.cachedTokens} >= 0 and ${t.costMicros} >= 0`),
    check("usage_events_outcome_check", sql`${t.outcome} in ('success', 'error', 'timeout', 'rate_limited', 'invalid_output')`),
    check("usage_events_key_source_check", sql`${t.keySource} in ('platform', 'user', 'none', 'external')`),
  ],
);

/** Per-model prices with history: a row per (provider, model, effective date). */
export const modelPrices = pgTable(
  "model_prices",
  {
    id: id(),
    provider: text("provider").notNull(),
    model: text("model").notNull(),
    inputMicrosPerMTok: bigint("input_micros_per_mtok", { mode: "number" }).notNull(),
    outputMicrosPerMTok: bigint("output_micros_per_mtok", { mode: "number" }).notNull(),
    cachedInputMicrosPerMTok: bigint("cached_input_micros_per_mtok", { mode: "number" }),
    effectiveFrom: date("effective_from").notNull(),
    source: text("source").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("model_prices_unique").on(t.provider, t.model, t.effectiveFrom),
    check("model_prices_nonneg_check", sql`${t.inputMicrosPerMTok} >= 0 and ${t.outputMicrosPerMTok} >= 0`),
  ],
);

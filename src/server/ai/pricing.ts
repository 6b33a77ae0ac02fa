import { calcPrice } from "@pydantic/genai-prices";

/**
 * Cost of a call from @pydantic/genai-prices (offline price data for ~1,600 models), in integer
 * micro-dollars so sums are exact. The date the price was taken at is stored with the usage event, so a
 * later price change never rewrites history.
 */
export type Usage = { inputTokens: number; outputTokens: number; cachedTokens?: number };
export type Cost = { costMicros: number; priced: boolean; priceDate: string };

export function costOf(provider: string, model: string, usage: Usage, at: Date = new Date()): Cost {
  const priceDate = at.toISOString().slice(0, 10);
  if (provider === "builtin") return { costMicros: 0, priced: true, priceDate };
  try {
    const result = calcPrice(
      { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens, ...(usage.cachedTokens ? { cache_read_tokens: usage.cachedTokens } : {}) },
      model,
      { providerId: provider === "openai-compatible" ? undefined : provider, timestamp: at },
    );
    if (!result) return { costMicros: 0, priced: false, priceDate };
    return { costMicros: Math.round(result.total_price * 1_000_000), priced: true, priceDate };
  } catch {
    return { costMicros: 0, priced: false, priceDate };
  }
}

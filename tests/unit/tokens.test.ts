import { describe, expect, it } from "vitest";
import { costOf } from "../../src/server/ai/pricing";
import { countTokens, encodingFor } from "../../src/server/ai/tokens";

/**
 * Known counts published with tiktoken (OpenAI cookbook, "How to count tokens with tiktoken"): the same
 * strings in cl100k_base (GPT-4, GPT-3.5) and o200k_base (GPT-4o and later).
 */
const KNOWN: { text: string; cl100k: number; o200k: number }[] = [
  { text: "hello world", cl100k: 2, o200k: 2 },
  { text: "tiktoken is great!", cl100k: 6, o200k: 6 },
  { text: "antidisestablishmentarianism", cl100k: 6, o200k: 6 },
  { text: "お誕生日おめでとう", cl100k: 9, o200k: 8 },
  { text: "", cl100k: 0, o200k: 0 },
];

describe("token counts", () => {
  it("picks tiktoken's encoding by model family", () => {
    for (const model of ["gpt-4o", "gpt-4o-mini", "gpt-4o-2024-08-06", "chatgpt-4o-latest", "gpt-4.1", "gpt-4.1-mini", "gpt-5", "gpt-5-mini", "o1", "o3-mini", "o4-mini", "gpt-oss-120b", "GPT-4o"]) {
      expect(encodingFor(model), model).toBe("o200k_base");
    }
    for (const model of ["gpt-4", "gpt-4-turbo", "gpt-4-0613", "gpt-3.5-turbo", "text-embedding-3-small"]) {
      expect(encodingFor(model), model).toBe("cl100k_base");
    }
    for (const model of ["claude-sonnet-4", "gemini-2.5-pro", "llama-3.1-70b", "promptvault-builtin-1"]) {
      expect(encodingFor(model), model).toBeNull();
    }
  });

  it("counts exactly for OpenAI models", () => {
    for (const { text, cl100k, o200k } of KNOWN) {
      for (const model of ["gpt-4o", "gpt-4o-mini", "gpt-4.1-mini", "o3-mini"]) {
        expect(countTokens(text, model), `${model}: ${text}`).toEqual({ tokens: o200k, exact: true, method: "o200k_base" });
      }
      for (const model of ["gpt-4", "gpt-3.5-turbo"]) {
        expect(countTokens(text, model), `${model}: ${text}`).toEqual({ tokens: cl100k, exact: true, method: "cl100k_base" });
      }
    }
  });

  it("estimates for other providers, and says so", () => {
    const text = "Summarise the attached quarterly report for the board in five bullet points, most important first.";
    const base = countTokens(text, "gpt-4o").tokens;
    expect(base).toBeGreaterThan(10);
    expect(countTokens(text, "claude-sonnet-4-5")).toEqual({ tokens: Math.ceil(base * 1.15), exact: false, method: "estimate: o200k_base × 1.15 (Claude)" });
    expect(countTokens(text, "anthropic/claude-3-haiku")).toMatchObject({ tokens: Math.ceil(base * 1.15), exact: false });
    expect(countTokens(text, "gemini-2.5-flash")).toEqual({ tokens: base, exact: false, method: "estimate: o200k_base × 1 (Gemini)" });
    expect(countTokens(text, "llama-3.3-70b-instruct")).toEqual({ tokens: Math.ceil(base * 1.05), exact: false, method: "estimate: o200k_base × 1.05 (open-weight)" });
    expect(countTokens(text, "some-new-model")).toEqual({ tokens: Math.ceil(base * 1.1), exact: false, method: "estimate: o200k_base × 1.1 (unknown model)" });
    expect(countTokens("hello world", "claude-opus-4")).toEqual({ tokens: 3, exact: false, method: "estimate: o200k_base × 1.15 (Claude)" });
  });
});

describe("cost of a call", () => {
  const at = new Date("2025-06-01T12:00:00Z");

  it("prices OpenAI models per million tokens, in integer micro-dollars, with the price date", () => {
    // gpt-4o-mini: $0.15 input, $0.075 cached input, $0.60 output per million tokens.
    expect(costOf("openai", "gpt-4o-mini", { inputTokens: 1_000_000, outputTokens: 1_000_000 }, at)).toEqual({ costMicros: 750_000, priced: true, priceDate: "2025-06-01" });
    expect(costOf("openai", "gpt-4o-mini", { inputTokens: 412, outputTokens: 187, cachedTokens: 128 }, at).costMicros).toBe(Math.round(284 * 0.15 + 128 * 0.075 + 187 * 0.6));
    // gpt-4o: $2.50 input, $10 output.
    expect(costOf("openai", "gpt-4o", { inputTokens: 2_000, outputTokens: 1_000 }, at).costMicros).toBe(2_000 * 2.5 + 1_000 * 10);
    // A compatible server running an OpenAI model name is priced by the model.
    expect(costOf("openai-compatible", "gpt-4o-mini", { inputTokens: 1_000, outputTokens: 1_000 }, at).costMicros).toBe(150 + 600);
  });

  it("costs nothing for the built-in engine, and flags models it cannot price", () => {
    expect(costOf("builtin", "promptvault-builtin-1", { inputTokens: 5_000, outputTokens: 5_000 }, at)).toEqual({ costMicros: 0, priced: true, priceDate: "2025-06-01" });
    expect(costOf("openai-compatible", "my-local-finetune", { inputTokens: 5_000, outputTokens: 5_000 }, at)).toEqual({ costMicros: 0, priced: false, priceDate: "2025-06-01" });
  });
});

import { countTokens as countO200k } from "gpt-tokenizer/encoding/o200k_base";
import { countTokens as countCl100k } from "gpt-tokenizer/encoding/cl100k_base";

/**
 * Token counts. Exact for OpenAI models (gpt-tokenizer produces tiktoken's ids): o200k_base for the GPT-4o,
 * 4.1, 5 and o-series families, cl100k_base for GPT-4 / 3.5. Other providers publish no tokenizer we can run
 * offline, so their counts are estimates: o200k_base tokens × a per-family factor measured on English prose
 * (Claude's tokenizer yields ~1.15× as many tokens as o200k, Gemini's ~1.0×, Llama 3's ~1.05×). The
 * result says which it is.
 */
export type TokenCount = { tokens: number; exact: boolean; method: string };

const ESTIMATE_FACTORS: { pattern: RegExp; factor: number; family: string }[] = [
  { pattern: /claude|anthropic/i, factor: 1.15, family: "Claude" },
  { pattern: /gemini|gemma|palm|bard/i, factor: 1.0, family: "Gemini" },
  { pattern: /llama|mistral|mixtral|qwen|deepseek/i, factor: 1.05, family: "open-weight" },
];

export function encodingFor(model: string): "o200k_base" | "cl100k_base" | null {
  const m = model.toLowerCase();
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4|chatgpt-4o|gpt-oss)/.test(m)) return "o200k_base";
  if (/^(gpt-4|gpt-3\.5|text-embedding-3|text-embedding-ada)/.test(m)) return "cl100k_base";
  return null;
}

export function countTokens(text: string, model: string): TokenCount {
  const encoding = encodingFor(model);
  if (encoding === "o200k_base") return { tokens: countO200k(text), exact: true, method: "o200k_base" };
  if (encoding === "cl100k_base") return { tokens: countCl100k(text), exact: true, method: "cl100k_base" };
  const estimate = ESTIMATE_FACTORS.find((f) => f.pattern.test(model));
  const base = countO200k(text);
  return { tokens: Math.ceil(base * (estimate?.factor ?? 1.1)), exact: false, method: `estimate: o200k_base × ${estimate?.factor ?? 1.1} (${estimate?.family ?? "unknown model"})` };
}

import { countTokens } from "./tokens";
import type { EngineResult, OptimizeEngine } from "./engine";
import { optimizeOffline } from "./offline-engine";

export const BUILTIN_MODEL = "promptvault-builtin-1";

/** The offline optimizer behind the engine interface. Its "tokens" are counted for the record; it costs nothing. */
export class BuiltinEngine implements OptimizeEngine {
  readonly id = "builtin" as const;
  readonly label = "PromptVault built-in optimizer (offline)";
  readonly provider = "builtin";
  readonly model = BUILTIN_MODEL;

  async optimize(prompt: string): Promise<EngineResult> {
    const { rewritten, changes } = optimizeOffline(prompt);
    return {
      rewritten,
      changes,
      provider: "builtin",
      model: BUILTIN_MODEL,
      usage: { inputTokens: countTokens(prompt, "gpt-4o").tokens, outputTokens: countTokens(rewritten, "gpt-4o").tokens, cachedTokens: 0, fromProvider: false },
    };
  }
}

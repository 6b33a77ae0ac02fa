import type { Change } from "./offline-engine";

/** One interface for every way of rewriting a prompt. */
export type EngineUsage = { inputTokens: number; outputTokens: number; cachedTokens: number; fromProvider: boolean };

export type EngineResult = {
  rewritten: string;
  changes: Change[];
  provider: string;
  model: string;
  usage: EngineUsage;
  /** A model's own 0–100 judgement of the two versions, when an LLM did the work. */
  judged?: { before: number; after: number };
};

export interface OptimizeEngine {
  readonly id: "builtin" | "openai";
  readonly label: string;
  readonly provider: string;
  readonly model: string;
  optimize(prompt: string, options?: { signal?: AbortSignal }): Promise<EngineResult>;
}

export type AiFailure = "timeout" | "rate_limited" | "auth" | "unavailable" | "invalid_output" | "bad_request";

/** A configured AI service failed; `reason` says how, the message says what to do. */
export class AiEngineError extends Error {
  constructor(
    readonly reason: AiFailure,
    message: string,
  ) {
    super(message);
    this.name = "AiEngineError";
  }
}

import OpenAI from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import { z } from "zod";
import { DIMENSION_LABELS, DIMENSIONS } from "./rubric";
import { countTokens } from "./tokens";
import { AiEngineError, type EngineResult, type OptimizeEngine } from "./engine";

const outputSchema = z.object({
  rewritten: z.string().min(1),
  changes: z.array(z.object({ change: z.string().min(1), reason: z.string().min(1) })).min(1),
  judged: z.object({ before: z.number().min(0).max(100), after: z.number().min(0).max(100) }),
});

const SYSTEM = `You improve prompts that people send to AI models. Rewrite the user's prompt so that it gets better answers, keeping its intent, language and every {{variable}} placeholder.
Judge and improve it on these dimensions: ${DIMENSIONS.map((d) => DIMENSION_LABELS[d]).join(", ")}.
Add what is missing (a role, the context to provide, the output format, constraints, a slot for an example), remove filler, organise long prompts into sections, and turn placeholders such as [topic] into {{topic}}.
Return JSON only: "rewritten" (the new prompt), "changes" (each change you made with the reason for it), and "judged" (your 0–100 quality score for the original and for the rewrite).`;

export type OpenAiEngineConfig = {
  apiKey: string;
  baseURL?: string;
  model: string;
  /** Per-attempt timeout (ms). */
  timeoutMs?: number;
  /** Retries on 408/409/429/5xx and connection errors, with the SDK's backoff (it honours Retry-After). */
  maxRetries?: number;
  provider?: string;
};

/** What every adapter on the official SDK shares: the client, its timeout and retries, model and provider. */
export abstract class OpenAiAdapter {
  protected readonly client: OpenAI;

  constructor(protected readonly config: OpenAiEngineConfig) {
    this.client = new OpenAI({ apiKey: config.apiKey, baseURL: config.baseURL, timeout: config.timeoutMs ?? 60_000, maxRetries: config.maxRetries ?? 2 });
  }

  get model(): string {
    return this.config.model;
  }

  get provider(): string {
    return this.config.provider ?? (this.config.baseURL && !/api\.openai\.com/.test(this.config.baseURL) ? "openai-compatible" : "openai");
  }

  /** One chat completion with a system and a user message and a JSON-schema answer; SDK errors become AiEngineErrors. */
  protected async complete(
    system: string,
    user: string,
    responseFormat: OpenAI.Chat.Completions.ChatCompletionCreateParams["response_format"],
    temperature: number,
    signal?: AbortSignal,
  ): Promise<{ completion: OpenAI.Chat.Completions.ChatCompletion; content: string }> {
    try {
      const completion = await this.client.chat.completions.create(
        {
          model: this.config.model,
          messages: [
            { role: "system", content: system },
            { role: "user", content: user },
          ],
          response_format: responseFormat,
          temperature,
        },
        { signal },
      );
      return { completion, content: completion.choices[0]?.message?.content ?? "" };
    } catch (error) {
      throw toEngineError(error);
    }
  }
}

/** OpenAI, or any OpenAI-compatible server, through the official SDK with a JSON-schema response format. */
export class OpenAiEngine extends OpenAiAdapter implements OptimizeEngine {
  readonly id = "openai" as const;
  readonly label: string;

  constructor(config: OpenAiEngineConfig) {
    super(config);
    this.label = `${config.model}${config.baseURL ? ` at ${new URL(config.baseURL).host}` : " (OpenAI)"}`;
  }

  async optimize(prompt: string, options: { signal?: AbortSignal } = {}): Promise<EngineResult> {
    const { completion, content } = await this.complete(SYSTEM, prompt, zodResponseFormat(outputSchema, "prompt_optimization"), 0.2, options.signal);
    let parsed: z.infer<typeof outputSchema>;
    try {
      const result = outputSchema.safeParse(JSON.parse(content));
      if (!result.success) throw result.error;
      parsed = result.data;
    } catch {
      throw Object.assign(new AiEngineError("invalid_output", "The AI service answered, but not with a valid optimization. Nothing was saved; try again or use the built-in optimizer."), {
        usage: usageOf(completion, SYSTEM + prompt, content, this.config.model),
      });
    }
    return {
      rewritten: parsed.rewritten.trim(),
      changes: parsed.changes,
      judged: { before: Math.round(parsed.judged.before), after: Math.round(parsed.judged.after) },
      provider: this.provider,
      model: completion.model || this.config.model,
      usage: usageOf(completion, SYSTEM + prompt, content, this.config.model),
    };
  }

  /** A cheap call to check a key (used when a person saves their own key). */
  async check(): Promise<void> {
    try {
      await this.client.models.list();
    } catch (error) {
      throw toEngineError(error);
    }
  }
}

/** Tokens of a call: the provider's usage field, or (when a compatible server omits it) our own count of `input` and `output`. */
export function usageOf(completion: OpenAI.Chat.Completions.ChatCompletion, input: string, output: string, model: string) {
  const u = completion.usage;
  if (u) {
    return { inputTokens: u.prompt_tokens, outputTokens: u.completion_tokens, cachedTokens: u.prompt_tokens_details?.cached_tokens ?? 0, fromProvider: true };
  }
  // Some compatible servers omit usage: count it ourselves (exact for OpenAI encodings).
  return { inputTokens: countTokens(input, model).tokens, outputTokens: countTokens(output, model).tokens, cachedTokens: 0, fromProvider: false };
}

export function toEngineError(error: unknown): AiEngineError {
  if (error instanceof AiEngineError) return error;
  if (error instanceof OpenAI.APIConnectionTimeoutError) return new AiEngineError("timeout", "The AI service did not answer in time. Nothing was saved; try again in a moment.");
  if (error instanceof OpenAI.RateLimitError) return new AiEngineError("rate_limited", "The AI service is rate-limiting requests right now. Nothing was saved; try again in a minute.");
  if (error instanceof OpenAI.AuthenticationError || error instanceof OpenAI.PermissionDeniedError) {
    return new AiEngineError("auth", "The AI service refused the API key. Check the key (and its base URL) in Settings.");
  }
  if (error instanceof OpenAI.APIUserAbortError) return new AiEngineError("timeout", "The optimization was cancelled.");
  if (error instanceof OpenAI.APIConnectionError) return new AiEngineError("unavailable", "Could not reach the AI service. Check the base URL and your network; nothing was saved.");
  if (error instanceof OpenAI.BadRequestError || error instanceof OpenAI.NotFoundError || error instanceof OpenAI.UnprocessableEntityError) {
    return new AiEngineError("bad_request", "The AI service rejected the request (is the model name right for this server?). Nothing was saved.");
  }
  if (error instanceof OpenAI.APIError) return new AiEngineError("unavailable", "The AI service failed. Nothing was saved; try again later.");
  return new AiEngineError("unavailable", "The AI service failed unexpectedly. Nothing was saved; try again later.");
}

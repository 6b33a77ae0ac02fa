import { getEnv, isOpenAIConfigured } from "../env";
import type { AiFailure } from "./engine";
import type { OpenAiEngineConfig } from "./openai-engine";

/** The platform's OpenAI (or compatible) settings from the environment; null when no key is set. */
export function platformOpenAiConfig(): OpenAiEngineConfig | null {
  if (!isOpenAIConfigured()) return null;
  const env = getEnv();
  return { apiKey: env.OPENAI_API_KEY!, baseURL: env.OPENAI_BASE_URL, model: env.OPENAI_MODEL, timeoutMs: env.OPENAI_TIMEOUT_MS };
}

/** A user's own key (BYOK), with the platform's model and timeout where the user set none. */
export function userOpenAiConfig(key: { apiKey: string; baseUrl: string | null; model: string | null }): OpenAiEngineConfig {
  const env = getEnv();
  return { apiKey: key.apiKey, baseURL: key.baseUrl ?? undefined, model: key.model ?? env.OPENAI_MODEL, timeoutMs: env.OPENAI_TIMEOUT_MS };
}

/** How a failed AI call is recorded in its usage event. */
export const FAILURE_OUTCOME: Record<AiFailure, "timeout" | "rate_limited" | "invalid_output" | "error"> = {
  timeout: "timeout",
  rate_limited: "rate_limited",
  invalid_output: "invalid_output",
  auth: "error",
  unavailable: "error",
  bad_request: "error",
};

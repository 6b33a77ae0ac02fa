import { calcPrice } from "@pydantic/genai-prices";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { scorePrompt } from "../../src/server/ai/rubric";
import { countTokens } from "../../src/server/ai/tokens";
import { optimizations } from "../../src/server/db/schema";
import { ServiceError } from "../../src/server/errors";
import { errorResponse } from "../../src/server/http/errors";
import { OptimizeService } from "../../src/server/services/optimize-service";
import { fakeEngines, optimizeRoute, PLATFORM_KEY, platformEnv, savedState, useAiEnv, useFakeOpenAi, usageOf } from "../helpers/ai";
import { useTestDatabase } from "../helpers/db";
import { createPrompt, createUser } from "../helpers/factories";
import { call } from "../helpers/http";
import { sampleOutput } from "../helpers/fake-openai";

const BODY = "Summarise {{document}} in {{count}} bullet points.";
const today = () => new Date().toISOString().slice(0, 10);

/** The price of a call, computed here from the price data itself, not through our pricing module. */
function expectedMicros(model: string, input: number, output: number, cached = 0) {
  const price = calcPrice({ input_tokens: input, output_tokens: output, ...(cached ? { cache_read_tokens: cached } : {}) }, model, { timestamp: new Date() });
  expect(price, `genai-prices knows ${model}`).not.toBeNull();
  return Math.round(price!.total_price * 1_000_000);
}

/** What the service's error would answer through a route: the one code → status table. */
async function asResponse(promise: Promise<unknown>) {
  const error = await promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ServiceError);
  const res = errorResponse(error);
  return { status: res.status, json: (await res.json()) as { error: { code: string; message: string; details?: Record<string, unknown> } } };
}

describe("optimize with the OpenAI engine (real SDK against a fake OpenAI server)", () => {
  const db = useTestDatabase();
  const fake = useFakeOpenAi();
  const setEnv = useAiEnv();

  it("saves a proposal scored by the rubric, with the model's judgement and a usage event priced at the provider's exact tokens", async () => {
    const user = await createUser(db());
    const prompt = await createPrompt(db(), user.id, { body: BODY });
    const output = sampleOutput();
    fake.enqueue({ kind: "optimization", output: { ...output, rewritten: `\n${output.rewritten}\n ` }, usage: { prompt_tokens: 412, completion_tokens: 187, cached_tokens: 128 }, model: "gpt-4o-mini-2024-07-18" });

    const service = new OptimizeService(db(), user.id, fakeEngines(fake));
    const view = await service.optimize(prompt.id, {});

    // The request the SDK sent: our key, our model, the prompt as the user message, a strict JSON schema.
    const [request, ...others] = fake.requests;
    expect(others).toEqual([]);
    expect(request).toMatchObject({ method: "POST", path: "/v1/chat/completions", apiKey: PLATFORM_KEY });
    expect(request!.headers.authorization).toBe(`Bearer ${PLATFORM_KEY}`);
    expect(request!.body).toMatchObject({ model: "gpt-4o-mini", temperature: 0.2 });
    expect(request!.body.messages.map((m: { role: string }) => m.role)).toEqual(["system", "user"]);
    expect(request!.body.messages[1].content).toBe(BODY);
    expect(request!.body.messages[0].content).toContain("{{variable}}");
    expect(request!.body.response_format).toMatchObject({ type: "json_schema", json_schema: { name: "prompt_optimization", strict: true } });
    expect(Object.keys(request!.body.response_format.json_schema.schema.properties).sort()).toEqual(["changes", "judged", "rewritten"]);

    expect(view).toMatchObject({
      promptId: prompt.id,
      engine: "openai",
      provider: "openai-compatible",
      model: "gpt-4o-mini-2024-07-18",
      keySource: "platform",
      baseVersion: 1,
      original: BODY,
      rewritten: output.rewritten,
      changes: output.changes,
      judged: { before: 38, after: 82 },
      status: "proposed",
      acceptedVersion: null,
      engineLabel: "gpt-4o-mini-2024-07-18",
    });
    // Scores come from our rubric, for both texts, whatever the model judged.
    expect(view.scoreBefore).toEqual(scorePrompt(BODY));
    expect(view.scoreAfter).toEqual(scorePrompt(output.rewritten));
    expect(view.scoreAfter.total).toBeGreaterThan(view.scoreBefore.total);

    const [row] = await db().select().from(optimizations).where(eq(optimizations.id, view.id));
    expect(row).toMatchObject({ userId: user.id, keySource: "platform", judged: { before: 38, after: 82 }, rewritten: output.rewritten, scoreBefore: scorePrompt(BODY) });

    const [event, ...moreEvents] = await usageOf(db(), user.id);
    expect(moreEvents).toEqual([]);
    expect(event).toMatchObject({
      feature: "optimize",
      provider: "openai-compatible",
      model: "gpt-4o-mini-2024-07-18",
      inputTokens: 412,
      outputTokens: 187,
      cachedTokens: 128,
      outcome: "success",
      keySource: "platform",
      promptId: prompt.id,
      priceDate: today(),
    });
    expect(event!.metadata).toMatchObject({ tokensFrom: "provider", optimizationId: view.id });
    expect(event!.metadata).not.toHaveProperty("unpriced");
    // gpt-4o-mini: $0.15 per million input tokens, $0.075 cached, $0.60 output.
    expect(event!.costMicros).toBe(expectedMicros("gpt-4o-mini-2024-07-18", 412, 187, 128));
    expect(event!.costMicros).toBe(Math.round(284 * 0.15 + 128 * 0.075 + 187 * 0.6));
    expect(event!.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it("prices each model at its own rate (gpt-4.1-mini through the environment's configuration)", async () => {
    setEnv(platformEnv(fake, { OPENAI_MODEL: "gpt-4.1-mini" }));
    const user = await createUser(db());
    const prompt = await createPrompt(db(), user.id, { body: BODY });
    fake.enqueue({ kind: "optimization", output: sampleOutput(), usage: { prompt_tokens: 1000, completion_tokens: 500 } });

    const res = await call(optimizeRoute.POST, "POST", "/", { cookie: user.cookie, params: { id: prompt.id }, body: {} });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ engine: "openai", model: "gpt-4.1-mini", keySource: "platform" });
    expect(fake.requests[0]!.body.model).toBe("gpt-4.1-mini");
    const [event] = await usageOf(db(), user.id);
    // gpt-4.1-mini: $0.40 per million input tokens, $1.60 output.
    expect(event).toMatchObject({ model: "gpt-4.1-mini", inputTokens: 1000, outputTokens: 500, costMicros: expectedMicros("gpt-4.1-mini", 1000, 500) });
    expect(event!.costMicros).toBe(1000 * 0.4 + 500 * 1.6);
  });

  it("counts the tokens itself (exactly, with the model's tokenizer) when a compatible server sends no usage", async () => {
    const user = await createUser(db());
    const prompt = await createPrompt(db(), user.id, { body: BODY });
    const output = sampleOutput();
    fake.enqueue({ kind: "optimization", output, usage: null });
    await new OptimizeService(db(), user.id, fakeEngines(fake)).optimize(prompt.id);
    const [event] = await usageOf(db(), user.id);
    expect(event!.metadata).toMatchObject({ tokensFrom: "tokenizer" });
    expect(event!.outputTokens).toBe(countTokens(JSON.stringify(output), "gpt-4o-mini").tokens);
    expect(event!.inputTokens).toBeGreaterThan(100);
    expect(event!.costMicros).toBe(expectedMicros("gpt-4o-mini", event!.inputTokens, event!.outputTokens));
  });

  it("invalid structured output → 503 through the route, no optimization, a usage event (invalid_output) with the tokens billed", async () => {
    setEnv(platformEnv(fake));
    const user = await createUser(db());
    const prompt = await createPrompt(db(), user.id, { body: BODY });
    const before = await savedState(db(), prompt.id);
    const bad = [
      "Sure! Here is a better prompt: You are an expert…",
      JSON.stringify({ rewritten: "Better prompt", changes: [], judged: { before: 10, after: 90 } }),
      JSON.stringify({ rewritten: "Better prompt", changes: [{ change: "x", reason: "y" }], judged: { before: 10, after: 140 } }),
      JSON.stringify({ prompt: "Better prompt" }),
      "",
    ];
    for (const content of bad) fake.enqueue({ kind: "content", content, usage: { prompt_tokens: 300, completion_tokens: 40 } });

    for (const content of bad) {
      const res = await call(optimizeRoute.POST, "POST", "/", { cookie: user.cookie, params: { id: prompt.id }, body: {} });
      expect(res.status, content).toBe(503);
      expect(res.json.error).toMatchObject({ code: "unavailable", details: { reason: "invalid_output" } });
      expect(res.json.error.message).toBe("The AI service answered, but not with a valid optimization. Nothing was saved; try again or use the built-in optimizer.");
    }
    expect(fake.chatRequests()).toHaveLength(bad.length);
    expect(await savedState(db(), prompt.id)).toEqual(before);
    const events = await usageOf(db(), user.id);
    expect(events).toHaveLength(bad.length);
    for (const event of events) {
      expect(event).toMatchObject({ outcome: "invalid_output", keySource: "platform", provider: "openai-compatible", model: "gpt-4o-mini", inputTokens: 300, outputTokens: 40, promptId: prompt.id });
      expect(event.costMicros).toBe(expectedMicros("gpt-4o-mini", 300, 40));
      expect(event.metadata).toMatchObject({ failure: "invalid_output", tokensFrom: "provider" });
    }
  });

  it("429 with retry-after, then success: the SDK waits as told and retries; one usage event, for the success", async () => {
    // Through the environment, so the production engine's retry settings are the ones under test.
    setEnv(platformEnv(fake));
    const user = await createUser(db());
    const prompt = await createPrompt(db(), user.id, { body: BODY });
    fake.enqueue({ kind: "error", status: 429, retryAfter: "1" }, { kind: "optimization", output: sampleOutput(), usage: { prompt_tokens: 200, completion_tokens: 100 } });

    const res = await call(optimizeRoute.POST, "POST", "/", { cookie: user.cookie, params: { id: prompt.id }, body: {} });
    expect(res.status).toBe(201);
    const requests = fake.chatRequests();
    expect(requests).toHaveLength(2);
    expect(requests[1]!.receivedAt - requests[0]!.receivedAt).toBeGreaterThanOrEqual(950);
    expect(requests[1]!.headers["x-stainless-retry-count"]).toBe("1");
    expect(requests[1]!.body).toEqual(requests[0]!.body);
    expect(await savedState(db(), prompt.id)).toEqual({ optimizations: 1, versions: 1 });
    const events = await usageOf(db(), user.id);
    expect(events.map((e) => [e.outcome, e.inputTokens, e.outputTokens])).toEqual([["success", 200, 100]]);
  });

  it("429 on every attempt → 429 with a clear message, nothing saved, usage event rate_limited", async () => {
    const user = await createUser(db());
    const prompt = await createPrompt(db(), user.id, { body: BODY });
    const before = await savedState(db(), prompt.id);
    fake.enqueue({ kind: "error", status: 429, retryAfter: "0" }, { kind: "error", status: 429, retryAfter: "0" });
    const res = await asResponse(new OptimizeService(db(), user.id, fakeEngines(fake, { maxRetries: 1 })).optimize(prompt.id));
    expect(res.status).toBe(429);
    expect(res.json.error).toMatchObject({ code: "rate_limited", message: "The AI service is rate-limiting requests right now. Nothing was saved; try again in a minute." });
    expect(fake.chatRequests()).toHaveLength(2);
    expect(await savedState(db(), prompt.id)).toEqual(before);
    const [event, ...more] = await usageOf(db(), user.id);
    expect(more).toEqual([]);
    expect(event).toMatchObject({ outcome: "rate_limited", keySource: "platform", inputTokens: 0, outputTokens: 0, costMicros: 0, metadata: { failure: "rate_limited" } });
  });

  it("no answer within the timeout → 504 with a clear message, nothing half-saved, usage event timeout", async () => {
    const user = await createUser(db());
    const prompt = await createPrompt(db(), user.id, { body: BODY });
    const before = await savedState(db(), prompt.id);
    const late = { kind: "delay", ms: 5_000, then: { kind: "optimization", output: sampleOutput() } } as const;
    fake.enqueue(late, late);

    const started = Date.now();
    const res = await asResponse(new OptimizeService(db(), user.id, fakeEngines(fake, { timeoutMs: 300, maxRetries: 1 })).optimize(prompt.id));
    // Two attempts of 300 ms and the SDK's back-off between them; far less than the fake's delay.
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(res.status).toBe(504);
    expect(res.json.error).toMatchObject({ code: "timeout", message: "The AI service did not answer in time. Nothing was saved; try again in a moment.", details: { reason: "timeout" } });
    expect(fake.chatRequests()).toHaveLength(2);
    expect(await savedState(db(), prompt.id)).toEqual(before);
    const [event, ...more] = await usageOf(db(), user.id);
    expect(more).toEqual([]);
    expect(event).toMatchObject({ outcome: "timeout", keySource: "platform", provider: "openai-compatible", model: "gpt-4o-mini", inputTokens: 0, outputTokens: 0, costMicros: 0, metadata: { failure: "timeout" } });
  });

  it("the environment's OPENAI_TIMEOUT_MS bounds each attempt", async () => {
    setEnv(platformEnv(fake, { OPENAI_TIMEOUT_MS: "1000" }));
    const user = await createUser(db());
    const prompt = await createPrompt(db(), user.id, { body: BODY });
    // The production engine retries a timeout twice: three slow answers, each abandoned after 1 s.
    const late = { kind: "delay", ms: 4_000, then: { kind: "optimization", output: sampleOutput() } } as const;
    fake.enqueue(late, late, late);
    const started = Date.now();
    const res = await call(optimizeRoute.POST, "POST", "/", { cookie: user.cookie, params: { id: prompt.id }, body: {} });
    expect(res.status).toBe(504);
    expect(res.json.error.code).toBe("timeout");
    expect(fake.chatRequests()).toHaveLength(3);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(await savedState(db(), prompt.id)).toEqual({ optimizations: 0, versions: 1 });
  }, 15_000);

  it("401 → a clear message about the key, nothing saved, usage event error", async () => {
    setEnv(platformEnv(fake));
    fake.acceptedKeys = new Set(["sk-some-other-key"]);
    const user = await createUser(db());
    const prompt = await createPrompt(db(), user.id, { body: BODY });
    const res = await call(optimizeRoute.POST, "POST", "/", { cookie: user.cookie, params: { id: prompt.id }, body: {} });
    expect(res.status).toBe(503);
    expect(res.json.error).toMatchObject({ code: "unavailable", message: "The AI service refused the API key. Check the key (and its base URL) in Settings.", details: { reason: "auth" } });
    // Not retried: a wrong key stays wrong.
    expect(fake.chatRequests()).toHaveLength(1);
    expect(res.text).not.toContain(PLATFORM_KEY);
    expect(res.text).not.toContain(PLATFORM_KEY.slice(-4));
    expect(await savedState(db(), prompt.id)).toEqual({ optimizations: 0, versions: 1 });
    const [event] = await usageOf(db(), user.id);
    expect(event).toMatchObject({ outcome: "error", keySource: "platform", inputTokens: 0, outputTokens: 0, costMicros: 0, metadata: { failure: "auth" } });
  });

  it("500s (after the retries) and a wrong model name (404) → 503, nothing saved, usage events error", async () => {
    const user = await createUser(db());
    const prompt = await createPrompt(db(), user.id, { body: BODY });
    const service = new OptimizeService(db(), user.id, fakeEngines(fake, { maxRetries: 1 }));

    fake.enqueue({ kind: "error", status: 500 }, { kind: "error", status: 500 });
    const failed = await asResponse(service.optimize(prompt.id));
    expect(failed.status).toBe(503);
    expect(failed.json.error).toMatchObject({ code: "unavailable", message: "The AI service failed. Nothing was saved; try again later.", details: { reason: "unavailable" } });
    expect(fake.chatRequests()).toHaveLength(2);

    fake.enqueue({ kind: "error", status: 404, message: "The model `gpt-4o-mini` does not exist or you do not have access to it.", code: "model_not_found" });
    const missing = await asResponse(service.optimize(prompt.id));
    expect(missing.status).toBe(503);
    expect(missing.json.error).toMatchObject({ code: "unavailable", details: { reason: "bad_request" } });
    expect(missing.json.error.message).toContain("is the model name right");
    expect(fake.chatRequests()).toHaveLength(3);

    // A server that is not there at all.
    await fake.stop();
    try {
      const unreachable = await asResponse(service.optimize(prompt.id));
      expect(unreachable.status).toBe(503);
      expect(unreachable.json.error.message).toBe("Could not reach the AI service. Check the base URL and your network; nothing was saved.");
    } finally {
      await fake.start();
    }

    expect(await savedState(db(), prompt.id)).toEqual({ optimizations: 0, versions: 1 });
    const events = await usageOf(db(), user.id);
    expect(events.map((e) => [e.outcome, (e.metadata as { failure?: string }).failure, e.inputTokens, e.costMicros])).toEqual([
      ["error", "unavailable", 0, 0],
      ["error", "bad_request", 0, 0],
      ["error", "unavailable", 0, 0],
    ]);
  });
});

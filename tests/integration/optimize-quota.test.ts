import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { BUILTIN_MODEL } from "../../src/server/ai/builtin-engine";
import { countTokens } from "../../src/server/ai/tokens";
import type { Database } from "../../src/server/db/client";
import { aiReservations, usageEvents } from "../../src/server/db/schema";
import { monthStart } from "../../src/server/plans";
import { OptimizeService } from "../../src/server/services/optimize-service";
import { aiKeyRoute, fakeEngines, optimizeRoute, PLATFORM_KEY, planRoute, platformEnv, savedState, USER_KEY, useAiEnv, useFakeOpenAi, usageOf } from "../helpers/ai";
import { useTestDatabase } from "../helpers/db";
import { createPrompt, createUser, type TestUser } from "../helpers/factories";
import { call } from "../helpers/http";
import { sampleOutput } from "../helpers/fake-openai";

/** Past optimizations, written straight into the usage table (the quota counts these rows). */
async function pastOptimizations(db: Database, userId: string, n: number, values: Partial<typeof usageEvents.$inferInsert> = {}) {
  const rows = Array.from({ length: n }, () => ({
    userId,
    feature: "optimize",
    provider: "openai",
    model: "gpt-4o-mini",
    inputTokens: 400,
    outputTokens: 200,
    costMicros: 180,
    outcome: "success",
    keySource: "platform",
    occurredAt: new Date(),
    ...values,
  }));
  if (n) await db.insert(usageEvents).values(rows);
}

describe("which engine and whose key: platform quota → own key → 402", () => {
  const db = useTestDatabase();
  const fake = useFakeOpenAi();
  const setEnv = useAiEnv();

  const optimize = (user: TestUser, promptId: string, body: unknown = {}) => call(optimizeRoute.POST, "POST", "/", { cookie: user.cookie, params: { id: promptId }, body });
  const plan = (user: TestUser) => call(planRoute.GET, "GET", "/api/optimize/plan", { cookie: user.cookie });

  it("free plan: the 10th optimization of the month is the platform's, the 11th needs an own key (402 without), then uses it", async () => {
    setEnv(platformEnv(fake));
    const user = await createUser(db(), { plan: "free" });
    const prompt = await createPrompt(db(), user.id);
    // Nine earlier this month; failed calls, other features and last month's calls do not count.
    await pastOptimizations(db(), user.id, 9);
    await pastOptimizations(db(), user.id, 3, { outcome: "error" });
    await pastOptimizations(db(), user.id, 2, { outcome: "timeout" });
    await pastOptimizations(db(), user.id, 2, { feature: "tagging" });
    await pastOptimizations(db(), user.id, 2, { keySource: "user" });
    await pastOptimizations(db(), user.id, 5, { occurredAt: new Date(monthStart().getTime() - 1000) });
    expect((await plan(user)).json).toEqual({ engine: "openai", keySource: "platform", remainingPlatform: 1, hasOwnKey: false });

    // 10th: a real call on the platform's key.
    fake.enqueue({ kind: "optimization", output: sampleOutput(), usage: { prompt_tokens: 420, completion_tokens: 190 } });
    const tenth = await optimize(user, prompt.id);
    expect(tenth.status).toBe(201);
    expect(tenth.json).toMatchObject({ engine: "openai", keySource: "platform", engineLabel: "gpt-4o-mini" });
    expect(fake.chatRequests().map((r) => r.headers.authorization)).toEqual([`Bearer ${PLATFORM_KEY}`]);
    expect((await plan(user)).json).toEqual({ engine: "none", keySource: "none", remainingPlatform: 0, hasOwnKey: false });

    // 11th without an own key: 402, nothing called, nothing saved, no usage event.
    const before = await savedState(db(), prompt.id);
    const eventsBefore = (await usageOf(db(), user.id)).length;
    const refused = await optimize(user, prompt.id);
    expect(refused.status).toBe(402);
    expect(refused.json.error).toMatchObject({ code: "payment_required", details: { limit: "platformOptimizationsPerMonth", plan: "free" } });
    expect(refused.json.error.message).toBe(
      "You have used this month's 10 AI optimizations included in the Free plan. Add your own OpenAI-compatible API key in Settings, upgrade your plan, or use the built-in optimizer.",
    );
    expect(fake.chatRequests()).toHaveLength(1);
    expect(await savedState(db(), prompt.id)).toEqual(before);
    expect(await usageOf(db(), user.id)).toHaveLength(eventsBefore);

    // The built-in optimizer still works past the quota.
    const builtin = await optimize(user, prompt.id, { engine: "builtin" });
    expect(builtin.status).toBe(201);
    expect(builtin.json).toMatchObject({ engine: "builtin", keySource: "none" });
    expect(fake.chatRequests()).toHaveLength(1);

    // With an own key (checked against the same fake server), the 11th uses it.
    fake.acceptedKeys = new Set([PLATFORM_KEY, USER_KEY]);
    const saved = await call(aiKeyRoute.PUT, "PUT", "/api/settings/ai-key", { cookie: user.cookie, body: { apiKey: USER_KEY, baseUrl: fake.baseURL, model: "gpt-4.1-mini" } });
    expect(saved.status).toBe(200);
    expect((await plan(user)).json).toEqual({ engine: "openai", keySource: "user", remainingPlatform: 0, hasOwnKey: true });
    fake.enqueue({ kind: "optimization", output: sampleOutput(), usage: { prompt_tokens: 430, completion_tokens: 210 } });
    const eleventh = await optimize(user, prompt.id);
    expect(eleventh.status).toBe(201);
    expect(eleventh.json).toMatchObject({ engine: "openai", keySource: "user", model: "gpt-4.1-mini", engineLabel: "gpt-4.1-mini (your key)" });
    const chats = fake.chatRequests();
    expect(chats).toHaveLength(2);
    expect(chats[1]!.headers.authorization).toBe(`Bearer ${USER_KEY}`);
    expect(chats[1]!.body.model).toBe("gpt-4.1-mini");

    const events = (await usageOf(db(), user.id)).filter((e) => e.promptId === prompt.id);
    expect(events.map((e) => [e.keySource, e.provider, e.model, e.outcome, e.inputTokens, e.outputTokens])).toEqual([
      ["platform", "openai-compatible", "gpt-4o-mini", "success", 420, 190],
      ["none", "builtin", BUILTIN_MODEL, "success", expect.any(Number), expect.any(Number)],
      ["user", "openai-compatible", "gpt-4.1-mini", "success", 430, 210],
    ]);
    expect(events[2]!.costMicros).toBe(Math.round(430 * 0.4 + 210 * 1.6));
  });

  it("an own key is used only after the platform quota, even when the user has one", async () => {
    setEnv(platformEnv(fake));
    const user = await createUser(db(), { plan: "free" });
    const prompt = await createPrompt(db(), user.id);
    await call(aiKeyRoute.PUT, "PUT", "/api/settings/ai-key", { cookie: user.cookie, body: { apiKey: USER_KEY, baseUrl: fake.baseURL } });
    fake.enqueue({ kind: "optimization", output: sampleOutput() }, { kind: "optimization", output: sampleOutput() });

    await pastOptimizations(db(), user.id, 8);
    const ninth = await optimize(user, prompt.id);
    expect(ninth.json.keySource).toBe("platform");
    await pastOptimizations(db(), user.id, 1);
    const eleventh = await optimize(user, prompt.id);
    expect(eleventh.json.keySource).toBe("user");
    expect(fake.chatRequests().map((r) => r.apiKey)).toEqual([PLATFORM_KEY, USER_KEY]);
  });

  it("a failed platform call does not use up the quota", async () => {
    const user = await createUser(db(), { plan: "free" });
    const prompt = await createPrompt(db(), user.id);
    await pastOptimizations(db(), user.id, 9);
    const service = new OptimizeService(db(), user.id, fakeEngines(fake));
    fake.enqueue({ kind: "error", status: 500 }, { kind: "optimization", output: sampleOutput() });
    await expect(service.optimize(prompt.id)).rejects.toMatchObject({ code: "unavailable" });
    expect((await service.plan()).remainingPlatform).toBe(1);
    expect((await service.optimize(prompt.id)).keySource).toBe("platform");
    expect((await service.plan()).remainingPlatform).toBe(0);
  });

  it("a call in flight holds its share of the quota; one left behind by a crash stops counting after ten minutes", async () => {
    const user = await createUser(db(), { plan: "free" });
    await pastOptimizations(db(), user.id, 7);
    const service = new OptimizeService(db(), user.id, fakeEngines(fake));
    // In flight now (reserved, not yet recorded), and abandoned eleven minutes ago.
    await db().insert(aiReservations).values({ userId: user.id, feature: "optimize" });
    await db().insert(aiReservations).values({ userId: user.id, feature: "optimize", createdAt: new Date(Date.now() - 11 * 60 * 1000) });
    expect((await service.plan()).remainingPlatform).toBe(2);
    const prompt = await createPrompt(db(), user.id);
    fake.enqueue({ kind: "optimization", output: sampleOutput() });
    expect((await service.optimize(prompt.id)).keySource).toBe("platform");
    // Its own reservation went with its usage event; the abandoned one was cleared on the way.
    expect((await service.plan()).remainingPlatform).toBe(1);
    expect(await db().select().from(aiReservations).where(eq(aiReservations.userId, user.id))).toHaveLength(1);
  });

  it("the Pro plan's quota is its own (500 a month)", async () => {
    const user = await createUser(db(), { plan: "pro" });
    await pastOptimizations(db(), user.id, 10);
    expect(await new OptimizeService(db(), user.id, fakeEngines(fake)).plan()).toEqual({ engine: "openai", keySource: "platform", remainingPlatform: 490, hasOwnKey: false });
  });

  it("engine builtin: never calls the AI service, keySource none, cost 0, tokens counted", async () => {
    setEnv(platformEnv(fake));
    const user = await createUser(db());
    const prompt = await createPrompt(db(), user.id, { body: "Please write a blog post about [topic]. Thanks!" });
    const res = await optimize(user, prompt.id, { engine: "builtin" });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ engine: "builtin", provider: "builtin", model: BUILTIN_MODEL, keySource: "none", judged: null, engineLabel: "the built-in optimizer" });
    expect(fake.requests).toEqual([]);
    const [event, ...more] = await usageOf(db(), user.id);
    expect(more).toEqual([]);
    expect(event).toMatchObject({
      provider: "builtin",
      model: BUILTIN_MODEL,
      keySource: "none",
      outcome: "success",
      costMicros: 0,
      cachedTokens: 0,
      inputTokens: countTokens("Please write a blog post about [topic]. Thanks!", "gpt-4o").tokens,
      outputTokens: countTokens(res.json.rewritten, "gpt-4o").tokens,
      metadata: { tokensFrom: "tokenizer", optimizationId: res.json.id },
    });
    // Built-in calls are not platform calls: the quota is untouched.
    expect((await plan(user)).json.remainingPlatform).toBe(10);
  });

  it("no AI configured and no own key: auto uses the built-in engine", async () => {
    const user = await createUser(db());
    const prompt = await createPrompt(db(), user.id);
    expect((await plan(user)).json).toEqual({ engine: "builtin", keySource: "none", remainingPlatform: null, hasOwnKey: false });
    const res = await optimize(user, prompt.id);
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ engine: "builtin", keySource: "none" });
    expect(fake.requests).toEqual([]);
  });

  it("no platform AI but an own key: auto uses the own key", async () => {
    const user = await createUser(db());
    const prompt = await createPrompt(db(), user.id);
    await call(aiKeyRoute.PUT, "PUT", "/api/settings/ai-key", { cookie: user.cookie, body: { apiKey: USER_KEY, baseUrl: fake.baseURL } });
    expect((await plan(user)).json).toEqual({ engine: "openai", keySource: "user", remainingPlatform: null, hasOwnKey: true });
    fake.enqueue({ kind: "optimization", output: sampleOutput(), usage: { prompt_tokens: 100, completion_tokens: 50 } });
    const res = await optimize(user, prompt.id);
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ engine: "openai", keySource: "user", model: "gpt-4o-mini" });
    expect(fake.chatRequests().map((r) => r.apiKey)).toEqual([USER_KEY]);
    const [event] = await usageOf(db(), user.id);
    expect(event).toMatchObject({ keySource: "user", inputTokens: 100, outputTokens: 50, costMicros: Math.round(100 * 0.15 + 50 * 0.6) });
  });

  it("a failure on the user's own key is recorded against their key, and says so clearly", async () => {
    const user = await createUser(db());
    const prompt = await createPrompt(db(), user.id);
    await call(aiKeyRoute.PUT, "PUT", "/api/settings/ai-key", { cookie: user.cookie, body: { apiKey: USER_KEY, baseUrl: fake.baseURL } });
    // The key was revoked at the provider after it was saved.
    fake.acceptedKeys = new Set([PLATFORM_KEY]);
    const res = await optimize(user, prompt.id);
    expect(res.status).toBe(503);
    expect(res.json.error).toMatchObject({ code: "unavailable", message: "The AI service refused the API key. Check the key (and its base URL) in Settings." });
    expect(res.text).not.toContain(USER_KEY);
    const [event] = await usageOf(db(), user.id);
    expect(event).toMatchObject({ keySource: "user", outcome: "error", costMicros: 0 });
  });
});

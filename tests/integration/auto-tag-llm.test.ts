import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import * as autoTagRoute from "../../src/app/api/prompts/auto-tag/route";
import { prompts, usageEvents } from "../../src/server/db/schema";
import { ImportService } from "../../src/server/services/imports/import-service";
import { PromptService } from "../../src/server/services/prompts/prompt-service";
import { ProviderKeyService } from "../../src/server/services/provider-key-service";
import { TagService } from "../../src/server/services/tag-service";
import { normalizeTag } from "../../src/server/ai/topic-tagger";
import { PLATFORM_KEY, platformEnv, USER_KEY, useAiEnv, useFakeOpenAi, usageOf } from "../helpers/ai";
import { chatGptExport } from "../helpers/chatgpt-export";
import { useTestDatabase } from "../helpers/db";
import { createPrompt, createUser } from "../helpers/factories";
import { call } from "../helpers/http";
import { removeTemporaryDirs, runImport, tempStorage } from "../helpers/imports";

/** What a model would answer: topics read from each prompt's text (the request's user message). */
function topicsOf(body: { messages: { role: string; content: string }[] }): string {
  const prompts = JSON.parse(body.messages.find((m) => m.role === "user")!.content) as { index: number; text: string }[];
  return JSON.stringify({
    items: prompts.map(({ index, text }) => ({
      index,
      tags: /sql/i.test(text) ? ["Data", "SQL Queries"] : /poem/i.test(text) ? ["creative", "#Poetry!"] : /refund/i.test(text) ? ["Customer Support"] : [],
    })),
  });
}

const autoTag = (cookie: string, body: object = {}) => call(autoTagRoute.POST, "POST", "/api/prompts/auto-tag", { cookie, body });

describe("auto-tagging with an LLM (fake OpenAI server, real SDK)", () => {
  afterAll(removeTemporaryDirs);
  const db = useTestDatabase();
  const fake = useFakeOpenAi();
  const setEnv = useAiEnv();
  const tagNames = async (userId: string, promptId: string) => (await new PromptService(db(), userId).get(promptId)).tags.map((t) => t.name).sort();

  it("on the platform's key: tags by the model's topics (normalised), one usage event with the provider's tokens and a cost", async () => {
    setEnv(platformEnv(fake));
    fake.enqueue({ kind: "compute", content: topicsOf });
    const user = await createUser(db());
    const sql = await createPrompt(db(), user.id, { title: "Revenue", body: "Write a SQL query for monthly revenue." });
    const poem = await createPrompt(db(), user.id, { title: "Spring", body: "A short poem about spring rain." });
    const vague = await createPrompt(db(), user.id, { title: "Hi", body: "hello" });

    const res = await autoTag(user.cookie);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ examined: 3, tagged: 2, engine: "openai" });
    expect(res.json.notice).toBeUndefined();
    expect(await tagNames(user.id, sql.id)).toEqual(["data", "sql-queries"]);
    expect(await tagNames(user.id, poem.id)).toEqual(["creative", "poetry"]);
    expect(await tagNames(user.id, vague.id)).toEqual([]);
    // Known topics keep their colour; a new name gets one from the palette, always the same.
    const colours = new Map((await new TagService(db(), user.id).list()).map((t) => [t.name, t.color]));
    expect(colours.get("data")).toBe("#14b8a6");
    expect(colours.get("sql-queries")).toMatch(/^#[0-9a-f]{6}$/);

    const [request] = fake.chatRequests();
    expect(request!.apiKey).toBe(PLATFORM_KEY);
    expect(request!.body.response_format.json_schema.name).toBe("prompt_topics");
    expect(JSON.parse(request!.body.messages[1].content)).toHaveLength(3);
    const events = await usageOf(db(), user.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ feature: "auto_tag", provider: "openai-compatible", model: "gpt-4o-mini", inputTokens: 412, outputTokens: 187, outcome: "success", keySource: "platform" });
    // gpt-4o-mini: $0.15 per million input tokens, $0.60 per million output tokens, in micro-dollars.
    expect(events[0]!.costMicros).toBe(Math.round(412 * 0.15 + 187 * 0.6));
    expect(events[0]!.metadata).toMatchObject({ prompts: 3 });
  });

  it("the user's own key is used before the platform's; batches of 25 prompts per call", async () => {
    setEnv(platformEnv(fake));
    const user = await createUser(db());
    await new ProviderKeyService(db(), user.id).set({ apiKey: USER_KEY, baseUrl: fake.baseURL }, { skipCheck: true });
    for (let i = 0; i < 30; i++) await createPrompt(db(), user.id, { title: `Query ${i}`, body: `Write a SQL query number ${i}.` });
    fake.enqueue({ kind: "compute", content: topicsOf }, { kind: "compute", content: topicsOf });

    const res = await autoTag(user.cookie);
    expect(res.json).toMatchObject({ examined: 30, tagged: 30, engine: "openai" });
    expect(fake.chatRequests().map((r) => [r.apiKey, JSON.parse(r.body.messages[1].content).length])).toEqual([
      [USER_KEY, 25],
      [USER_KEY, 5],
    ]);
    expect((await usageOf(db(), user.id)).map((e) => [e.feature, e.keySource, e.outcome])).toEqual([
      ["auto_tag", "user", "success"],
      ["auto_tag", "user", "success"],
    ]);
  });

  it("an invalid answer is recorded as such and the offline tagger does the rest, saying so", async () => {
    setEnv(platformEnv(fake));
    fake.enqueue({ kind: "content", content: '{"items": "not a list"}' });
    const user = await createUser(db());
    const sql = await createPrompt(db(), user.id, { title: "Revenue query", body: "Write a SQL query over the orders table of our Postgres database to compute revenue per customer." });

    const res = await autoTag(user.cookie);
    expect(res.json).toMatchObject({ examined: 1, tagged: 1, engine: "offline" });
    expect(res.json.notice).toMatch(/AI service .*built-in topic tagger/);
    expect(await tagNames(user.id, sql.id)).toContain("data");
    expect((await usageOf(db(), user.id)).map((e) => [e.feature, e.outcome, e.inputTokens])).toEqual([["auto_tag", "invalid_output", 412]]);
    expect(fake.pending).toBe(0);
  });

  it("AUTO_TAG_ENGINE=offline, or no AI configured: no call is made and no usage is written", async () => {
    const user = await createUser(db());
    await createPrompt(db(), user.id, { title: "Revenue query", body: "Write a SQL query over the orders table of our Postgres database to compute revenue per customer." });
    setEnv({ ...platformEnv(fake), AUTO_TAG_ENGINE: "offline" });
    expect((await autoTag(user.cookie)).json).toMatchObject({ tagged: 1, engine: "offline" });
    setEnv({ OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined, AUTO_TAG_ENGINE: undefined });
    await createPrompt(db(), user.id, { title: "Poem", body: "Write a poem and a song with lyrics about a character in a novel." });
    expect((await autoTag(user.cookie)).json).toMatchObject({ tagged: 1, engine: "offline" });
    expect(fake.chatRequests()).toHaveLength(0);
    expect(await db().select().from(usageEvents).where(eq(usageEvents.userId, user.id))).toEqual([]);
  });

  it("an import with auto-tagging asks the model for the prompts it created", async () => {
    setEnv(platformEnv(fake));
    fake.enqueue({ kind: "compute", content: topicsOf });
    const user = await createUser(db());
    const service = new ImportService(db(), user.id, tempStorage());
    const file = chatGptExport([{ id: "c-1", title: "Refunds", createTime: 1_717_000_000, prompts: ["Draft a refund reply for an angry customer", "Write a SQL query for refunds per month"] }]);
    const done = await runImport(service, [{ name: "conversations.json", data: file }], { autoTag: true });
    expect(done.files[0]).toMatchObject({ status: "succeeded", imported: 2 });
    const rows = await db().select({ id: prompts.id, body: prompts.body }).from(prompts).where(eq(prompts.userId, user.id));
    const byBody = new Map(await Promise.all(rows.map(async (p) => [p.body, await tagNames(user.id, p.id)] as const)));
    expect(byBody.get("Draft a refund reply for an angry customer")).toEqual(["customer-support"]);
    expect(byBody.get("Write a SQL query for refunds per month")).toEqual(["data", "sql-queries"]);
    expect((await usageOf(db(), user.id)).map((e) => e.feature)).toEqual(["auto_tag"]);
  });
});

describe("normalizeTag", () => {
  it("turns a model's tag into a library tag name, or refuses it", () => {
    expect(normalizeTag("SQL Queries")).toBe("sql-queries");
    expect(normalizeTag("#Poetry!")).toBe("poetry");
    expect(normalizeTag("  Données ")).toBe("données");
    expect(normalizeTag("x")).toBeNull();
    expect(normalizeTag("a".repeat(31))).toBeNull();
    expect(normalizeTag("!!!")).toBeNull();
  });
});

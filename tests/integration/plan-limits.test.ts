import { and, asc, count, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import * as importsRoute from "../../src/app/api/imports/route";
import * as uploadRoute from "../../src/app/api/uploads/[fileId]/route";
import { importSessions, promptOccurrences, prompts, shares, usageEvents } from "../../src/server/db/schema";
import { ImportService } from "../../src/server/services/imports/import-service";
import { chatGptExport, syntheticChatGptExport } from "../helpers/chatgpt-export";
import { adminUserRoute, useBillingEnv } from "../helpers/billing";
import { optimizeRoute, PLATFORM_KEY, useAiEnv } from "../helpers/ai";
import { useTestDatabase } from "../helpers/db";
import { createPrompt, createUser, type TestUser } from "../helpers/factories";
import { call } from "../helpers/http";
import { appStorage, librarySnapshot, removeTemporaryDirs, runImport, tempStorage } from "../helpers/imports";
import { promptRoute, promptsRoute, trashRoute } from "../helpers/routes";
import { createShare, sharedSaveRoute, shareRoute, sharesRoute } from "../helpers/shares";

const MB = 1024 * 1024;

/**
 * Every limited action, past its limit: 402 (`limit_exceeded`) with a message that names the limit and says
 * how to raise it, and nothing written. PLAN_LIMITS keeps the numbers small.
 */
describe("plan limits", () => {
  afterAll(removeTemporaryDirs);
  const db = useTestDatabase();
  const setEnv = useBillingEnv();
  const setAiEnv = useAiEnv();
  const limits = (free: Record<string, number>) => setEnv({ PLAN_LIMITS: JSON.stringify({ free }) });

  const createViaRoute = (user: TestUser, title: string) => call(promptsRoute.POST, "POST", "/api/prompts", { cookie: user.cookie, body: { title, body: `The body of ${title}.` } });
  const shareViaRoute = (user: TestUser, promptId: string) => call(sharesRoute.POST, "POST", "/api/shares", { cookie: user.cookie, body: { promptId, version: "latest" } });
  const importViaRoute = (user: TestUser, files: { name: string; size: number }[]) => call(importsRoute.POST, "POST", "/api/imports", { cookie: user.cookie, body: { files } });
  const promptCount = async (userId: string) => Number((await db().select({ n: count() }).from(prompts).where(eq(prompts.userId, userId)))[0]!.n);

  it("prompts: the one past the limit is refused with 402 naming the limit, the count and both ways out", async () => {
    limits({ prompts: 3 });
    const user = await createUser(db());
    for (const title of ["One", "Two", "Three"]) expect((await createViaRoute(user, title)).status).toBe(201);
    const refused = await createViaRoute(user, "Four");
    expect(refused.status).toBe(402);
    expect(refused.json.error).toEqual({
      code: "limit_exceeded",
      message: "Your Free plan allows 3 prompts, and you have 3 in your library. Delete prompts you no longer need (and empty the trash), or upgrade to Pro (50,000 prompts).",
      details: { limit: "prompts", plan: "free", max: 3, used: 3, upgradeTo: "pro" },
    });
    expect(await promptCount(user.id)).toBe(3);

    // The trash still counts (its prompts can be restored); emptying it makes room.
    const list = await call(promptsRoute.GET, "GET", "/api/prompts", { cookie: user.cookie });
    const first = list.json.items[0].id as string;
    expect((await call(promptRoute.DELETE, "DELETE", `/api/prompts/${first}`, { cookie: user.cookie, params: { id: first } })).status).toBe(204);
    expect((await createViaRoute(user, "Four")).status).toBe(402);
    expect((await call(trashRoute.DELETE, "DELETE", "/api/trash", { cookie: user.cookie })).json).toEqual({ deleted: 1 });
    expect((await createViaRoute(user, "Four")).status).toBe(201);
    expect((await createViaRoute(user, "Five")).status).toBe(402);
  });

  it("prompts: saving a copy of someone's shared prompt is a prompt like any other", async () => {
    limits({ prompts: 1 });
    const owner = await createUser(db());
    const share = await createShare(db(), owner.id, { promptId: (await createPrompt(db(), owner.id)).id, version: "latest" });
    const viewer = await createUser(db());
    await createPrompt(db(), viewer.id);
    const saved = await call(sharedSaveRoute.POST, "POST", `/api/shared/${share.slug}/save`, { cookie: viewer.cookie, params: { slug: share.slug } });
    expect(saved.status).toBe(402);
    expect(saved.json.error).toMatchObject({ code: "limit_exceeded", details: { limit: "prompts", max: 1, used: 1 } });
    expect(await promptCount(viewer.id)).toBe(1);
  });

  it("the last plan with a limit says so instead of offering an upgrade", async () => {
    setEnv({ PLAN_LIMITS: JSON.stringify({ free: { prompts: 1 }, pro: { prompts: 1 }, enterprise: { prompts: 1 } }) });
    const user = await createUser(db(), { plan: "enterprise" });
    expect((await createViaRoute(user, "One")).status).toBe(201);
    const refused = await createViaRoute(user, "Two");
    expect(refused.status).toBe(402);
    expect(refused.json.error.message).toBe("Your Enterprise plan allows 1 prompt, and you have 1 in your library. Delete prompts you no longer need (and empty the trash).");
    expect(refused.json.error.details).toMatchObject({ plan: "enterprise", upgradeTo: null });
  });

  it("active share links: refused past the limit; revoked and expired links free a place", async () => {
    limits({ activeShares: 2 });
    const user = await createUser(db());
    const prompt = await createPrompt(db(), user.id);
    const a = await shareViaRoute(user, prompt.id);
    const b = await shareViaRoute(user, prompt.id);
    expect([a.status, b.status]).toEqual([201, 201]);
    const refused = await shareViaRoute(user, prompt.id);
    expect(refused.status).toBe(402);
    expect(refused.json.error).toEqual({
      code: "limit_exceeded",
      message: "Your Free plan allows 2 active share links, and you have 2 now. Revoke links you no longer need, or upgrade to Pro (500 active share links).",
      details: { limit: "activeShares", plan: "free", max: 2, used: 2, upgradeTo: "pro" },
    });
    expect(await db().select().from(shares).where(eq(shares.userId, user.id))).toHaveLength(2);

    expect((await call(shareRoute.DELETE, "DELETE", `/api/shares/${a.json.id}`, { cookie: user.cookie, params: { id: a.json.id } })).status).toBe(200);
    const c = await shareViaRoute(user, prompt.id);
    expect(c.status).toBe(201);
    expect((await shareViaRoute(user, prompt.id)).status).toBe(402);
    await db().update(shares).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(shares.id, b.json.id));
    expect((await shareViaRoute(user, prompt.id)).status).toBe(201);
  });

  it("prompts: an import stops creating prompts at the limit, in file order, says how many it left out, and the same file imported after an upgrade adds exactly those", async () => {
    limits({ prompts: 3 });
    const user = await createUser(db());
    await createPrompt(db(), user.id, { title: "Mine", body: "A prompt I wrote myself." });
    const service = new ImportService(db(), user.id, tempStorage());
    const file = {
      name: "conversations.json",
      data: chatGptExport([
        { id: "c-1", title: "First", createTime: 1_717_000_000, prompts: ["Alpha prompt text", "Bravo prompt text", "alpha   PROMPT text"] },
        { id: "c-2", title: "Second", createTime: 1_717_100_000, prompts: ["Charlie prompt text", "Delta prompt text", "Charlie prompt text"] },
      ]),
    };
    const first = await runImport(service, [file]);
    expect(first.files[0]).toMatchObject({ status: "succeeded", promptsFound: 6, imported: 2, duplicates: 1, overLimit: 3 });
    expect(first.totals).toMatchObject({ imported: 2, duplicates: 1, overLimit: 3 });
    expect((await db().select({ body: prompts.body, uses: prompts.useCount }).from(prompts).where(eq(prompts.userId, user.id)).orderBy(asc(prompts.body))).map((p) => [p.body, p.uses])).toEqual([
      ["A prompt I wrote myself.", expect.any(Number)],
      ["Alpha prompt text", 2],
      ["Bravo prompt text", 1],
    ]);
    // Nothing of the prompts left out was stored, so nothing of them is counted as already imported later.
    expect(await db().select().from(promptOccurrences).where(eq(promptOccurrences.userId, user.id))).toHaveLength(3);

    limits({ prompts: 10 });
    const again = await runImport(service, [file]);
    expect(again.files[0]).toMatchObject({ status: "succeeded", promptsFound: 6, imported: 2, duplicates: 4, overLimit: 0 });
    expect((await db().select({ body: prompts.body, uses: prompts.useCount }).from(prompts).where(eq(prompts.userId, user.id)).orderBy(asc(prompts.body))).map((p) => [p.body, p.uses])).toEqual([
      ["A prompt I wrote myself.", expect.any(Number)],
      ["Alpha prompt text", 2],
      ["Bravo prompt text", 1],
      ["Charlie prompt text", 2],
      ["Delta prompt text", 1],
    ]);
  });

  it("prompts: across batches an import leaves exactly the limit, and after an upgrade ends in the library an unlimited import gives", async () => {
    const generated = syntheticChatGptExport({ prompts: 1300, seed: 7 });
    const file = { name: "conversations.json", data: generated.json };
    limits({ prompts: 5000 });
    const unlimited = await createUser(db(), { plan: "enterprise" });
    const reference = await runImport(new ImportService(db(), unlimited.id, tempStorage()), [file]);
    const unique = reference.totals.imported;
    expect(unique).toBeGreaterThan(700);

    limits({ prompts: 700 });
    const user = await createUser(db());
    const service = new ImportService(db(), user.id, tempStorage());
    const capped = await runImport(service, [file]);
    expect(capped.files[0]).toMatchObject({ status: "succeeded", imported: 700, overLimit: expect.any(Number) });
    expect(capped.totals.imported + capped.totals.duplicates + capped.totals.overLimit).toBe(capped.totals.promptsFound);
    expect(capped.totals.overLimit).toBeGreaterThanOrEqual(unique - 700);
    expect(await promptCount(user.id)).toBe(700);

    limits({ prompts: 5000 });
    const rest = await runImport(service, [file]);
    expect(rest.files[0]).toMatchObject({ status: "succeeded", imported: unique - 700, overLimit: 0 });
    const strip = (s: Awaited<ReturnType<typeof librarySnapshot>>) => ({ ...s, prompts: s.prompts.map(({ createdAt: _c, ...p }) => p) });
    expect(strip(await librarySnapshot(db(), user.id))).toEqual(strip(await librarySnapshot(db(), unlimited.id)));
  });

  it("imports per month: the second import of the month is refused; last month's do not count", async () => {
    limits({ importsPerMonth: 1 });
    appStorage();
    const user = await createUser(db());
    await db().insert(importSessions).values({ userId: user.id, status: "succeeded", createdAt: new Date(Date.UTC(2020, 0, 15)) });
    const first = await importViaRoute(user, [{ name: "conversations.json", size: 1200 }]);
    expect(first.status).toBe(201);
    const refused = await importViaRoute(user, [{ name: "claude.zip", size: 5000 }]);
    expect(refused.status).toBe(402);
    expect(refused.json.error).toEqual({
      code: "limit_exceeded",
      message: "Your Free plan allows 1 import a month, and you have 1 this month. Wait until the 1st of next month, or upgrade to Pro (200 imports a month).",
      details: { limit: "importsPerMonth", plan: "free", max: 1, used: 1, upgradeTo: "pro" },
    });
    expect(await db().select().from(importSessions).where(eq(importSessions.userId, user.id))).toHaveLength(2);
  });

  it("import file size: a file larger than the plan allows is refused with 422 before anything is created", async () => {
    limits({ importFileBytes: 1 * MB });
    appStorage();
    const user = await createUser(db());
    const refused = await importViaRoute(user, [
      { name: "small.json", size: 1000 },
      { name: "conversations.json", size: 2 * MB },
    ]);
    expect(refused.status).toBe(422);
    expect(refused.json.error.code).toBe("invalid");
    expect(refused.json.error.message).toBe(
      "conversations.json is larger than 1 MB, the most one file can be on your plan. Split the export (for ChatGPT, import the conversations-NNN.json files one by one) or upgrade.",
    );
    // A refused file does not use up an import.
    expect(await db().select().from(importSessions).where(eq(importSessions.userId, user.id))).toEqual([]);

    // A file declared small but streamed larger is cut off at the plan's size, with the same message.
    const created = await importViaRoute(user, [{ name: "liar.json", size: 100 }]);
    expect(created.status).toBe(201);
    const { fileId, token } = created.json.uploads[0];
    const req = new Request(`http://localhost:3000/api/uploads/${fileId}`, {
      method: "PUT",
      headers: { host: "localhost:3000", "content-type": "application/octet-stream", "x-upload-token": token },
      body: new Uint8Array(MB + 1).fill(0x20),
    });
    const res = await uploadRoute.PUT(req, { params: Promise.resolve({ fileId }) });
    expect(res.status).toBe(422);
    expect((await res.json()).error.message).toMatch(/^liar\.json is larger than 1 MB, the most one file can be on your plan\./);
  });

  it("import file size: Free's default 512 MB, Pro's 2 GB", async () => {
    appStorage();
    const free = await createUser(db());
    const pro = await createUser(db(), { plan: "pro" });
    const big = [{ name: "takeout.zip", size: 600 * MB }];
    const refused = await importViaRoute(free, big);
    expect(refused.status).toBe(422);
    expect(refused.json.error.message).toMatch(/^takeout\.zip is larger than 512 MB, the most one file can be on your plan\. .* or upgrade\.$/);
    expect((await importViaRoute(pro, big)).status).toBe(201);
  });

  it("platform AI optimizations: the 402 names the monthly allowance, the plan and the ways on", async () => {
    setAiEnv({ OPENAI_API_KEY: PLATFORM_KEY, OPENAI_BASE_URL: "http://127.0.0.1:9/v1" });
    limits({ platformOptimizationsPerMonth: 1 });
    const user = await createUser(db());
    const prompt = await createPrompt(db(), user.id);
    await db().insert(usageEvents).values({ userId: user.id, feature: "optimize", provider: "openai", model: "gpt-4o-mini", inputTokens: 1, outputTokens: 1, costMicros: 1, outcome: "success", keySource: "platform", occurredAt: new Date() });
    const refused = await call(optimizeRoute.POST, "POST", "/", { cookie: user.cookie, params: { id: prompt.id }, body: {} });
    expect(refused.status).toBe(402);
    expect(refused.json.error).toEqual({
      code: "payment_required",
      message: "You have used this month's 1 AI optimizations included in the Free plan. Add your own OpenAI-compatible API key in Settings, upgrade your plan, or use the built-in optimizer.",
      details: { limit: "platformOptimizationsPerMonth", plan: "free" },
    });
  });

  it("after an administrator raises the plan, the same signed-in user continues at once", async () => {
    limits({ prompts: 2, activeShares: 1 });
    const admin = await createUser(db(), { isAdmin: true });
    const user = await createUser(db());
    const one = await createViaRoute(user, "One");
    await createViaRoute(user, "Two");
    expect((await shareViaRoute(user, one.json.id)).status).toBe(201);
    expect((await createViaRoute(user, "Three")).status).toBe(402);
    expect((await shareViaRoute(user, one.json.id)).status).toBe(402);

    const raised = await call(adminUserRoute.PATCH, "PATCH", `/api/admin/users/${user.id}`, { cookie: admin.cookie, params: { id: user.id }, body: { plan: "pro" } });
    expect(raised.status).toBe(200);
    expect(raised.json).toMatchObject({ id: user.id, plan: "pro", prompts: 2 });

    // Same cookie, same session: no sign-out needed.
    expect((await createViaRoute(user, "Three")).status).toBe(201);
    expect((await shareViaRoute(user, one.json.id)).status).toBe(201);
    expect(await promptCount(user.id)).toBe(3);
    expect(await db().select().from(shares).where(and(eq(shares.userId, user.id)))).toHaveLength(2);
  });
});

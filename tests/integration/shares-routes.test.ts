import { count, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { shares } from "../../src/server/db/schema";
import { PromptService } from "../../src/server/services/prompts/prompt-service";
import { useTestDatabase } from "../helpers/db";
import { createPrompt, createUser } from "../helpers/factories";
import { call } from "../helpers/http";
import { createShare, openPage, shareRoute, sharedSaveRoute, sharesRoute } from "../helpers/shares";

const SOME_ID = "7b0c1f7e-8f55-4c1e-9b1a-2f6a3c9d0e11";
const SLUG = /^[A-Za-z0-9_-]{24}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Links owned by the given users (other test files may commit their own rows meanwhile). */
async function shareCount(db: Parameters<typeof createUser>[0], ...userIds: string[]) {
  const [row] = await db.select({ n: count() }).from(shares).where(inArray(shares.userId, userIds));
  return Number(row!.n);
}

describe("share API", () => {
  const db = useTestDatabase();

  it("answers 401 on every route without a session", async () => {
    const owner = await createUser(db());
    const prompt = await createPrompt(db(), owner.id);
    const share = await createShare(db(), owner.id, { promptId: prompt.id });
    const cases: [string, (cookie?: string) => ReturnType<typeof call>][] = [
      ["GET /api/shares", (cookie) => call(sharesRoute.GET, "GET", "/api/shares", { cookie })],
      ["POST /api/shares", (cookie) => call(sharesRoute.POST, "POST", "/api/shares", { cookie, body: { promptId: prompt.id } })],
      ["GET /api/shares/{id}", (cookie) => call(shareRoute.GET, "GET", "/", { cookie, params: { id: share.id } })],
      ["DELETE /api/shares/{id}", (cookie) => call(shareRoute.DELETE, "DELETE", "/", { cookie, params: { id: share.id } })],
      ["POST /api/shared/{slug}/save", (cookie) => call(sharedSaveRoute.POST, "POST", "/", { cookie, params: { slug: share.slug } })],
    ];
    for (const [label, attempt] of cases) {
      for (const cookie of [undefined, "pv_session=not-a-real-session-token", "other=1"]) {
        const res = await attempt(cookie);
        expect(res.status, `${label} with cookie ${cookie}`).toBe(401);
        expect(res.json.error.code, label).toBe("unauthorized");
      }
    }
    expect(await shareCount(db(), owner.id)).toBe(1);
    expect((await openPage(share.slug)).status).toBe(200);
  });

  it("creates a link with defaults, reads it, lists it and revokes it", async () => {
    const owner = await createUser(db());
    const prompt = await createPrompt(db(), owner.id, { title: "Shared one" });
    const created = await call(sharesRoute.POST, "POST", "/api/shares", { cookie: owner.cookie, body: { promptId: prompt.id } });
    expect(created.status).toBe(201);
    const share = created.json;
    expect(share).toMatchObject({
      promptId: prompt.id,
      promptTitle: "Shared one",
      version: "latest",
      expiresAt: null,
      maxViews: null,
      viewCount: 0,
      allowCopy: true,
      showAuthor: false,
      noindex: false,
      state: "active",
      revokedAt: null,
      lastViewedAt: null,
    });
    expect(share.slug).toMatch(SLUG);
    expect(share.createdAt).toMatch(ISO);

    const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const options = await call(sharesRoute.POST, "POST", "/api/shares", {
      cookie: owner.cookie,
      body: { promptId: prompt.id.toUpperCase(), version: 1, expiresAt, maxViews: 5, allowCopy: false, showAuthor: true, noindex: true },
    });
    expect(options.status).toBe(201);
    expect(options.json).toMatchObject({ promptId: prompt.id, version: 1, expiresAt, maxViews: 5, allowCopy: false, showAuthor: true, noindex: true, state: "active" });
    expect(options.json.slug).not.toBe(share.slug);

    const read = await call(shareRoute.GET, "GET", "/", { cookie: owner.cookie, params: { id: share.id } });
    expect(read.status).toBe(200);
    expect(read.json).toEqual(share);

    const list = await call(sharesRoute.GET, "GET", "/api/shares", { cookie: owner.cookie });
    expect(list.status).toBe(200);
    expect(list.json.shares.map((s: { id: string }) => s.id).sort()).toEqual([share.id, options.json.id].sort());

    const revoked = await call(shareRoute.DELETE, "DELETE", "/", { cookie: owner.cookie, params: { id: share.id } });
    expect(revoked.status).toBe(200);
    expect(revoked.json).toMatchObject({ id: share.id, state: "revoked" });
    expect(revoked.json.revokedAt).toMatch(ISO);
    expect((await call(shareRoute.GET, "GET", "/", { cookie: owner.cookie, params: { id: share.id } })).json.state).toBe("revoked");
  });

  it("lists only my links, filtered by prompt when asked", async () => {
    const owner = await createUser(db());
    const other = await createUser(db());
    const a = await createPrompt(db(), owner.id, { title: "A" });
    const b = await createPrompt(db(), owner.id, { title: "B" });
    const theirs = await createPrompt(db(), other.id, { title: "Theirs" });
    const a1 = await createShare(db(), owner.id, { promptId: a.id });
    const a2 = await createShare(db(), owner.id, { promptId: a.id, version: 1 });
    const b1 = await createShare(db(), owner.id, { promptId: b.id });
    await createShare(db(), other.id, { promptId: theirs.id });

    const all = await call(sharesRoute.GET, "GET", "/api/shares", { cookie: owner.cookie });
    expect(all.json.shares.map((s: { id: string }) => s.id).sort()).toEqual([a1.id, a2.id, b1.id].sort());
    const onlyA = await call(sharesRoute.GET, "GET", "/api/shares", { cookie: owner.cookie, query: { promptId: a.id } });
    expect(onlyA.status).toBe(200);
    expect(onlyA.json.shares.map((s: { id: string }) => s.id).sort()).toEqual([a1.id, a2.id].sort());
    expect(onlyA.json.shares.every((s: { promptTitle: string }) => s.promptTitle === "A")).toBe(true);
    // Filtering by someone else's prompt shows nothing of theirs.
    const foreign = await call(sharesRoute.GET, "GET", "/api/shares", { cookie: owner.cookie, query: { promptId: theirs.id } });
    expect(foreign.status).toBe(200);
    expect(foreign.json.shares).toEqual([]);
    // A trashed prompt's links are still listed (state "unavailable") so they can be revoked.
    await new PromptService(db(), owner.id).trash(b.id);
    const afterTrash = await call(sharesRoute.GET, "GET", "/api/shares", { cookie: owner.cookie, query: { promptId: b.id } });
    expect(afterTrash.json.shares).toEqual([expect.objectContaining({ id: b1.id, state: "unavailable" })]);
  });

  it("answers 404 for another user's link, prompt or a version that does not exist", async () => {
    const owner = await createUser(db());
    const intruder = await createUser(db());
    const prompt = await createPrompt(db(), owner.id);
    const share = await createShare(db(), owner.id, { promptId: prompt.id });
    const as = { cookie: intruder.cookie };

    for (const [label, attempt] of [
      ["read their link", () => call(shareRoute.GET, "GET", "/", { ...as, params: { id: share.id } })],
      ["revoke their link", () => call(shareRoute.DELETE, "DELETE", "/", { ...as, params: { id: share.id } })],
      ["read an unknown link", () => call(shareRoute.GET, "GET", "/", { ...as, params: { id: SOME_ID } })],
      ["revoke a malformed id", () => call(shareRoute.DELETE, "DELETE", "/", { ...as, params: { id: "not-an-id" } })],
      ["share their prompt", () => call(sharesRoute.POST, "POST", "/api/shares", { ...as, body: { promptId: prompt.id } })],
      ["share an unknown prompt", () => call(sharesRoute.POST, "POST", "/api/shares", { ...as, body: { promptId: SOME_ID } })],
      ["share a version that does not exist", () => call(sharesRoute.POST, "POST", "/api/shares", { cookie: owner.cookie, body: { promptId: prompt.id, version: 2 } })],
    ] as const) {
      const res = await attempt();
      expect(res.status, label).toBe(404);
      expect(res.json.error.code, label).toBe("not_found");
    }
    // Nothing changed: still one link, still active, still listed for its owner only.
    expect(await shareCount(db(), owner.id, intruder.id)).toBe(1);
    expect((await call(shareRoute.GET, "GET", "/", { cookie: owner.cookie, params: { id: share.id } })).json.state).toBe("active");
    expect((await call(sharesRoute.GET, "GET", "/api/shares", as)).json.shares).toEqual([]);
    expect((await openPage(share.slug)).status).toBe(200);
  });

  it("answers 422 for bad input and creates nothing", async () => {
    const owner = await createUser(db());
    const prompt = await createPrompt(db(), owner.id);
    const bad: [string, unknown, string][] = [
      ["maxViews 0", { promptId: prompt.id, maxViews: 0 }, "maxViews"],
      ["maxViews negative", { promptId: prompt.id, maxViews: -3 }, "maxViews"],
      ["maxViews fractional", { promptId: prompt.id, maxViews: 1.5 }, "maxViews"],
      ["maxViews as text", { promptId: prompt.id, maxViews: "10" }, "maxViews"],
      ["expiresAt in the past", { promptId: prompt.id, expiresAt: new Date(Date.now() - 60_000).toISOString() }, "expiresAt"],
      ["expiresAt not a date", { promptId: prompt.id, expiresAt: "next tuesday" }, "expiresAt"],
      ["version 0", { promptId: prompt.id, version: 0 }, "version"],
      ["version fractional", { promptId: prompt.id, version: 1.5 }, "version"],
      ["version as a word", { promptId: prompt.id, version: "first" }, "version"],
      ["allowCopy not a boolean", { promptId: prompt.id, allowCopy: "yes" }, "allowCopy"],
      ["no promptId", {}, "promptId"],
    ];
    for (const [label, body, path] of bad) {
      const res = await call(sharesRoute.POST, "POST", "/api/shares", { cookie: owner.cookie, body });
      expect(res.status, label).toBe(422);
      expect(res.json.error.code, label).toBe("invalid");
      expect(res.json.error.details.fields.map((f: { path: string }) => f.path), label).toContain(path);
    }
    expect((await call(sharesRoute.POST, "POST", "/api/shares", { cookie: owner.cookie, rawBody: "{not json" })).status).toBe(422);
    expect(await shareCount(db(), owner.id)).toBe(0);
  });
});

import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { promptForks, promptVersions, prompts, shares } from "../../src/server/db/schema";
import { PromptService } from "../../src/server/services/prompts/prompt-service";
import { useTestDatabase } from "../helpers/db";
import { createPrompt, createUser } from "../helpers/factories";
import { call } from "../helpers/http";
import { createShare, openPage, shareRoute, sharedSaveRoute, shareRow } from "../helpers/shares";

const save = (slug: string, cookie?: string) => call(sharedSaveRoute.POST, "POST", `/api/shared/${slug}/save`, { cookie, params: { slug } });

describe("save a copy of a shared prompt", () => {
  const db = useTestDatabase();

  async function sharedPrompt(shareInput: Record<string, unknown> = {}) {
    const owner = await createUser(db(), { displayName: "Owner" });
    const viewer = await createUser(db(), { displayName: "Viewer" });
    const prompt = await createPrompt(db(), owner.id, {
      title: "Meeting notes",
      body: "Turn {{transcript}} into notes for {{audience}}.",
      notes: "owner's private notes",
      description: "owner's description",
      parameters: [{ name: "audience", type: "enum", options: ["team", "execs"], default: "team" }],
    });
    const share = await createShare(db(), owner.id, { promptId: prompt.id, ...shareInput });
    return { owner, viewer, prompt, share };
  }

  it("creates the viewer's own prompt with its provenance", async () => {
    const { owner, viewer, prompt, share } = await sharedPrompt();
    const res = await save(share.slug, viewer.cookie);
    expect(res.status).toBe(201);
    const copy = res.json;
    expect(copy.id).not.toBe(prompt.id);
    expect(copy).toMatchObject({
      title: "Meeting notes",
      body: "Turn {{transcript}} into notes for {{audience}}.",
      source: "share",
      currentVersion: 1,
      // Private fields of the original are not copied.
      notes: "",
      folder: null,
      tags: [],
      version: { number: 1, message: "Saved from a shared link", authorId: viewer.id },
      parameters: [{ name: "audience", type: "enum", options: ["team", "execs"], default: "team", required: false }],
    });
    expect(copy.description ?? "").toBe("");

    const [row] = await db().select({ userId: prompts.userId, source: prompts.source }).from(prompts).where(eq(prompts.id, copy.id));
    expect(row).toEqual({ userId: viewer.id, source: "share" });
    const versions = await db().select({ number: promptVersions.number, message: promptVersions.message }).from(promptVersions).where(eq(promptVersions.promptId, copy.id));
    expect(versions).toEqual([{ number: 1, message: "Saved from a shared link" }]);
    const forks = await db().select().from(promptForks).where(eq(promptForks.promptId, copy.id));
    expect(forks).toEqual([expect.objectContaining({ promptId: copy.id, shareId: share.id, sourceVersionNumber: 1 })]);

    // The viewer sees it in their library; the owner's library is unchanged; saving is not a view.
    expect((await new PromptService(db(), viewer.id).get(copy.id)).title).toBe("Meeting notes");
    const ownerPrompts = await db().select({ id: prompts.id }).from(prompts).where(eq(prompts.userId, owner.id));
    expect(ownerPrompts).toEqual([{ id: prompt.id }]);
    expect((await shareRow(db(), share.id)).viewCount).toBe(0);
  });

  it("copies the pinned version, and the copy does not follow the owner's later edits", async () => {
    const { owner, viewer, prompt } = await sharedPrompt();
    await new PromptService(db(), owner.id).update(prompt.id, { body: "Second version {{transcript}}" });
    const pinned = await createShare(db(), owner.id, { promptId: prompt.id, version: 1 });
    const latest = await createShare(db(), owner.id, { promptId: prompt.id });

    const fromPinned = await save(pinned.slug, viewer.cookie);
    expect(fromPinned.status).toBe(201);
    expect(fromPinned.json.body).toBe("Turn {{transcript}} into notes for {{audience}}.");
    const fromLatest = await save(latest.slug, viewer.cookie);
    expect(fromLatest.status).toBe(201);
    expect(fromLatest.json.body).toBe("Second version {{transcript}}");
    const forks = await db().select().from(promptForks).where(eq(promptForks.promptId, fromLatest.json.id));
    expect(forks[0]).toMatchObject({ shareId: latest.id, sourceVersionNumber: 2 });

    await new PromptService(db(), owner.id).update(prompt.id, { title: "Renamed by owner", body: "Third version" });
    await new PromptService(db(), owner.id).trash(prompt.id);
    const copy = await new PromptService(db(), viewer.id).get(fromLatest.json.id);
    expect(copy).toMatchObject({ title: "Meeting notes", body: "Second version {{transcript}}", currentVersion: 1, deletedAt: null });

    // Even a copy whose share is deleted with the original keeps existing; its provenance loses the link.
    await new PromptService(db(), owner.id).purge(prompt.id);
    expect((await new PromptService(db(), viewer.id).get(fromLatest.json.id)).body).toBe("Second version {{transcript}}");
    const [fork] = await db().select().from(promptForks).where(eq(promptForks.promptId, fromLatest.json.id));
    expect(fork).toMatchObject({ shareId: null, sourceVersionNumber: 2 });
  });

  it("answers 401 when signed out", async () => {
    const { share } = await sharedPrompt();
    for (const cookie of [undefined, "pv_session=not-a-real-session-token"]) {
      const res = await save(share.slug, cookie);
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe("unauthorized");
    }
    expect(await db().select().from(promptForks)).toEqual([]);
  });

  it("answers 403 when the owner does not allow copies", async () => {
    const { viewer, share } = await sharedPrompt({ allowCopy: false });
    const res = await save(share.slug, viewer.cookie);
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe("forbidden");
    // …and the page offers no save button.
    const page = await openPage(share.slug);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain("Save to my library");
    expect(await db().select().from(prompts).where(eq(prompts.userId, viewer.id))).toEqual([]);
  });

  it("answers 410 for a revoked, expired or trashed link, and 404 for an unknown one", async () => {
    const { owner, viewer, prompt, share } = await sharedPrompt();
    await call(shareRoute.DELETE, "DELETE", "/", { cookie: owner.cookie, params: { id: share.id } });
    const revoked = await save(share.slug, viewer.cookie);
    expect(revoked.status).toBe(410);
    expect(revoked.json.error.code).toBe("gone");

    const expiring = await createShare(db(), owner.id, { promptId: prompt.id, expiresAt: new Date(Date.now() + 60_000).toISOString() });
    await db().update(shares).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(shares.id, expiring.id));
    expect((await save(expiring.slug, viewer.cookie)).status).toBe(410);

    const live = await createShare(db(), owner.id, { promptId: prompt.id });
    await new PromptService(db(), owner.id).trash(prompt.id);
    expect((await save(live.slug, viewer.cookie)).status).toBe(410);

    const unknown = await save("AAAAAAAAAAAAAAAAAAAAAAAA", viewer.cookie);
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe("not_found");
    expect(await db().select().from(prompts).where(eq(prompts.userId, viewer.id))).toEqual([]);
  });

  it("still saves from a link whose views are used up (the viewer used the last one)", async () => {
    const { viewer, share } = await sharedPrompt({ maxViews: 1 });
    expect((await openPage(share.slug)).status).toBe(200);
    expect((await openPage(share.slug)).status).toBe(410);
    const res = await save(share.slug, viewer.cookie);
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ source: "share", body: "Turn {{transcript}} into notes for {{audience}}." });
    expect((await shareRow(db(), share.id)).viewCount).toBe(1);
  });

  it("lets the owner save a copy of their own link too, as a separate prompt", async () => {
    const { owner, prompt, share } = await sharedPrompt();
    const res = await save(share.slug, owner.cookie);
    expect(res.status).toBe(201);
    expect(res.json.id).not.toBe(prompt.id);
    expect(res.json.source).toBe("share");
  });
});

import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { shares } from "../../src/server/db/schema";
import { PromptService } from "../../src/server/services/prompts/prompt-service";
import { PublicShareService } from "../../src/server/services/share-service";
import { useTestDatabase } from "../helpers/db";
import { createPrompt, createUser } from "../helpers/factories";
import { call } from "../helpers/http";
import { SLACKBOT_UA, createShare, openImage, openPage, shareRoute, sharesRoute, shareRow } from "../helpers/shares";

const GONE = 410;

describe("share link access", () => {
  const db = useTestDatabase();

  async function ownerWithPrompt(body = "Summarise {{document}} in {{count}} bullet points.") {
    const owner = await createUser(db());
    const prompt = await createPrompt(db(), owner.id, { title: "Weekly summary", body });
    return { owner, prompt };
  }

  it("serves an active link with 200 and counts each browser open", async () => {
    const { owner, prompt } = await ownerWithPrompt();
    const share = await createShare(db(), owner.id, { promptId: prompt.id });
    const first = await openPage(share.slug);
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(first.headers.get("cache-control")).toBe("private, no-store");
    expect(first.text).toContain("<h1>Weekly summary</h1>");
    expect(first.text).toContain('id="prompt"');
    expect((await openPage(share.slug)).status).toBe(200);
    const row = await shareRow(db(), share.id);
    expect(row.viewCount).toBe(2);
    expect(row.lastViewedAt).toBeInstanceOf(Date);
  });

  it("answers 404 for an unknown or malformed slug", async () => {
    for (const slug of ["AAAAAAAAAAAAAAAAAAAAAAAA", "short", "has spaces in it!!!!!!!!!", "../../etc/passwd-aaaaaaaa"]) {
      const res = await openPage(slug);
      expect(res.status, slug).toBe(404);
      expect(res.text).toContain("There is no shared prompt at this address.");
      expect(res.text).toContain('<meta name="robots" content="noindex">');
      expect((await openPage(slug, { method: "HEAD" })).status, `HEAD ${slug}`).toBe(404);
      expect((await openImage(slug)).status, `image ${slug}`).toBe(404);
    }
  });

  it("answers 410 once the expiry date has passed, without counting", async () => {
    const { owner, prompt } = await ownerWithPrompt();
    const share = await createShare(db(), owner.id, { promptId: prompt.id, expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect((await openPage(share.slug)).status).toBe(200);
    // The API refuses a past date, so move it into the past directly.
    await db().update(shares).set({ expiresAt: sql`now() - interval '1 minute'` }).where(eq(shares.id, share.id));
    const res = await openPage(share.slug);
    expect(res.status).toBe(GONE);
    expect(res.text).toContain("This shared prompt has expired.");
    expect(res.text).not.toContain("Weekly summary");
    expect((await openPage(share.slug, { method: "HEAD" })).status).toBe(GONE);
    expect((await openPage(share.slug, { userAgent: SLACKBOT_UA })).status).toBe(GONE);
    expect((await openImage(share.slug)).status).toBe(GONE);
    expect((await shareRow(db(), share.id)).viewCount).toBe(1);
    const view = await call(shareRoute.GET, "GET", "/", { cookie: owner.cookie, params: { id: share.id } });
    expect(view.json).toMatchObject({ state: "expired", viewCount: 1 });
  });

  it("answers 410 once the view limit is used up, and stops counting", async () => {
    const { owner, prompt } = await ownerWithPrompt();
    const share = await createShare(db(), owner.id, { promptId: prompt.id, maxViews: 2 });
    expect((await openPage(share.slug)).status).toBe(200);
    expect((await openPage(share.slug)).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      const res = await openPage(share.slug);
      expect(res.status).toBe(GONE);
      expect(res.text).toContain("This shared prompt has reached its view limit.");
      expect(res.text).not.toContain("Summarise {{document}}");
    }
    expect((await shareRow(db(), share.id)).viewCount).toBe(2);
    const view = await call(shareRoute.GET, "GET", "/", { cookie: owner.cookie, params: { id: share.id } });
    expect(view.json).toMatchObject({ state: "exhausted", viewCount: 2, maxViews: 2 });
  });

  it("answers 410 after revocation and keeps the record with its view count", async () => {
    const { owner, prompt } = await ownerWithPrompt();
    const share = await createShare(db(), owner.id, { promptId: prompt.id });
    for (let i = 0; i < 3; i++) expect((await openPage(share.slug)).status).toBe(200);

    const revoked = await call(shareRoute.DELETE, "DELETE", "/", { cookie: owner.cookie, params: { id: share.id } });
    expect(revoked.status).toBe(200);
    expect(revoked.json).toMatchObject({ id: share.id, slug: share.slug, state: "revoked", viewCount: 3 });
    expect(revoked.json.revokedAt).toEqual(expect.any(String));

    const res = await openPage(share.slug);
    expect(res.status).toBe(GONE);
    expect(res.text).toContain("This shared prompt is no longer shared.");
    expect((await openImage(share.slug)).status).toBe(GONE);

    // Still listed for its owner, with the views it had; revoking again changes nothing.
    const list = await call(sharesRoute.GET, "GET", "/api/shares", { cookie: owner.cookie });
    expect(list.json.shares).toEqual([expect.objectContaining({ id: share.id, state: "revoked", viewCount: 3, revokedAt: revoked.json.revokedAt })]);
    const again = await call(shareRoute.DELETE, "DELETE", "/", { cookie: owner.cookie, params: { id: share.id } });
    expect(again.json).toMatchObject({ state: "revoked", viewCount: 3, revokedAt: revoked.json.revokedAt });
    expect((await shareRow(db(), share.id)).viewCount).toBe(3);
  });

  it("answers 410 while the prompt is in the trash, 200 again once restored, and 404 once it is deleted for good", async () => {
    const { owner, prompt } = await ownerWithPrompt();
    const share = await createShare(db(), owner.id, { promptId: prompt.id });
    const prompts = new PromptService(db(), owner.id);
    await prompts.trash(prompt.id);
    const res = await openPage(share.slug);
    expect(res.status).toBe(GONE);
    expect(res.text).toContain("This shared prompt is no longer available.");
    expect(res.text).not.toContain("Weekly summary");
    expect((await openPage(share.slug, { method: "HEAD" })).status).toBe(GONE);
    expect((await openImage(share.slug)).status).toBe(GONE);
    expect((await shareRow(db(), share.id)).viewCount).toBe(0);

    await prompts.restoreFromTrash(prompt.id);
    expect((await openPage(share.slug)).status).toBe(200);

    await prompts.trash(prompt.id);
    await prompts.purge(prompt.id);
    expect((await openPage(share.slug)).status).toBe(404);
  });

  it("keeps showing the pinned version after edits, while a latest link follows them", async () => {
    const { owner, prompt } = await ownerWithPrompt("Version one body {{topic}}");
    const pinned = await createShare(db(), owner.id, { promptId: prompt.id, version: 1 });
    const latest = await createShare(db(), owner.id, { promptId: prompt.id, version: "latest" });
    expect(pinned.version).toBe(1);
    expect(latest.version).toBe("latest");

    await new PromptService(db(), owner.id).update(prompt.id, { title: "Second title", body: "Version two body {{topic}}" });
    await new PromptService(db(), owner.id).update(prompt.id, { body: "Version three body {{topic}}" });

    const p = await openPage(pinned.slug);
    expect(p.status).toBe(200);
    expect(p.text).toContain("<h1>Weekly summary</h1>");
    expect(p.text).toContain("Version one body");
    expect(p.text).toContain("Version 1<");
    expect(p.text).not.toContain("Version two body");
    expect(p.text).not.toContain("Version three body");
    expect(p.text).not.toContain("Second title");

    const l = await openPage(latest.slug);
    expect(l.status).toBe(200);
    expect(l.text).toContain("<h1>Second title</h1>");
    expect(l.text).toContain("Version three body");
    expect(l.text).toContain("Version 3 (latest)");
    expect(l.text).not.toContain("Version one body");

    // The public service agrees (and peeking does not count).
    const service = new PublicShareService(db());
    expect(await service.peek(pinned.slug)).toMatchObject({ ok: true, share: { version: 1, pinned: true, body: "Version one body {{topic}}" } });
    expect(await service.peek(latest.slug)).toMatchObject({ ok: true, share: { version: 3, pinned: false, body: "Version three body {{topic}}" } });
    expect((await shareRow(db(), pinned.id)).viewCount).toBe(1);
    expect((await shareRow(db(), latest.id)).viewCount).toBe(1);
  });

  it("does not count HEAD requests, link-preview bots or the image", async () => {
    const body = `Classify the ticket below by urgency and team. ${"Be precise and brief about it. ".repeat(8)}TAIL-MARKER-{{ticket}}`;
    const { owner, prompt } = await ownerWithPrompt(body);
    const share = await createShare(db(), owner.id, { promptId: prompt.id, maxViews: 1 });

    const head = await openPage(share.slug, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.text).toBe("");
    expect(head.headers.get("content-type")).toBe("text/html; charset=utf-8");

    for (const ua of [SLACKBOT_UA, "Twitterbot/1.0", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)"]) {
      const bot = await openPage(share.slug, { userAgent: ua });
      expect(bot.status, ua).toBe(200);
      // Metadata only: the title and the card, not the prompt itself.
      expect(bot.text, ua).toContain("<h1>Weekly summary</h1>");
      expect(bot.text, ua).toContain('property="og:image"');
      expect(bot.text, ua).not.toContain('id="prompt"');
      expect(bot.text, ua).not.toContain("TAIL-MARKER");
      expect(bot.text, ua).not.toContain("Save to my library");
    }

    const image = await openImage(share.slug);
    expect(image.status).toBe(200);
    expect((await shareRow(db(), share.id)).viewCount).toBe(0);

    // The one allowed view goes to the person who opens it.
    const person = await openPage(share.slug);
    expect(person.status).toBe(200);
    expect(person.text).toContain("TAIL-MARKER");
    expect((await openPage(share.slug)).status).toBe(GONE);
    expect((await openPage(share.slug, { method: "HEAD" })).status).toBe(GONE);
    expect((await shareRow(db(), share.id)).viewCount).toBe(1);
  });
});

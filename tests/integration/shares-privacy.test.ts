import { afterEach, describe, expect, it, vi } from "vitest";
import type { Database } from "../../src/server/db/client";
import { PromptService } from "../../src/server/services/prompts/prompt-service";
import { VersionService } from "../../src/server/services/prompts/version-service";
import { PublicShareService } from "../../src/server/services/share-service";
import { useTestDatabase } from "../helpers/db";
import { createFolder, createPrompt, createTag, createUser } from "../helpers/factories";
import { PNG_MAGIC, SLACKBOT_UA, createShare, openImage, openPage } from "../helpers/shares";

/** An owner whose library is full of things a public page must never show. */
async function privateLibrary(db: Database) {
  const owner = await createUser(db, { email: "grace.private-owner-7f3a@secret.example", displayName: "Grace Unique-Hopper" });
  const folder = await createFolder(db, owner.id, "Folder Nobody Should See");
  const tags = [await createTag(db, owner.id, "confidential-tag-alpha"), await createTag(db, owner.id, "confidential-tag-beta")];
  const prompt = await createPrompt(db, owner.id, {
    title: "Public facing title",
    body: "Draft a polite reply to {{customer}} about {{issue}}.",
    description: "DESCRIPTION-MARKER only in the library",
    notes: "PRIVATE-NOTES-MARKER: the client is Acme, do not share",
    modelHint: "MODEL-HINT-MARKER",
    folderId: folder.id,
    tagIds: tags.map((t) => t.id),
  });
  await new VersionService(db, owner.id).setLabel(prompt.id, "label-marker-prod", { version: 1 });
  const other = await createPrompt(db, owner.id, { title: "Other prompt TITLE-MARKER", body: "OTHER-BODY-MARKER {{x}}" });
  const trashed = await createPrompt(db, owner.id, { title: "Trashed prompt TRASH-MARKER", body: "TRASH-BODY-MARKER" });
  await new PromptService(db, owner.id).trash(trashed.id);
  return { owner, folder, tags, prompt, other, trashed };
}

type Library = Awaited<ReturnType<typeof privateLibrary>>;

function secretsOf(lib: Library, shareId: string): Record<string, string> {
  return {
    "owner email": lib.owner.email,
    "owner email (local part)": "grace.private-owner-7f3a",
    "owner user id": lib.owner.id,
    "prompt id": lib.prompt.id,
    "share id": shareId,
    "other prompt id": lib.other.id,
    "other prompt title": "TITLE-MARKER",
    "other prompt body": "OTHER-BODY-MARKER",
    "trashed prompt id": lib.trashed.id,
    "trashed prompt title": "TRASH-MARKER",
    notes: "PRIVATE-NOTES-MARKER",
    // The page shows the prompt (title, body, variables), not the library's description of it.
    description: "DESCRIPTION-MARKER",
    "model hint": "MODEL-HINT-MARKER",
    "version label": "label-marker-prod",
    "tag 1": "confidential-tag-alpha",
    "tag 2": "confidential-tag-beta",
    "tag 1 id": lib.tags[0]!.id,
    "folder name": "Folder Nobody Should See",
    "folder id": lib.folder.id,
    "session cookie": lib.owner.cookie.split("=")[1]!,
  };
}

function expectNoSecrets(text: string, secrets: Record<string, string>, where: string) {
  const haystack = text.toLowerCase();
  for (const [what, value] of Object.entries(secrets)) expect(haystack.includes(value.toLowerCase()), `${where} leaks the ${what}`).toBe(false);
}

function headerText(headers: Headers): string {
  return [...headers.entries()].map(([k, v]) => `${k}: ${v}`).join("\n");
}

/** `<meta property|name="key" content="...">` values, unescaped enough for URLs. */
function metaContent(html: string, key: string): string | undefined {
  const match = html.match(new RegExp(`<meta (?:property|name)="${key.replace(/[.:]/g, "\\$&")}" content="([^"]*)"`));
  return match?.[1]?.replace(/&amp;/g, "&");
}

describe("public share page privacy", () => {
  const db = useTestDatabase();

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("shows the prompt and nothing else of the owner's library, on the page, to bots, in the image and in the save page's data", async () => {
    const lib = await privateLibrary(db());
    const share = await createShare(db(), lib.owner.id, { promptId: lib.prompt.id });
    const secrets = { ...secretsOf(lib, share.id), "display name (author not shown)": "Grace Unique-Hopper" };

    const page = await openPage(share.slug);
    expect(page.status).toBe(200);
    expect(page.text).toContain("Public facing title");
    expect(page.text).toContain("Draft a polite reply to");
    expect(page.text).toContain('<mark data-var="customer">{{customer}}</mark>');
    expectNoSecrets(page.text, secrets, "the page");
    expectNoSecrets(headerText(page.headers), secrets, "the page's headers");

    const bot = await openPage(share.slug, { userAgent: SLACKBOT_UA });
    expect(bot.status).toBe(200);
    expectNoSecrets(bot.text, secrets, "the bot preview");

    const head = await openPage(share.slug, { method: "HEAD" });
    expectNoSecrets(headerText(head.headers), secrets, "HEAD's headers");

    const image = await openImage(share.slug);
    expect(image.status).toBe(200);
    expectNoSecrets(image.bytes.toString("latin1"), secrets, "the image");
    expectNoSecrets(headerText(image.headers), secrets, "the image's headers");

    // What the save page (and the image) render from: exactly the public fields.
    const access = await new PublicShareService(db()).peek(share.slug, { ignoreViews: true });
    expect(access.ok).toBe(true);
    if (!access.ok) return;
    expect(Object.keys(access.share).sort()).toEqual(["allowCopy", "authorName", "body", "noindex", "parameters", "pinned", "slug", "title", "updatedAt", "version"]);
    expect(access.share.authorName).toBeNull();
    expectNoSecrets(JSON.stringify(access.share), secrets, "the save page's data");
  });

  it("shows only the display name when the owner opts in to showing the author", async () => {
    const lib = await privateLibrary(db());
    const share = await createShare(db(), lib.owner.id, { promptId: lib.prompt.id, showAuthor: true });
    const page = await openPage(share.slug);
    expect(page.status).toBe(200);
    expect(page.text).toContain("by Grace Unique-Hopper");
    expectNoSecrets(page.text, secretsOf(lib, share.id), "the page with the author shown");

    const access = await new PublicShareService(db()).peek(share.slug);
    expect(access).toMatchObject({ ok: true, share: { authorName: "Grace Unique-Hopper" } });

    // An owner without a display name is not replaced by their email.
    const anonymous = await createUser(db(), { email: "nameless-owner-91bd@secret.example", displayName: null });
    const prompt = await createPrompt(db(), anonymous.id);
    const anonymousShare = await createShare(db(), anonymous.id, { promptId: prompt.id, showAuthor: true });
    const anonymousPage = await openPage(anonymousShare.slug);
    expect(anonymousPage.status).toBe(200);
    expect(anonymousPage.text.toLowerCase()).not.toContain("nameless-owner-91bd");
    expect(anonymousPage.text).not.toContain(" · by ");
  });

  it("escapes the prompt's content", async () => {
    const owner = await createUser(db());
    const prompt = await createPrompt(db(), owner.id, {
      title: `</title><script>alert("title")</script>`,
      body: `"><img src=x onerror=alert(1)> <script>alert('body')</script> {{name}}`,
      parameters: [{ name: "name", type: "text", description: `<b onmouseover="x()">hint</b>` }],
    });
    const share = await createShare(db(), owner.id, { promptId: prompt.id });
    for (const res of [await openPage(share.slug), await openPage(share.slug, { userAgent: SLACKBOT_UA })]) {
      expect(res.status).toBe(200);
      expect(res.text).not.toContain("<script>alert");
      expect(res.text).not.toContain("<img src=x");
      expect(res.text).not.toContain("<b onmouseover");
      expect(res.text).toContain("&lt;/title&gt;&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;");
      // The only script is the page's own.
      expect(res.text.match(/<script\b[^>]*>/g)).toEqual(['<script src="/share.js" defer>']);
    }
  });

  it("keeps a noindex link out of search engines, in a meta tag and a header", async () => {
    const owner = await createUser(db());
    const prompt = await createPrompt(db(), owner.id);
    const hidden = await createShare(db(), owner.id, { promptId: prompt.id, noindex: true });
    const page = await openPage(hidden.slug);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<meta name="robots" content="noindex');
    expect(page.headers.get("x-robots-tag")).toMatch(/(^|,\s*)noindex(,|$)/);
    const bot = await openPage(hidden.slug, { userAgent: SLACKBOT_UA });
    expect(bot.text).toContain('<meta name="robots" content="noindex');
    expect(bot.headers.get("x-robots-tag")).toMatch(/noindex/);
    expect((await openPage(hidden.slug, { method: "HEAD" })).headers.get("x-robots-tag")).toMatch(/noindex/);

    const visible = await createShare(db(), owner.id, { promptId: prompt.id });
    const open = await openPage(visible.slug);
    expect(open.text).not.toContain('name="robots"');
    expect(open.headers.get("x-robots-tag") ?? "").not.toMatch(/noindex/);
  });

  it("has Open Graph and Twitter tags with absolute URLs, and a PNG card rendered offline", async () => {
    const owner = await createUser(db());
    const prompt = await createPrompt(db(), owner.id, { title: "Cards & previews", body: "Explain {{topic}}   to a\nbeginner." });
    const share = await createShare(db(), owner.id, { promptId: prompt.id });
    for (const res of [await openPage(share.slug), await openPage(share.slug, { userAgent: SLACKBOT_UA })]) {
      const html = res.text;
      const pageUrl = metaContent(html, "og:url")!;
      expect(pageUrl).toMatch(new RegExp(`^https?://[^/]+/s/${share.slug}$`));
      expect(metaContent(html, "og:image")).toBe(`${pageUrl}/image`);
      expect(metaContent(html, "twitter:image")).toBe(`${pageUrl}/image`);
      expect(metaContent(html, "og:title")).toBe("Cards & previews");
      expect(metaContent(html, "twitter:title")).toBe("Cards & previews");
      expect(metaContent(html, "og:description")).toBe("Explain {{topic}} to a beginner.");
      expect(metaContent(html, "twitter:description")).toBe("Explain {{topic}} to a beginner.");
      expect(metaContent(html, "og:type")).toBe("article");
      expect(metaContent(html, "og:image:width")).toBe("1200");
      expect(metaContent(html, "og:image:height")).toBe("630");
      expect(metaContent(html, "twitter:card")).toBe("summary_large_image");
      expect(html).toContain(`<link rel="canonical" href="${pageUrl}">`);
    }

    // No network: a fetch during rendering would fail the test.
    const fetches: string[] = [];
    vi.stubGlobal("fetch", async (input: unknown) => {
      fetches.push(String(input instanceof Request ? input.url : input));
      throw new Error("the social card must render offline");
    });
    const image = await openImage(share.slug);
    expect(fetches).toEqual([]);
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/png");
    expect(image.bytes.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
    // IHDR: 1200 × 630.
    expect(image.bytes.readUInt32BE(16)).toBe(1200);
    expect(image.bytes.readUInt32BE(20)).toBe(630);
  });

  it("renders the card offline even when the title, body and author name have emoji", async () => {
    const owner = await createUser(db(), { displayName: "Ada ✨" });
    const prompt = await createPrompt(db(), owner.id, {
      title: "Launch plan 🚀 for the 🇫🇷 team 👩🏽‍💻 1️⃣ ✔ © ™",
      body: `Write ${"a launch note ".repeat(20)} ❤️ {{product}}`,
    });
    const share = await createShare(db(), owner.id, { promptId: prompt.id, showAuthor: true });
    const fetches: string[] = [];
    vi.stubGlobal("fetch", async (input: unknown) => {
      fetches.push(String(input instanceof Request ? input.url : input));
      throw new Error("the social card must render offline");
    });
    const image = await openImage(share.slug);
    expect(fetches).toEqual([]);
    expect(image.status).toBe(200);
    expect(image.bytes.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
    expect(image.bytes.length).toBeGreaterThan(1000);
  });
});

import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import * as originalRoute from "../../src/app/api/imports/[id]/files/[fileId]/original/route";
import { promptOccurrences, prompts } from "../../src/server/db/schema";
import { LocalFileStorage } from "../../src/server/storage/local";
import { ImportService } from "../../src/server/services/imports/import-service";
import { PromptService } from "../../src/server/services/prompts/prompt-service";
import { VersionService } from "../../src/server/services/prompts/version-service";
import { chatGptConversation } from "../helpers/chatgpt-export";
import { useTestDatabase } from "../helpers/db";
import { createUser } from "../helpers/factories";
import { appStorage, FIXTURES, removeTemporaryDirs, runImport } from "../helpers/imports";
import { buildZip } from "../helpers/zip";

const fixture = (...parts: string[]) => readFileSync(path.join(FIXTURES, ...parts));

/**
 * A ChatGPT "Export data" zip as OpenAI sends it: conversations.json next to user.json, chat.html (the same
 * conversations rendered), feedback files and the uploaded images. The conversations are the 2025 fixture
 * (branches, custom instructions, hidden, empty, attachment-only and future-type messages) plus one more
 * conversation that repeats a prompt with different case and spacing.
 */
function chatGptZip(): Buffer {
  const conversations = JSON.parse(fixture("chatgpt", "conversations-2025.json").toString("utf8")) as unknown[];
  conversations.push(
    chatGptConversation({
      id: "6851f0a1-0000-4000-8000-00000000000c",
      title: "Lisbon again",
      createTime: 1_750_100_000,
      model: "gpt-4o",
      prompts: ["plan a 3-day  trip to LISBON in may.", "Which museums in Lisbon open on Mondays?"],
    }),
  );
  const json = JSON.stringify(conversations);
  return buildZip([
    { name: "user.json", data: JSON.stringify({ id: "user-abc", email: "ada@example.test", chatgpt_plus_user: true, phone_number: null }) },
    { name: "conversations.json", data: json },
    { name: "chat.html", data: `<!DOCTYPE html><html><head><title>ChatGPT Data Export</title></head><body><div id="root"></div><script>var jsonData = ${json};</script></body></html>` },
    { name: "message_feedback.json", data: JSON.stringify([{ id: "f1", conversation_id: "c", rating: "thumbsUp" }]) },
    { name: "file-00000000abc-tower.jpg", data: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]), store: true },
    { name: "dalle-generations/file-xyz.webp", data: Buffer.from("RIFF\0\0\0\0WEBPVP8 ") },
  ]);
}

describe("import end to end (service + local storage)", () => {
  afterAll(removeTemporaryDirs);
  const db = useTestDatabase();

  it("imports a ChatGPT export zip: summary, library entries with their source, versions, occurrences, original kept", async () => {
    const user = await createUser(db());
    const storage = appStorage();
    expect(storage).toBeInstanceOf(LocalFileStorage);
    const service = new ImportService(db(), user.id, storage);
    const zip = chatGptZip();

    const session = await runImport(service, [{ name: "chatgpt-export.zip", data: zip }]);

    expect(session.status).toBe("succeeded");
    expect(session.interrupted).toBe(false);
    expect(session.finishedAt).toBeInstanceOf(Date);
    const [file] = session.files;
    expect(file).toMatchObject({
      fileName: "chatgpt-export.zip",
      bytes: zip.length,
      status: "succeeded",
      source: "chatgpt",
      parser: "chatgpt",
      conversations: 3,
      promptsFound: 7,
      processed: 7,
      imported: 6,
      duplicates: 1,
      skipped: 5,
      skipReasons: {
        "custom instructions": 1,
        "hidden message": 1,
        "empty message": 1,
        "attachment-only message": 1,
        "unsupported message type (some_future_type)": 1,
      },
      errors: [],
      stored: true,
    });
    expect(file!.bytesRead).toBeGreaterThan(0);
    // Everything that is not conversations.json was looked at and set aside, with why.
    expect(file!.ignored).toEqual(
      expect.arrayContaining([
        { name: "file-00000000abc-tower.jpg", reason: "not a chat file" },
        { name: "dalle-generations/file-xyz.webp", reason: "not a chat file" },
        { name: "user.json", reason: "not a recognised chat export" },
        { name: "chat.html", reason: "not a recognised chat export" },
      ]),
    );
    expect(session.totals).toEqual({ files: 1, conversations: 3, promptsFound: 7, imported: 6, duplicates: 1, skipped: 5, overLimit: 0, failed: 0 });

    // The library: six prompts, all from ChatGPT, with where they came from.
    const library = await new PromptService(db(), user.id).list({ source: "chatgpt", limit: 100 });
    expect(library.items).toHaveLength(6);
    const all = await new PromptService(db(), user.id).list({ limit: 100 });
    expect(all.items).toHaveLength(6);
    const byBody = new Map(
      (await db().select().from(prompts).where(eq(prompts.userId, user.id))).map((p) => [p.body, p]),
    );
    expect([...byBody.keys()].sort()).toEqual(
      [
        "Line one\nLine two",
        "Plan a 3-day trip to Lisbon in May.",
        "Plan a trip to Lisbon.\nBudget: low.",
        "Thanks, that's all.",
        "What is this building? 🏛️ 😀",
        "Which museums in Lisbon open on Mondays?",
      ].sort(),
    );
    const lisbon = byBody.get("Plan a 3-day trip to Lisbon in May.")!;
    expect(lisbon).toMatchObject({
      source: "chatgpt",
      title: "Plan a 3-day trip to Lisbon in May.",
      importSessionId: session.id,
      useCount: 2,
      currentVersion: 1,
      sourceDetail: {
        conversationTitle: "Lisbon trip",
        conversationId: "6851f0a1-0000-4000-8000-00000000000a",
        occurredAt: "2025-06-15T06:20:00.250Z",
        model: "o3",
        fileName: "chatgpt-export.zip",
      },
    });
    expect(lisbon.createdAt.toISOString()).toBe("2025-06-15T06:20:00.250Z");
    // A conversation without a title: no title in the source, none in the version message.
    expect(byBody.get("Line one\nLine two")!.sourceDetail).toEqual({
      conversationId: "6851f0a1-0000-4000-8000-00000000000b",
      occurredAt: "2025-06-15T15:06:41.000Z",
      model: "gpt-4o-mini",
      fileName: "chatgpt-export.zip",
    });
    for (const p of byBody.values()) expect(p.useCount, p.body).toBe(p.id === lisbon.id ? 2 : 1);

    // Version 1 of each says where it was imported from.
    const versions = new VersionService(db(), user.id);
    expect(await versions.list(lisbon.id)).toEqual([
      expect.objectContaining({ number: 1, title: "Plan a 3-day trip to Lisbon in May.", message: "Imported from ChatGPT — “Lisbon trip”", authorId: user.id }),
    ]);
    expect((await versions.list(byBody.get("Line one\nLine two")!.id)).map((v) => v.message)).toEqual(["Imported from ChatGPT"]);
    expect((await versions.list(byBody.get("Which museums in Lisbon open on Mondays?")!.id)).map((v) => v.message)).toEqual(["Imported from ChatGPT — “Lisbon again”"]);

    // Occurrences: the repeated prompt was seen in both conversations (no variant: the text is the same).
    const occurrences = await new PromptService(db(), user.id).occurrences(lisbon.id);
    expect(occurrences).toEqual([
      expect.objectContaining({ source: "chatgpt", conversationTitle: "Lisbon again", conversationId: "6851f0a1-0000-4000-8000-00000000000c", model: "gpt-4o", variantText: null, importId: session.id, fileName: "chatgpt-export.zip", activeBranch: true }),
      expect.objectContaining({ source: "chatgpt", conversationTitle: "Lisbon trip", conversationId: "6851f0a1-0000-4000-8000-00000000000a", model: "o3", variantText: null, importId: session.id, activeBranch: true }),
    ]);
    expect(occurrences[1]!.occurredAt!.toISOString()).toBe("2025-06-15T06:20:00.250Z");
    // The earlier text of an edited prompt is kept, marked as off the shown branch.
    const [edited] = await db()
      .select({ activeBranch: promptOccurrences.activeBranch, isFirst: promptOccurrences.isFirst })
      .from(promptOccurrences)
      .where(and(eq(promptOccurrences.userId, user.id), eq(promptOccurrences.promptId, byBody.get("Plan a trip to Lisbon.\nBudget: low.")!.id)));
    expect(edited).toEqual({ activeBranch: false, isFirst: true });
    expect(await db().$count(promptOccurrences, eq(promptOccurrences.userId, user.id))).toBe(7);

    // The original zip is kept and the owner can download it, byte for byte.
    const download = await fetchOriginal(user.cookie, session.id, file!.id);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("application/octet-stream");
    expect(download.headers.get("content-length")).toBe(String(zip.length));
    expect(download.headers.get("content-disposition")).toBe("attachment; filename*=UTF-8''chatgpt-export.zip");
    expect(Buffer.from(download.body).equals(zip)).toBe(true);
  });

  it("imports one file of every other source through the same path", async () => {
    const user = await createUser(db());
    const service = new ImportService(db(), user.id, appStorage());
    const clineDir = path.join(FIXTURES, "cline", "tasks", "1769053680585");
    const clineZip = buildZip(readdirSync(clineDir).map((f) => ({ name: `tasks/1769053680585/${f}`, data: readFileSync(path.join(clineDir, f)) })));

    const session = await runImport(service, [
      { name: "conversations.json", data: fixture("claude", "conversations-2026.json") },
      { name: "MyActivity.json", data: fixture("gemini", "takeout-mixed-MyActivity.json") },
      { name: "cline-tasks.zip", data: clineZip },
      { name: "cursor_fix_the_flaky_test.md", data: fixture("cursor", "cursor_fix_the_flaky_test.md") },
      { name: "prompts.csv", data: fixture("generic", "prompts.csv") },
    ]);

    expect(session.status).toBe("succeeded");
    const summary = Object.fromEntries(
      session.files.map((f) => [f.fileName, { status: f.status, source: f.source, parser: f.parser, conversations: f.conversations, promptsFound: f.promptsFound, imported: f.imported, duplicates: f.duplicates, skipped: f.skipped, skipReasons: f.skipReasons, errors: f.errors }]),
    );
    expect(summary).toEqual({
      "conversations.json": { status: "succeeded", source: "claude", parser: "claude", conversations: 3, promptsFound: 6, imported: 6, duplicates: 0, skipped: 4, skipReasons: { "attachment-only message": 1, "empty message": 3 }, errors: [] },
      "MyActivity.json": {
        status: "succeeded",
        source: "gemini",
        parser: "gemini-takeout",
        conversations: 8,
        promptsFound: 13,
        imported: 13,
        duplicates: 0,
        skipped: 5,
        skipReasons: { "other Gemini activity (not a prompt)": 2, "not Gemini activity": 1, "unrecognised Gemini activity": 1, "empty prompt": 1 },
        errors: [],
      },
      "cline-tasks.zip": { status: "succeeded", source: "cline", parser: "cline-task", conversations: 1, promptsFound: 4, imported: 4, duplicates: 0, skipped: 3, skipReasons: { "attachment-only message": 1, "empty message": 1, "incomplete message": 1 }, errors: [] },
      "cursor_fix_the_flaky_test.md": { status: "succeeded", source: "cursor", parser: "cursor-markdown", conversations: 1, promptsFound: 2, imported: 2, duplicates: 0, skipped: 1, skipReasons: { "empty message": 1 }, errors: [] },
      "prompts.csv": { status: "succeeded", source: "generic", parser: "generic-csv", conversations: 1, promptsFound: 4, imported: 4, duplicates: 0, skipped: 1, skipReasons: { "empty row": 1 }, errors: [] },
    });
    expect(session.totals).toMatchObject({ files: 5, promptsFound: 29, imported: 29, duplicates: 0, failed: 0 });
    // The task's metadata and API history are read with its messages: not listed as ignored files.
    expect(session.files.find((f) => f.fileName === "cline-tasks.zip")!.ignored).toEqual([]);

    const list = new PromptService(db(), user.id);
    const counts: Record<string, number> = {};
    for (const source of ["claude", "gemini", "cline", "cursor", "generic", "chatgpt"] as const) counts[source] = (await list.list({ source, limit: 100 })).items.length;
    expect(counts).toEqual({ claude: 6, gemini: 13, cline: 4, cursor: 2, generic: 4, chatgpt: 0 });

    const rows = await db().select().from(prompts).where(eq(prompts.userId, user.id));
    const find = (body: string) => rows.find((p) => p.body === body)!;
    expect(find("How do I start a sourdough starter?")).toMatchObject({ source: "claude", sourceDetail: { conversationTitle: "Sourdough starter", fileName: "conversations.json" } });
    expect(find("Wie spät ist es in Tokio?")).toMatchObject({ source: "gemini", sourceDetail: { occurredAt: "2026-09-18T08:00:00.000Z", fileName: "MyActivity.json" } });
    expect(find("Ship it.\nThanks")).toMatchObject({ source: "cline", sourceDetail: { conversationId: "1769053680585", model: "gpt-5", occurredAt: "2026-01-22T03:56:52.503Z", fileName: "cline-tasks.zip" } });
    expect(find("Reply with a quote about \"${Topic:courage}\" and nothing else.")).toMatchObject({ source: "generic", sourceDetail: { conversationTitle: "Quote Machine", fileName: "prompts.csv" } });
    const cursor = rows.filter((p) => p.source === "cursor");
    expect(cursor.map((p) => p.sourceDetail.conversationTitle)).toEqual(["Fix the flaky test", "Fix the flaky test"]);
    const versions = new VersionService(db(), user.id);
    expect((await versions.list(find("Ship it.\nThanks").id))[0]!.message).toBe("Imported from Cline — “Refactor ActionSystem.cs so that each action”");
    expect((await versions.list(find("How do I start a sourdough starter?").id))[0]!.message).toBe("Imported from Claude — “Sourdough starter”");
  });
});

describe("a dropped folder", () => {
  afterAll(removeTemporaryDirs);
  const db = useTestDatabase();

  it("a Cline task folder dropped as loose files imports like the zip of it: one task, its model, no failed file", async () => {
    const user = await createUser(db());
    const dir = path.join(FIXTURES, "cline", "tasks", "1769053680585");
    // What the drop zone sends for a dropped folder: each file, named with its folder path.
    const session = await runImport(
      new ImportService(db(), user.id, appStorage()),
      readdirSync(dir).map((f) => ({ name: `tasks/1769053680585/${f}`, data: readFileSync(path.join(dir, f)) })),
    );
    expect(session.status).toBe("succeeded");
    const byName = Object.fromEntries(session.files.map((f) => [f.fileName.split("/").pop(), f]));
    expect(byName["ui_messages.json"]).toMatchObject({ status: "succeeded", parser: "cline-task", conversations: 1, promptsFound: 4, imported: 4, duplicates: 0, errors: [] });
    for (const companion of ["task_metadata.json", "api_conversation_history.json"]) {
      expect(byName[companion]).toMatchObject({ status: "succeeded", promptsFound: 0, imported: 0, errors: [] });
      expect(byName[companion]!.ignored).toEqual([{ name: `tasks/1769053680585/${companion}`, reason: "read with ui_messages.json from the same folder" }]);
    }
    expect(session.totals).toMatchObject({ promptsFound: 4, imported: 4, failed: 0 });
    // The model comes from task_metadata.json, read as the messages' sibling.
    const rows = await db().select().from(prompts).where(eq(prompts.userId, user.id));
    expect(rows.find((p) => p.body === "Ship it.\nThanks")).toMatchObject({ source: "cline", sourceDetail: { conversationId: "1769053680585", model: "gpt-5" } });
  });
});

async function fetchOriginal(cookie: string | undefined, sessionId: string, fileId: string) {
  const headers = new Headers({ host: "localhost:3000" });
  if (cookie) headers.set("cookie", cookie);
  const res = await originalRoute.GET(new Request(`http://localhost:3000/api/imports/${sessionId}/files/${fileId}/original`, { headers }), {
    params: Promise.resolve({ id: sessionId, fileId }),
  });
  return { status: res.status, headers: res.headers, body: new Uint8Array(await res.arrayBuffer()) };
}

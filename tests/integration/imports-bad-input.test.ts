import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { eq, inArray } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import * as importsRoute from "../../src/app/api/imports/route";
import { importFiles, promptOccurrences, prompts } from "../../src/server/db/schema";
import { openZip } from "../../src/server/importers/core/zip";
import { PARSERS } from "../../src/server/importers/registry";
import { ImportFormatError } from "../../src/server/importers/types";
import { ImportService, storageKey } from "../../src/server/services/imports/import-service";
import { chatGptConversation, chatGptExport } from "../helpers/chatgpt-export";
import { useTestDatabase } from "../helpers/db";
import { createUser } from "../helpers/factories";
import { call } from "../helpers/http";
import { FIXTURES, removeTemporaryDirs, runImport, tempDir, tempStorage } from "../helpers/imports";
import { buildZip } from "../helpers/zip";

const GOOD = readFileSync(path.join(FIXTURES, "chatgpt", "conversations-2025.json"));
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]), Buffer.alloc(512, 0x17)]);

/** An export whose prompts appear nowhere else, so a test can tell whether any of them was written. */
function exportOf(tag: string, conversations = 2) {
  return chatGptExport(
    Array.from({ length: conversations }, (_, c) => ({
      id: `${tag}-${c}`,
      title: `${tag} ${c}`,
      createTime: 1_720_000_000 + c * 3600,
      prompts: [`${tag} prompt ${c}.1 about something specific`, `${tag} prompt ${c}.2 asking a follow-up`],
    })),
  );
}

describe("import: bad input", () => {
  afterAll(removeTemporaryDirs);
  const db = useTestDatabase();

  it("fails each bad file with a message for a person, writes nothing for it, and still imports the good files", async () => {
    const user = await createUser(db());
    const service = new ImportService(db(), user.id, tempStorage());

    // Corrupt JSON in the second conversation's user message (a trailing comma): the message names the file
    // and the item's byte offset.
    const first = JSON.stringify(chatGptConversation({ id: "corrupt-0", title: "Fine", createTime: 1_720_000_000, prompts: ["corrupt file prompt that must not be imported"] }));
    const second = JSON.stringify(chatGptConversation({ id: "corrupt-1", title: "Broken", createTime: 1_720_003_600, prompts: ["another one"] })).replace('["another one"]', '["another one",]');
    expect(second).toContain('["another one",]');
    const corrupt = `[${first},${second}]`;
    const corruptOffset = Buffer.byteLength(`[${first},`);

    const truncatedExport = exportOf("truncated", 6);
    const bomb = buildZip([{ name: "conversations.json", data: Buffer.alloc(50 * 1024 * 1024) }]);
    expect(bomb.length).toBeLessThan(200 * 1024);

    const session = await runImport(service, [
      { name: "conversations.json", data: GOOD },
      { name: "photo.json", data: PNG },
      { name: "broken.json", data: corrupt },
      { name: "truncated.json", data: truncatedExport.slice(0, Math.floor(truncatedExport.length * 0.7)) },
      { name: "truncated.zip", data: buildZip([{ name: "conversations.json", data: exportOf("truncated-zip") }]).subarray(0, 200) },
      { name: "notes.txt", data: Buffer.from("R\xe9sume ce texte en fran\xe7ais.\n\nTraduis ce paragraphe.\n", "latin1") },
      { name: "evil.zip", data: buildZip([{ name: "conversations.json", data: exportOf("evil") }, { name: "../evil.json", data: "[]" }]) },
      { name: "bomb.zip", data: bomb },
      { name: "lying.zip", data: buildZip([{ name: "conversations.json", data: exportOf("lying"), declaredSize: 40 }]) },
      { name: "tail.csv", data: "prompt\nSummarise this\n" },
    ]);

    const byName = Object.fromEntries(session.files.map((f) => [f.fileName, f]));
    const accepted = PARSERS.map((p) => p.label).join("; ");
    const failures: Record<string, { message: string; offset?: number; entry?: string }> = {
      "photo.json": { message: `photo.json: this file does not look like a chat export PromptVault can read. Accepted: ${accepted}.`, entry: "photo.json" },
      "broken.json": { message: `broken.json: invalid JSON in the item starting at byte ${corruptOffset}.`, offset: corruptOffset, entry: "broken.json" },
      "truncated.json": expect.objectContaining({ message: expect.stringMatching(/^truncated\.json: the file ends .*\(is it truncated\?\) at byte \d+\.$/), entry: "truncated.json" }),
      "truncated.zip": { message: "truncated.zip: this is not a readable zip file (is the download complete?).", entry: "truncated.zip" },
      // The offset is the byte that breaks the sequence (core/text.ts): the "s" after the Latin-1 "é".
      "notes.txt": { message: "notes.txt: the text is not valid UTF-8 (first bad byte at offset 2); save the file as UTF-8 and import it again.", offset: 2, entry: "notes.txt" },
      "evil.zip": { message: "evil.zip: refused — the zip contains an unsafe path (../evil.json).", entry: "evil.zip" },
      "bomb.zip": { message: expect.stringMatching(/^bomb\.zip: refused — conversations\.json is compressed \d+:1, which looks like a zip bomb\.$/), entry: "bomb.zip" } as never,
      "lying.zip": { message: "conversations.json: this zip entry is damaged (it does not unpack to its declared size or checksum).", entry: "conversations.json" },
    };
    for (const [name, error] of Object.entries(failures)) {
      expect(byName[name], name).toMatchObject({ status: "failed", imported: 0, duplicates: 0, processed: 0 });
      expect(byName[name]!.errors, name).toEqual([error]);
    }
    expect(byName["truncated.json"]!.errors[0]!.offset).toBeGreaterThan(0);
    expect(byName["truncated.json"]!.errors[0]!.offset).toBeLessThanOrEqual(Buffer.byteLength(truncatedExport) * 0.7);
    // The file's first conversations were valid and read before the damage: still nothing of them is written.
    expect(byName["truncated.json"]!.promptsFound).toBe(0);

    expect(byName["conversations.json"]).toMatchObject({ status: "succeeded", source: "chatgpt", promptsFound: 5, imported: 5, errors: [] });
    expect(byName["tail.csv"]).toMatchObject({ status: "succeeded", source: "generic", promptsFound: 1, imported: 1, errors: [] });
    // Some files failed, some went in: the session succeeded, and says how many failed.
    expect(session.status).toBe("succeeded");
    expect(session.totals).toMatchObject({ files: 10, failed: 8, imported: 6 });

    // Nothing but the good files' prompts is in the library.
    const library = await db().select({ body: prompts.body }).from(prompts).where(eq(prompts.userId, user.id));
    expect(library).toHaveLength(6);
    expect(library.map((p) => p.body).filter((b) => /corrupt|truncated|evil|lying|another one/.test(b))).toEqual([]);
    const failedIds = session.files.filter((f) => f.status === "failed").map((f) => f.id);
    expect(await db().$count(promptOccurrences, inArray(promptOccurrences.importFileId, failedIds))).toBe(0);
  });

  it("fails the session when no file can be imported", async () => {
    const user = await createUser(db());
    const service = new ImportService(db(), user.id, tempStorage());
    const session = await runImport(service, [
      { name: "junk.bin", data: Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) & 0xff)) },
      { name: "photo.json", data: PNG },
    ]);
    expect(session).toMatchObject({ status: "failed", error: "No file could be imported.", totals: { failed: 2, imported: 0 } });
    expect(session.files[0]!.errors[0]!.message).toMatch(/^junk\.bin: this file does not look like a chat export PromptVault can read\. Accepted: ChatGPT data export/);
    expect(await db().$count(prompts, eq(prompts.userId, user.id))).toBe(0);
  });

  it("refuses empty files when the session is created and when the upload is empty", async () => {
    const user = await createUser(db());
    const storage = tempStorage();
    const service = new ImportService(db(), user.id, storage);
    await expect(service.createSession({ files: [{ name: "empty.json", size: 0 }] })).rejects.toMatchObject({ code: "invalid", message: "empty.json is empty." });

    const { uploads, ...session } = await service.createSession({ files: [{ name: "conversations.json", size: 120 }] });
    await expect(service.receiveUpload(session.id, uploads[0]!.fileId, [])).rejects.toMatchObject({ code: "invalid", message: "conversations.json is empty." });
    const [row] = await db().select().from(importFiles).where(eq(importFiles.id, uploads[0]!.fileId));
    expect(row).toMatchObject({ status: "pending", storageKey: null });
    const key = storageKey(user.id, session.id, uploads[0]!.fileId, "conversations.json");
    expect(existsSync(path.join((storage as unknown as { root: string }).root, key))).toBe(false);
    // Nothing uploaded: nothing to start.
    await expect(service.start(session.id)).rejects.toMatchObject({ code: "invalid" });
  });

  it("refuses zips with too many entries or too much declared data (limits checked before anything is read)", async () => {
    const dir = tempDir("pv-zip-limits-");
    const many = path.join(dir, "many.zip");
    writeFileSync(many, buildZip(Array.from({ length: 6 }, (_, i) => ({ name: `tasks/${i}/ui_messages.json`, data: "[]" }))));
    const tooMany = await openZip(many, "many.zip", { maxEntries: 5, maxTotalBytes: 1024 ** 3, maxRatio: 400 }).catch((e: unknown) => e);
    expect(tooMany).toBeInstanceOf(ImportFormatError);
    expect(tooMany).toMatchObject({ message: "many.zip: the zip has 6 entries, more than the 5 accepted.", entry: "many.zip" });
    const opened = await openZip(many, "many.zip", { maxEntries: 6, maxTotalBytes: 1024 ** 3, maxRatio: 400 });
    expect(opened.entries.map((e) => e.name)).toHaveLength(6);
    await opened.close();

    const huge = path.join(dir, "huge.zip");
    writeFileSync(huge, buildZip([{ name: "conversations.json", data: "[]", declaredSize: 1.5 * 1024 ** 3 }]));
    const refused = await openZip(huge, "huge.zip", { maxEntries: 100, maxTotalBytes: 1024 ** 3, maxRatio: 400 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ImportFormatError);
    expect((refused as ImportFormatError).message).toBe("huge.zip: refused — it would unpack to more than 1 GB.");
  });

  it("refuses an unknown parser override (422), and an override fixes a wrong guess", async () => {
    const user = await createUser(db());
    const res = await call(importsRoute.POST, "POST", "/api/imports", { cookie: user.cookie, body: { files: [{ name: "prompts.csv", size: 10, parser: "not-a-parser" }] } });
    expect(res.status).toBe(422);
    expect(res.json.error).toMatchObject({ code: "invalid", message: 'Unknown format "not-a-parser".' });
    expect(await db().$count(importFiles, eq(importFiles.userId, user.id))).toBe(0);

    // A CSV saved as .txt: detection reads it as plain text (the wrong guess)…
    const csv = readFileSync(path.join(FIXTURES, "generic", "prompts.csv"));
    const service = new ImportService(db(), user.id, tempStorage());
    const guessed = await runImport(service, [{ name: "prompts.txt", data: csv }]);
    expect(guessed.files[0]).toMatchObject({ status: "succeeded", parser: "generic-text", parserOverride: null });
    expect(guessed.files[0]!.promptsFound).not.toBe(4);

    // …and the person's choice reads it as CSV: one prompt per row, titled by the `act` column.
    const other = await createUser(db());
    const fixed = await runImport(new ImportService(db(), other.id, tempStorage()), [{ name: "prompts.txt", data: csv, parser: "generic-csv" }]);
    expect(fixed.files[0]).toMatchObject({ status: "succeeded", source: "generic", parser: "generic-csv", parserOverride: "generic-csv", promptsFound: 4, imported: 4, skipped: 1 });
    const titles = (await db().select({ t: prompts.sourceDetail }).from(prompts).where(eq(prompts.userId, other.id))).map((r) => r.t.conversationTitle).sort();
    expect(titles).toEqual(["Ethereum Developer", "Linux Terminal", "Quote Machine", "Unicode"]);
  });
});

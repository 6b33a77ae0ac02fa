import { writeFileSync } from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { promptOccurrences, prompts } from "../../src/server/db/schema";
import { extractFile, type StagedPrompt } from "../../src/server/services/imports/extract";
import { ImportWriter } from "../../src/server/services/imports/writer";
import { chatGptExport, syntheticChatGptExport } from "../helpers/chatgpt-export";
import { useTestDatabase } from "../helpers/db";
import { createUser } from "../helpers/factories";
import { librarySnapshot, removeTemporaryDirs, tempDir } from "../helpers/imports";

// The writer finds near-duplicate candidates among its own signatures in memory while the user's library had
// none when it started, and in the signatures index otherwise (or once memory's budget is spent). These tests
// hold the two to the same decisions.
describe("import near-duplicate candidates: memory and index", () => {
  afterAll(removeTemporaryDirs);
  const db = useTestDatabase();

  async function staged(json: string): Promise<StagedPrompt[]> {
    const file = path.join(tempDir("near-source-"), "conversations.json");
    writeFileSync(file, json);
    const out: StagedPrompt[] = [];
    await extractFile({ path: file, fileName: "conversations.json", onPrompt: (p) => void out.push(p) });
    return out;
  }

  async function write(userId: string, items: StagedPrompt[], batchSize: number, ownSignaturesInMemory?: number) {
    const writer = new ImportWriter(db(), userId, { sessionId: null, fileId: null, fileName: "conversations.json" }, ownSignaturesInMemory);
    const sources: string[] = [];
    for (let i = 0; i < items.length; i += batchSize) {
      await writer.writeBatch(items.slice(i, i + batchSize));
      sources.push(writer.nearDuplicateSource!);
    }
    return sources;
  }

  it("decides alike from memory, from the index, and when memory's budget runs out mid-file", async () => {
    const synthetic = syntheticChatGptExport({ prompts: 1500, seed: 23 });
    expect(synthetic.nearCopies).toBeGreaterThan(30);
    const items = await staged(synthetic.json);
    const [memory, index, switched] = await Promise.all([createUser(db(), { plan: "pro" }), createUser(db(), { plan: "pro" }), createUser(db(), { plan: "pro" })]);

    // Batches of 250: near copies land in later batches than their originals.
    expect(new Set(await write(memory.id, items, 250))).toEqual(new Set(["memory"]));
    expect(new Set(await write(index.id, items, 250, 0))).toEqual(new Set(["database"]));
    const sources = await write(switched.id, items, 250, 400);
    expect(sources[0]).toBe("memory");
    expect(sources.at(-1)).toBe("database");

    const expected = await librarySnapshot(db(), index.id);
    expect(expected.prompts.filter((p) => p.occurrences.some((o) => o.variantText !== null)).length).toBeGreaterThan(30);
    expect(await librarySnapshot(db(), memory.id)).toEqual(expected);
    expect(await librarySnapshot(db(), switched.id)).toEqual(expected);

    // A second file for the same user: the library has signatures now, so the index is used, and the copies
    // are found there (everything folds; nothing new).
    const again = new ImportWriter(db(), memory.id, { sessionId: null, fileId: null, fileName: "again.json" });
    const renamed = items.map((p) => ({ ...p, conversationId: `again-${p.conversationId}` }));
    const result = await again.writeBatch(renamed.slice(0, 400));
    expect(again.nearDuplicateSource).toBe("database");
    expect(result).toMatchObject({ created: 0, folded: 400 });
  });

  it("a prompt purged mid-import is no longer a candidate: its near copy becomes a prompt of its own", async () => {
    const LONG =
      "Summarise the attached quarterly report for the board in five bullet points, keeping every figure exact, flagging any risk that changed since the last quarter, naming the owner of each open action, and ending with one sentence on what the board should decide at its next meeting and why it matters now.";
    const EDITED = LONG.replace("five bullet points", "six bullet points");
    const items = await staged(
      chatGptExport([
        { id: "c-1", title: "Report", createTime: 1_717_000_000, prompts: [LONG] },
        { id: "c-2", title: "Report again", createTime: 1_717_100_000, prompts: [EDITED] },
      ]),
    );
    const user = await createUser(db());
    const writer = new ImportWriter(db(), user.id, { sessionId: null, fileId: null, fileName: "conversations.json" });
    expect(await writer.writeBatch(items.slice(0, 1))).toMatchObject({ created: 1 });
    expect(writer.nearDuplicateSource).toBe("memory");
    await db().delete(prompts).where(eq(prompts.userId, user.id));

    expect(await writer.writeBatch(items.slice(1))).toMatchObject({ created: 1, folded: 0 });
    const [left] = await db().select().from(prompts).where(eq(prompts.userId, user.id));
    expect(left).toMatchObject({ body: EDITED, useCount: 1 });
    const occurrences = await db().select().from(promptOccurrences).where(eq(promptOccurrences.userId, user.id));
    expect(occurrences).toMatchObject([{ promptId: left!.id, isFirst: true, variantText: null }]);
  });
});

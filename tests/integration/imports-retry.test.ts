import { eq, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import * as importRoute from "../../src/app/api/imports/[id]/route";
import { importFiles, importSessions } from "../../src/server/db/schema";
import { extractFile, type StagedPrompt } from "../../src/server/services/imports/extract";
import { ImportService } from "../../src/server/services/imports/import-service";
import { BATCH_SIZE, ImportWriter } from "../../src/server/services/imports/writer";
import { syntheticChatGptExport } from "../helpers/chatgpt-export";
import { useTestDatabase } from "../helpers/db";
import { createUser } from "../helpers/factories";
import { call } from "../helpers/http";
import { appStorage, librarySnapshot, removeTemporaryDirs, runImport, uploadSession } from "../helpers/imports";

describe("import kill-and-retry", () => {
  afterAll(removeTemporaryDirs);
  const db = useTestDatabase();

  it("an import killed halfway and started again ends in exactly the library one clean run gives", async () => {
    // Enough for three writer batches, with exact and near copies spread over all of them.
    const PROMPTS = Math.round(2.6 * BATCH_SIZE);
    const synthetic = syntheticChatGptExport({ prompts: PROMPTS, seed: 11 });
    expect(synthetic.prompts).toBeGreaterThan(2 * BATCH_SIZE);
    expect(synthetic.exactCopies).toBeGreaterThan(50);
    expect(synthetic.nearCopies).toBeGreaterThan(50);
    const file = { name: "conversations.json", data: synthetic.json };
    const storage = appStorage();
    // A plan whose library holds an export of this size.
    const crashed = await createUser(db(), { plan: "pro" });
    const service = new ImportService(db(), crashed.id, storage);
    const { session, uploads } = await uploadSession(service, [file]);
    const fileId = uploads[0]!.fileId;
    await service.start(session.id);

    // What the worker does for this file until it is killed: the file is marked processing, phase 1 reads
    // everything, phase 2 commits the first two batches (each its own transaction), then the process dies.
    await db().update(importFiles).set({ status: "processing", startedAt: sql`now()` }).where(eq(importFiles.id, fileId));
    const [row] = await db().select().from(importFiles).where(eq(importFiles.id, fileId));
    const copy = await storage.localCopy(row!.storageKey!);
    const staged: StagedPrompt[] = [];
    const stats = await extractFile({ path: copy.path, fileName: file.name, onPrompt: (p) => void staged.push(p) });
    await copy.release();
    expect(stats).toMatchObject({ source: "chatgpt", prompts: PROMPTS, conversations: synthetic.conversations });
    const writer = new ImportWriter(db(), crashed.id, { sessionId: session.id, fileId, fileName: file.name });
    await writer.writeBatch(staged.slice(0, BATCH_SIZE));
    await writer.writeBatch(staged.slice(BATCH_SIZE, 2 * BATCH_SIZE));
    await db().update(importFiles).set({ processed: 2 * BATCH_SIZE }).where(eq(importFiles.id, fileId));
    await db().update(importSessions).set({ heartbeatAt: sql`now()` }).where(eq(importSessions.id, session.id));

    const partial = await librarySnapshot(db(), crashed.id);
    expect(partial.occurrenceCount).toBe(2 * BATCH_SIZE);

    // Right after the crash the session still looks alive: starting it again is refused.
    let view = await service.get(session.id);
    expect(view).toMatchObject({ status: "running", interrupted: false });
    expect(view.files[0]).toMatchObject({ status: "processing", processed: 2 * BATCH_SIZE });
    await expect(service.start(session.id)).rejects.toMatchObject({ code: "conflict" });

    // Ten minutes without a heartbeat: the session is reported as interrupted (service and route).
    await db()
      .update(importSessions)
      .set({ heartbeatAt: sql`now() - interval '10 minutes'` })
      .where(eq(importSessions.id, session.id));
    view = await service.get(session.id);
    expect(view).toMatchObject({ status: "running", interrupted: true });
    const shown = await call(importRoute.GET, "GET", `/api/imports/${session.id}`, { cookie: crashed.cookie, params: { id: session.id } });
    expect(shown.status).toBe(200);
    expect(shown.json).toMatchObject({ id: session.id, status: "running", interrupted: true });

    // Retry.
    const restarted = await service.start(session.id);
    expect(restarted).toMatchObject({ status: "running", interrupted: false });
    const retried = await service.process(session.id);
    expect(retried.status).toBe("succeeded");

    // One clean run of the same export, for another user.
    const cleanUser = await createUser(db(), { plan: "pro" });
    const clean = await runImport(new ImportService(db(), cleanUser.id, storage), [file]);
    expect(clean.status).toBe("succeeded");

    const counts = (v: typeof clean) => v.files.map((f) => ({ status: f.status, conversations: f.conversations, promptsFound: f.promptsFound, processed: f.processed, imported: f.imported, duplicates: f.duplicates, skipped: f.skipped }));
    expect(counts(retried)).toEqual(counts(clean));
    expect(retried.files[0]).toMatchObject({ promptsFound: PROMPTS, processed: PROMPTS });
    expect(clean.files[0]!.duplicates).toBeGreaterThanOrEqual(synthetic.exactCopies);

    const after = await librarySnapshot(db(), crashed.id);
    const expected = await librarySnapshot(db(), cleanUser.id);
    expect(after.occurrenceCount).toBe(PROMPTS);
    expect(after.prompts.length).toBe(clean.files[0]!.imported);
    // Near-duplicates were folded, across batch boundaries too.
    expect(after.prompts.filter((p) => p.occurrences.some((o) => o.variantText !== null)).length).toBeGreaterThan(10);
    expect(after.prompts.every((p) => p.useCount === p.occurrences.length && p.versions.length === 1)).toBe(true);
    expect(after).toEqual(expected);
    // Three imports of 2.6 batches (5,200 prompts): several seconds alone, much more on a shared 2-core machine.
  }, 120_000);
});

import path from "node:path";
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { hashToken, newSessionToken } from "../../auth/tokens";
import { z } from "zod";
import type { Database } from "../../db/client";
import { importFiles, importSessions, promptOccurrences, users, type ImportFileError } from "../../db/schema";
import { ServiceError, notFound } from "../../errors";
import { fileEntry } from "../../importers/core/entries";
import { companionNames, companionOf } from "../../importers/plan";
import { PARSERS } from "../../importers/registry";
import { ImportFormatError, type ImportEntry } from "../../importers/types";
import { getFileStorage, StorageLimitError, type FileStorage } from "../../storage";
import { limitsOf } from "../../plans";
import { AutoTagService } from "../auto-tag-service";
import { PlanLimiter } from "../plan-limiter";
import { parseInput, requireId } from "../input";
import { extractFile, ImportCancelled, StagingFile, type StagedPrompt } from "./extract";
import { BATCH_SIZE, ImportWriter } from "./writer";

/** The largest file accepted (a ChatGPT export of many years is a few hundred MB). */
export const MAX_IMPORT_FILE_BYTES = 2 * 1024 ** 3;
/** A running session whose worker has not written for this long was interrupted (server restart). */
export const STALE_AFTER_MS = 2 * 60 * 1000;

const createSessionSchema = z.object({
  files: z
    .array(
      z.object({
        name: z.string().trim().min(1).max(255),
        size: z.number().int().min(0),
        parser: z.string().max(40).optional(),
      }),
    )
    .min(1, "add at least one file")
    .max(50),
  autoTag: z.boolean().default(false),
});

export type ImportFileView = {
  id: string;
  fileName: string;
  bytes: number;
  status: string;
  source: string | null;
  parser: string | null;
  parserOverride: string | null;
  bytesRead: number;
  conversations: number;
  promptsFound: number;
  processed: number;
  imported: number;
  duplicates: number;
  skipped: number;
  /** Prompts not imported because the plan's prompt limit was reached (import the file again after upgrading). */
  overLimit: number;
  skipReasons: Record<string, number>;
  ignored: { name: string; reason: string }[];
  errors: ImportFileError[];
  stored: boolean;
};

export type ImportSessionView = {
  id: string;
  status: string;
  autoTag: boolean;
  interrupted: boolean;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  files: ImportFileView[];
  totals: { files: number; conversations: number; promptsFound: number; imported: number; duplicates: number; skipped: number; overLimit: number; failed: number };
};

/**
 * History imports: a session of files, each uploaded to storage, then processed in two phases (extract
 * everything, then write in batches). Owns every write the importer makes.
 */
export class ImportService {
  constructor(
    private readonly db: Database,
    private readonly userId: string,
    private readonly storage: FileStorage = getFileStorage(),
  ) {}

  /** Creates a session and one upload token per file (returned once, only its hash is stored). */
  async createSession(rawInput: unknown): Promise<ImportSessionView & { uploads: { fileId: string; token: string }[] }> {
    const input = parseInput(createSessionSchema, rawInput);
    const maxBytes = await this.maxFileBytes();
    for (const file of input.files) {
      if (file.size > maxBytes) throw tooLarge(file.name, maxBytes);
      if (file.size === 0) throw new ServiceError("invalid", `${file.name} is empty.`);
      if (file.parser && !PARSERS.some((p) => p.id === file.parser)) throw new ServiceError("invalid", `Unknown format "${file.parser}".`);
    }
    const tokens = input.files.map(() => newSessionToken());
    const { sessionId, fileIds } = await this.db.transaction(async (tx) => {
      await new PlanLimiter(tx, this.userId).assert("importsPerMonth", 1);
      const [session] = await tx.insert(importSessions).values({ userId: this.userId, status: "queued", autoTag: input.autoTag }).returning({ id: importSessions.id });
      const files = await tx
        .insert(importFiles)
        .values(
          input.files.map((f, i) => ({
            sessionId: session!.id,
            userId: this.userId,
            fileName: f.name,
            bytes: f.size,
            parserOverride: f.parser ?? null,
            status: "pending",
            uploadTokenHash: hashToken(tokens[i]!),
          })),
        )
        .returning({ id: importFiles.id });
      return { sessionId: session!.id, fileIds: files.map((f) => f.id) };
    });
    return { ...(await this.get(sessionId)), uploads: fileIds.map((fileId, i) => ({ fileId, token: tokens[i]! })) };
  }

  /** The service acting for the owner of an upload token (the upload route has no session). */
  static async forUploadToken(db: Database, rawFileId: string, token: string | null, storage?: FileStorage): Promise<{ service: ImportService; sessionId: string; fileId: string }> {
    const fileId = requireId(rawFileId, "Upload");
    if (!token) throw new ServiceError("unauthorized", "This upload link is missing its token.");
    const [file] = await db
      .select({ userId: importFiles.userId, sessionId: importFiles.sessionId })
      .from(importFiles)
      .where(and(eq(importFiles.id, fileId), eq(importFiles.uploadTokenHash, hashToken(token))));
    if (!file) throw notFound("Upload");
    return { service: new ImportService(db, file.userId, storage), sessionId: file.sessionId, fileId };
  }

  /** Stores one file's bytes (local storage: the browser streams them to our route). */
  async receiveUpload(rawSessionId: string, rawFileId: string, body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<ImportFileView> {
    const file = await this.ownedFile(rawSessionId, rawFileId);
    if (file.status !== "pending" && file.status !== "uploaded") throw new ServiceError("conflict", `${file.fileName} has already been processed.`);
    const key = storageKey(this.userId, file.sessionId, file.id, file.fileName);
    let bytes: number;
    const maxBytes = await this.maxFileBytes();
    try {
      ({ bytes } = await this.storage.put(key, body, { maxBytes }));
    } catch (error) {
      if (error instanceof StorageLimitError) throw tooLarge(file.fileName, maxBytes);
      throw error;
    }
    if (bytes === 0) {
      await this.storage.delete(key);
      throw new ServiceError("invalid", `${file.fileName} is empty.`);
    }
    await this.db
      .update(importFiles)
      .set({ storageKey: key, bytes, status: "uploaded" })
      .where(and(eq(importFiles.id, file.id), eq(importFiles.userId, this.userId)));
    return (await this.get(file.sessionId)).files.find((f) => f.id === file.id)!;
  }

  /** Records a file the browser uploaded straight to Blob storage under the key we issued (its size is read back from storage). */
  async confirmBlobUpload(rawSessionId: string, rawFileId: string): Promise<void> {
    const file = await this.ownedFile(rawSessionId, rawFileId);
    const key = storageKey(this.userId, file.sessionId, file.id, file.fileName);
    const bytes = await this.storage.size(key);
    if (!bytes) throw new ServiceError("invalid", `${file.fileName} was not uploaded (or is empty); upload it again.`);
    const maxBytes = await this.maxFileBytes();
    if (bytes > maxBytes) {
      await this.storage.delete(key);
      throw tooLarge(file.fileName, maxBytes);
    }
    await this.db
      .update(importFiles)
      .set({ storageKey: key, bytes, status: "uploaded" })
      .where(and(eq(importFiles.id, file.id), eq(importFiles.userId, this.userId), eq(importFiles.status, "pending")));
  }

  /** The storage key a browser may upload this file to (Blob client uploads). */
  async uploadKey(rawSessionId: string, rawFileId: string): Promise<{ key: string; maxBytes: number }> {
    const file = await this.ownedFile(rawSessionId, rawFileId);
    if (file.status !== "pending") throw new ServiceError("conflict", `${file.fileName} has already been uploaded.`);
    // The token allows the size the browser declared for this file, within the plan's limit: Blob refuses more.
    const maxBytes = Math.min(await this.maxFileBytes(), file.bytes > 0 ? file.bytes : MAX_IMPORT_FILE_BYTES);
    return { key: storageKey(this.userId, file.sessionId, file.id, file.fileName), maxBytes };
  }

  async get(rawSessionId: string): Promise<ImportSessionView> {
    const id = requireId(rawSessionId, "Import");
    const [session] = await this.db
      .select()
      .from(importSessions)
      .where(and(eq(importSessions.id, id), eq(importSessions.userId, this.userId)));
    if (!session) throw notFound("Import");
    const files = await this.db.select().from(importFiles).where(eq(importFiles.sessionId, id)).orderBy(asc(importFiles.createdAt), asc(importFiles.fileName));
    const views: ImportFileView[] = files.map((f) => ({
      id: f.id,
      fileName: f.fileName,
      bytes: f.bytes,
      status: f.status,
      source: f.source,
      parser: f.parser,
      parserOverride: f.parserOverride,
      bytesRead: f.bytesRead,
      conversations: f.conversations,
      promptsFound: f.promptsFound,
      processed: f.processed,
      imported: f.imported,
      duplicates: f.duplicates,
      skipped: f.skipped,
      overLimit: f.overLimit,
      skipReasons: f.skipReasons,
      ignored: f.ignored,
      errors: f.errors,
      stored: Boolean(f.storageKey),
    }));
    const sum = (k: "conversations" | "promptsFound" | "imported" | "duplicates" | "skipped" | "overLimit") => views.reduce((n, f) => n + f[k], 0);
    const heartbeat = session.heartbeatAt ?? session.startedAt;
    return {
      id: session.id,
      status: session.status,
      autoTag: session.autoTag,
      interrupted: session.status === "running" && (!heartbeat || Date.now() - heartbeat.getTime() > STALE_AFTER_MS),
      error: session.error,
      createdAt: session.createdAt,
      startedAt: session.startedAt,
      finishedAt: session.finishedAt,
      files: views,
      totals: {
        files: views.length,
        conversations: sum("conversations"),
        promptsFound: sum("promptsFound"),
        imported: sum("imported"),
        duplicates: sum("duplicates"),
        skipped: sum("skipped"),
        overLimit: sum("overLimit"),
        failed: views.filter((f) => f.status === "failed").length,
      },
    };
  }

  async list(limit = 20): Promise<ImportSessionView[]> {
    const rows = await this.db
      .select({ id: importSessions.id })
      .from(importSessions)
      .where(eq(importSessions.userId, this.userId))
      .orderBy(desc(importSessions.createdAt))
      .limit(limit);
    return Promise.all(rows.map((r) => this.get(r.id)));
  }

  /**
   * Marks the session running (or re-running after an interruption). The caller then runs `process`, in
   * the background for the web app, in the foreground for the CLI.
   */
  async start(rawSessionId: string): Promise<ImportSessionView> {
    const session = await this.get(rawSessionId);
    if (session.status === "running" && !session.interrupted) throw new ServiceError("conflict", "This import is already running.");
    if (session.files.every((f) => f.status === "succeeded" || f.status === "pending")) {
      if (session.status === "succeeded") return session;
    }
    if (session.files.every((f) => f.status === "pending")) throw new ServiceError("invalid", "Upload at least one file before starting the import.");
    // Starting again retries what did not finish: failed or cancelled files whose upload is stored.
    await this.db
      .update(importFiles)
      .set({ status: "uploaded", errors: [] })
      .where(and(eq(importFiles.sessionId, session.id), inArray(importFiles.status, ["failed", "cancelled"]), sql`${importFiles.storageKey} is not null`));
    await this.db
      .update(importSessions)
      .set({ status: "running", startedAt: sql`coalesce(${importSessions.startedAt}, now())`, heartbeatAt: sql`now()`, finishedAt: null, error: null })
      .where(and(eq(importSessions.id, session.id), eq(importSessions.userId, this.userId)));
    return this.get(session.id);
  }

  async cancel(rawSessionId: string): Promise<ImportSessionView> {
    const session = await this.get(rawSessionId);
    if (session.status === "succeeded" || session.status === "failed") throw new ServiceError("conflict", "This import has already finished.");
    await this.db
      .update(importSessions)
      .set({ status: "cancelled", finishedAt: sql`now()` })
      .where(and(eq(importSessions.id, session.id), eq(importSessions.userId, this.userId)));
    await this.db
      .update(importFiles)
      .set({ status: "cancelled" })
      .where(and(eq(importFiles.sessionId, session.id), inArray(importFiles.status, ["pending", "uploaded", "processing"])));
    return this.get(session.id);
  }

  /** Processes every file that is uploaded and not done yet. Safe to call again after a crash. */
  async process(rawSessionId: string): Promise<ImportSessionView> {
    const session = await this.get(rawSessionId);
    for (const file of session.files) {
      if (file.status !== "uploaded" && file.status !== "processing") continue;
      if (await this.cancelled(session.id)) break;
      await this.processFile(session.id, file);
    }
    const after = await this.get(session.id);
    if (after.status === "running") {
      const done = after.files.filter((f) => f.status !== "pending");
      const status = done.length > 0 && done.every((f) => f.status === "failed") ? "failed" : "succeeded";
      await this.db
        .update(importSessions)
        .set({ status, finishedAt: sql`now()`, error: status === "failed" ? "No file could be imported." : null })
        .where(eq(importSessions.id, session.id));
    }
    return this.get(session.id);
  }

  private async processFile(sessionId: string, file: ImportFileView): Promise<void> {
    const [row] = await this.db.select().from(importFiles).where(eq(importFiles.id, file.id));
    if (!row?.storageKey) return;
    await this.db
      .update(importFiles)
      .set({ status: "processing", startedAt: sql`now()`, errors: [], bytesRead: 0, overLimit: 0 })
      .where(eq(importFiles.id, file.id));
    const copy = await this.storage.localCopy(row.storageKey);
    const staging = await StagingFile.create();
    let mates: { entries: ImportEntry[]; release(): Promise<void> } = { entries: [], release: async () => {} };
    try {
      mates = await this.folderMates(sessionId, file);
      // A file that belongs to another of its folder (a Cline task's metadata next to its messages) is read
      // with that one, not imported on its own.
      const owner = file.parserOverride ? undefined : await companionOf(file.fileName, mates.entries, PARSERS);
      if (owner) {
        await this.db
          .update(importFiles)
          .set({ status: "succeeded", ignored: [{ name: file.fileName, reason: `read with ${owner} from the same folder` }], finishedAt: sql`now()` })
          .where(eq(importFiles.id, file.id));
        return;
      }
      // Phase 1: read the whole file; a corrupt file fails here, before anything is written.
      const stats = await extractFile({
        path: copy.path,
        fileName: file.fileName,
        override: file.parserOverride,
        siblings: mates.entries,
        onPrompt: (prompt) => staging.write(prompt),
        onProgress: async (bytesRead) => {
          await this.db.update(importFiles).set({ bytesRead }).where(eq(importFiles.id, file.id));
          await this.heartbeat(sessionId);
          if (await this.cancelled(sessionId)) throw new ImportCancelled();
        },
      });
      await staging.finish();
      await this.db
        .update(importFiles)
        .set({
          source: stats.source,
          parser: stats.parser,
          conversations: stats.conversations,
          promptsFound: stats.prompts,
          skipped: stats.skipped,
          skipReasons: stats.skipReasons,
          ignored: stats.ignored.slice(0, 200),
        })
        .where(eq(importFiles.id, file.id));

      // Phase 2: write in batches; each batch is a transaction, and re-running one changes nothing.
      const writer = new ImportWriter(this.db, this.userId, { sessionId, fileId: file.id, fileName: file.fileName });
      let batch: StagedPrompt[] = [];
      let processed = 0;
      let overLimit = 0;
      const flush = async () => {
        if (batch.length === 0) return;
        overLimit += (await writer.writeBatch(batch)).overLimit;
        processed += batch.length;
        batch = [];
        await this.db.update(importFiles).set({ processed }).where(eq(importFiles.id, file.id));
        await this.heartbeat(sessionId);
        if (await this.cancelled(sessionId)) throw new ImportCancelled();
      };
      for await (const prompt of staging.read()) {
        batch.push(prompt);
        if (batch.length >= BATCH_SIZE) await flush();
      }
      await flush();

      // Counts come from what is stored for this file, so a retried file reports the same as a clean run.
      const [counts] = await this.db
        .select({ imported: sql<number>`count(*) filter (where ${promptOccurrences.isFirst})::int`, total: sql<number>`count(*)::int` })
        .from(promptOccurrences)
        .where(eq(promptOccurrences.importFileId, file.id));
      const [session] = await this.db.select({ autoTag: importSessions.autoTag }).from(importSessions).where(eq(importSessions.id, sessionId));
      if (session?.autoTag) await new AutoTagService(this.db, this.userId).tagImportedFile(file.id);
      await this.db
        .update(importFiles)
        .set({ status: "succeeded", imported: counts!.imported, duplicates: stats.prompts - counts!.imported - overLimit, overLimit, finishedAt: sql`now()` })
        .where(eq(importFiles.id, file.id));
    } catch (error) {
      if (error instanceof ImportCancelled) {
        await this.db.update(importFiles).set({ status: "cancelled", finishedAt: sql`now()` }).where(eq(importFiles.id, file.id));
        return;
      }
      const message =
        error instanceof ImportFormatError ? { message: error.message, ...(error.offset !== undefined && { offset: error.offset }), ...(error.entry && { entry: error.entry }) } : undefined;
      if (!message) console.error(`[import] ${file.fileName} failed`, error);
      await this.db
        .update(importFiles)
        .set({ status: "failed", errors: [message ?? { message: `${file.fileName}: the import failed on our side; try again (the error was logged).` }], finishedAt: sql`now()` })
        .where(eq(importFiles.id, file.id));
    } finally {
      await staging.dispose();
      await copy.release();
      await mates.release();
    }
  }

  /**
   * The other stored files of the session in this file's folder that matter to it (a dropped folder's files keep
   * their folder path in their names), as entries named by base name; none for a file outside any folder. Only
   * companions (see Parser.companions) are opened — all of the folder only for a file that may be one — so a
   * folder of hundreds of independent files (SpecStory's history) costs no file a look at every other.
   */
  private async folderMates(sessionId: string, file: ImportFileView): Promise<{ entries: ImportEntry[]; release(): Promise<void> }> {
    const dir = path.posix.dirname(file.fileName);
    const copies: { release(): Promise<void> }[] = [];
    const release = async () => {
      for (const copy of copies) await copy.release();
    };
    if (dir === ".") return { entries: [], release };
    const rows = await this.db
      .select({ fileName: importFiles.fileName, storageKey: importFiles.storageKey })
      .from(importFiles)
      .where(and(eq(importFiles.sessionId, sessionId), sql`${importFiles.id} <> ${file.id}`, sql`${importFiles.storageKey} is not null`));
    const companions = companionNames(PARSERS);
    const mayBeCompanion = companions.has(path.posix.basename(file.fileName));
    const entries: ImportEntry[] = [];
    try {
      for (const row of rows) {
        if (path.posix.dirname(row.fileName) !== dir) continue;
        if (!mayBeCompanion && !companions.has(path.posix.basename(row.fileName))) continue;
        const copy = await this.storage.localCopy(row.storageKey!);
        copies.push(copy);
        entries.push(await fileEntry(copy.path, path.posix.basename(row.fileName)));
      }
    } catch (error) {
      await release();
      throw error;
    }
    return { entries, release };
  }

  /** The original uploaded file, for download. */
  async original(rawSessionId: string, rawFileId: string): Promise<{ fileName: string; bytes: number; path: string; release(): Promise<void> }> {
    const file = await this.ownedFile(rawSessionId, rawFileId);
    if (!file.storageKey) throw notFound("Stored file");
    const copy = await this.storage.localCopy(file.storageKey);
    return { fileName: file.fileName, bytes: file.bytes, ...copy };
  }

  /** The largest file this user's plan accepts (never above the server-wide maximum). */
  private async maxFileBytes(): Promise<number> {
    const [row] = await this.db.select({ plan: users.plan }).from(users).where(eq(users.id, this.userId));
    return Math.min(MAX_IMPORT_FILE_BYTES, limitsOf(row?.plan ?? "free").importFileBytes);
  }

  private async heartbeat(sessionId: string) {
    await this.db.update(importSessions).set({ heartbeatAt: sql`now()` }).where(eq(importSessions.id, sessionId));
  }

  private async cancelled(sessionId: string): Promise<boolean> {
    const [row] = await this.db.select({ status: importSessions.status }).from(importSessions).where(eq(importSessions.id, sessionId));
    return row?.status === "cancelled";
  }

  private async ownedFile(rawSessionId: string, rawFileId: string) {
    const sessionId = requireId(rawSessionId, "Import");
    const fileId = requireId(rawFileId, "File");
    const [file] = await this.db
      .select()
      .from(importFiles)
      .where(and(eq(importFiles.id, fileId), eq(importFiles.sessionId, sessionId), eq(importFiles.userId, this.userId)));
    if (!file) throw notFound("File");
    return file;
  }
}

function tooLarge(name: string, maxBytes: number): ServiceError {
  const size = maxBytes >= 1024 ** 3 ? `${Math.round((maxBytes / 1024 ** 3) * 10) / 10} GB` : `${Math.round(maxBytes / 1024 ** 2)} MB`;
  return new ServiceError("invalid", `${name} is larger than ${size}, the most one file can be on your plan. Split the export (for ChatGPT, import the conversations-NNN.json files one by one) or upgrade.`);
}

/** Keys are made of ids and a sanitised name, so they are safe as paths and as Blob pathnames. */
export function storageKey(userId: string, sessionId: string, fileId: string, fileName: string): string {
  const safe = fileName.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._]+/, "").slice(-120) || "upload";
  return `imports/${userId}/${sessionId}/${fileId}-${safe}`;
}

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { asc, eq } from "drizzle-orm";
import type { Database } from "../../src/server/db/client";
import { promptOccurrences, promptSignatures, promptVersions, prompts } from "../../src/server/db/schema";
import * as importRoute from "../../src/app/api/imports/[id]/route";
import { getEnv } from "../../src/server/env";
import { getFileStorage, type FileStorage } from "../../src/server/storage";
import { LocalFileStorage } from "../../src/server/storage/local";
import { ImportService, type ImportSessionView } from "../../src/server/services/imports/import-service";
import { call } from "./http";

export const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/imports");
export const SAMPLES = "/work/shared/formats/samples";

type Global = typeof globalThis & { __pvImportTempDirs?: string[] };
const g = globalThis as Global;

/** A temporary folder removed by `removeTemporaryDirs` (call it in an `afterAll`). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  (g.__pvImportTempDirs ??= []).push(dir);
  return dir;
}

/**
 * The app's own storage (what the upload and download routes use). tests/setup/env.ts points DATA_DIR at a
 * temporary folder of the test worker before anything builds it; this refuses to hand out anything else, so
 * no test writes under the project's `.data/`.
 */
export function appStorage(): FileStorage {
  const storage = getFileStorage();
  const expected = path.resolve(getEnv().DATA_DIR, "files");
  if (!(storage instanceof LocalFileStorage) || (storage as unknown as { root: string }).root !== expected || !expected.startsWith(tmpdir())) {
    throw new Error(`The app's file storage is not the test worker's temporary DATA_DIR (${expected}); see tests/setup/env.ts.`);
  }
  return storage;
}

/**
 * Removes every folder `tempDir` made in this worker, and what the app stored under the worker's DATA_DIR
 * (storage makes the folders it needs again, so a later test file of the same worker still works).
 */
export function removeTemporaryDirs(): void {
  for (const dir of g.__pvImportTempDirs?.splice(0) ?? []) rmSync(dir, { recursive: true, force: true });
  const dataDir = path.resolve(getEnv().DATA_DIR);
  if (dataDir.startsWith(tmpdir())) rmSync(dataDir, { recursive: true, force: true });
}

export function tempStorage(): LocalFileStorage {
  return new LocalFileStorage(tempDir("pv-import-store-"));
}

export type ImportInput = { name: string; data: Uint8Array | string; parser?: string };

const bytesOf = (data: Uint8Array | string) => (typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data));

/** A session with every file uploaded, not started. */
export async function uploadSession(service: ImportService, files: ImportInput[], options: { autoTag?: boolean } = {}) {
  const { uploads, ...session } = await service.createSession({ files: files.map((f) => ({ name: f.name, size: bytesOf(f.data).length, parser: f.parser })), ...options });
  for (const [i, upload] of uploads.entries()) await service.receiveUpload(session.id, upload.fileId, [bytesOf(files[i]!.data)]);
  return { session, uploads };
}

/** The whole service path: create, upload, start, process. */
export async function runImport(service: ImportService, files: ImportInput[], options: { autoTag?: boolean } = {}): Promise<ImportSessionView> {
  const { session } = await uploadSession(service, files, options);
  await service.start(session.id);
  return service.process(session.id);
}

/**
 * A user's imported library in a form that does not depend on ids or on when it was written: prompts by
 * fingerprint with their versions and every occurrence, so two users' libraries (or one before and after a
 * retry) compare with toEqual.
 */
export async function librarySnapshot(db: Database, userId: string) {
  const promptRows = await db
    .select({
      id: prompts.id,
      fingerprint: prompts.fingerprint,
      title: prompts.title,
      body: prompts.body,
      source: prompts.source,
      sourceDetail: prompts.sourceDetail,
      useCount: prompts.useCount,
      currentVersion: prompts.currentVersion,
      createdAt: prompts.createdAt,
    })
    .from(prompts)
    .where(eq(prompts.userId, userId))
    .orderBy(asc(prompts.fingerprint));
  const versionRows = await db
    .select({ promptId: promptVersions.promptId, number: promptVersions.number, title: promptVersions.title, body: promptVersions.body, message: promptVersions.message })
    .from(promptVersions)
    .where(eq(promptVersions.userId, userId));
  const occurrenceRows = await db
    .select({
      promptId: promptOccurrences.promptId,
      key: promptOccurrences.occurrenceKey,
      source: promptOccurrences.source,
      conversationId: promptOccurrences.conversationId,
      conversationTitle: promptOccurrences.conversationTitle,
      model: promptOccurrences.model,
      occurredAt: promptOccurrences.occurredAt,
      position: promptOccurrences.position,
      activeBranch: promptOccurrences.activeBranch,
      variantText: promptOccurrences.variantText,
      isFirst: promptOccurrences.isFirst,
    })
    .from(promptOccurrences)
    .where(eq(promptOccurrences.userId, userId));
  const signatureRows = await db.select({ promptId: promptSignatures.promptId, minhash: promptSignatures.minhash }).from(promptSignatures).where(eq(promptSignatures.userId, userId));
  const fingerprintOf = new Map(promptRows.map((p) => [p.id, p.fingerprint]));
  const byKey = <T extends { key: string }>(a: T, b: T) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  return {
    prompts: promptRows.map(({ id, ...p }) => ({
      ...p,
      versions: versionRows
        .filter((v) => v.promptId === id)
        .map(({ promptId: _p, ...v }) => v)
        .sort((a, b) => a.number - b.number),
      occurrences: occurrenceRows
        .filter((o) => o.promptId === id)
        .map(({ promptId: _p, ...o }) => o)
        .sort(byKey),
      signature: signatureRows.find((s) => s.promptId === id)?.minhash ?? null,
    })),
    orphanOccurrences: occurrenceRows.filter((o) => !fingerprintOf.has(o.promptId)).length,
    occurrenceCount: occurrenceRows.length,
  };
}

/** The browser's progress loop: GET the session until it is no longer running; returns its last view (JSON). */
export async function waitForImport(user: { cookie: string }, sessionId: string, timeoutMs = 25_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await call(importRoute.GET, "GET", `/api/imports/${sessionId}`, { cookie: user.cookie, params: { id: sessionId } });
    if (res.status !== 200) throw new Error(`GET /api/imports/${sessionId} answered ${res.status}`);
    if (res.json.status !== "running") return res.json;
    if (Date.now() > deadline) throw new Error(`import ${sessionId} still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

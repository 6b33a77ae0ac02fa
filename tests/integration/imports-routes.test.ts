import { readFileSync } from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import * as blobKeyRoute from "../../src/app/api/imports/[id]/files/[fileId]/blob-key/route";
import * as blobRoute from "../../src/app/api/imports/[id]/files/[fileId]/blob/route";
import * as originalRoute from "../../src/app/api/imports/[id]/files/[fileId]/original/route";
import * as cancelRoute from "../../src/app/api/imports/[id]/cancel/route";
import * as importRoute from "../../src/app/api/imports/[id]/route";
import * as startRoute from "../../src/app/api/imports/[id]/start/route";
import * as formatsRoute from "../../src/app/api/imports/formats/route";
import * as importsRoute from "../../src/app/api/imports/route";
import * as occurrencesRoute from "../../src/app/api/prompts/[id]/occurrences/route";
import * as promptsRoute from "../../src/app/api/prompts/route";
import * as uploadRoute from "../../src/app/api/uploads/[fileId]/route";
import { importFiles, importSessions, promptOccurrences, prompts } from "../../src/server/db/schema";
import { PARSERS } from "../../src/server/importers/registry";
import { ImportService } from "../../src/server/services/imports/import-service";
import { BATCH_SIZE } from "../../src/server/services/imports/writer";
import { chatGptExport, syntheticChatGptExport } from "../helpers/chatgpt-export";
import { useTestDatabase } from "../helpers/db";
import { createPrompt, createUser, type TestUser } from "../helpers/factories";
import { call } from "../helpers/http";
import { appStorage, FIXTURES, removeTemporaryDirs, runImport, uploadSession, waitForImport } from "../helpers/imports";

const UUID = "00000000-0000-4000-8000-000000000000";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** PUT /api/uploads/{fileId} the way the browser does it: a streamed body, authenticated by the file's token. */
async function upload(fileId: string, token: string | undefined, data: Uint8Array, chunkBytes = 4096) {
  let at = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= data.length) return controller.close();
      controller.enqueue(data.subarray(at, at + chunkBytes));
      at += chunkBytes;
    },
  });
  const headers = new Headers({ host: "localhost:3000", "content-type": "application/octet-stream" });
  if (token !== undefined) headers.set("x-upload-token", token);
  const req = new Request(`http://localhost:3000/api/uploads/${fileId}`, { method: "PUT", headers, body, duplex: "half" } as RequestInit);
  const res = await uploadRoute.PUT(req, { params: Promise.resolve({ fileId }) });
  return { status: res.status, json: await res.json() };
}

async function createViaRoute(user: TestUser, files: { name: string; data: Uint8Array; parser?: string }[]) {
  const res = await call(importsRoute.POST, "POST", "/api/imports", { cookie: user.cookie, body: { files: files.map((f) => ({ name: f.name, size: f.data.length, parser: f.parser })) } });
  expect(res.status).toBe(201);
  return res.json as { session: { id: string; status: string; files: { id: string; fileName: string; status: string }[] }; uploadMode: string; uploads: { fileId: string; token: string; url: string }[] };
}


describe("import routes", () => {
  afterAll(removeTemporaryDirs);
  const db = useTestDatabase();

  it("uploads through the token route, processes in the background after start, and lists the session", async () => {
    appStorage();
    const user = await createUser(db());
    const data = readFileSync(path.join(FIXTURES, "chatgpt", "conversations-2025.json"));
    const created = await createViaRoute(user, [{ name: "conversations.json", data }]);
    expect(created.uploadMode).toBe("local");
    expect(created.session).toMatchObject({ status: "queued", files: [{ fileName: "conversations.json", status: "pending" }] });
    const [{ fileId, token, url }] = created.uploads as [{ fileId: string; token: string; url: string }];
    expect(url).toBe(`/api/uploads/${fileId}`);

    // The upload URL is a capability: no token, a wrong token, or another file's id get nothing.
    expect((await upload(fileId, undefined, data)).status).toBe(401);
    expect((await upload(fileId, "not-the-token", data)).status).toBe(404);
    expect((await upload(UUID, token, data)).status).toBe(404);
    expect((await upload("not-a-uuid", token, data)).status).toBe(404);
    const empty = await upload(fileId, token, new Uint8Array());
    expect(empty.status).toBe(422);
    expect(empty.json.error.message).toBe("conversations.json is empty.");

    const uploaded = await upload(fileId, token, data, 1000);
    expect(uploaded.status).toBe(200);
    expect(uploaded.json).toMatchObject({ id: fileId, status: "uploaded", bytes: data.length, stored: true });

    const started = await call(startRoute.POST, "POST", `/api/imports/${created.session.id}/start`, { cookie: user.cookie, params: { id: created.session.id } });
    expect(started.status).toBe(202);
    expect(started.json.status).toBe("running");
    const done = await waitForImport(user, created.session.id);
    expect(done).toMatchObject({ status: "succeeded", interrupted: false, files: [{ id: fileId, status: "succeeded", source: "chatgpt", promptsFound: 5, imported: 5 }] });

    // Processed: the upload link no longer accepts bytes.
    const late = await upload(fileId, token, data);
    expect(late.status).toBe(409);
    expect(late.json.error).toMatchObject({ code: "conflict", message: "conversations.json has already been processed." });

    const original = await originalRoute.GET(new Request(`http://localhost:3000/api/imports/${created.session.id}/files/${fileId}/original`, { headers: { cookie: user.cookie } }), {
      params: Promise.resolve({ id: created.session.id, fileId }),
    });
    expect(original.status).toBe(200);
    expect(Buffer.from(await original.arrayBuffer()).equals(data)).toBe(true);

    const list = await call(importsRoute.GET, "GET", "/api/imports", { cookie: user.cookie });
    expect(list.status).toBe(200);
    expect(list.json.imports.map((s: { id: string }) => s.id)).toEqual([created.session.id]);

    const formats = await call(formatsRoute.GET, "GET", "/api/imports/formats", { cookie: user.cookie });
    expect(formats.status).toBe(200);
    expect(formats.json.formats.map((f: { id: string }) => f.id)).toEqual(PARSERS.map((p) => p.id));
  });

  it("answers 401 without a session on every import route", async () => {
    const s = { id: UUID, fileId: UUID };
    const responses = {
      list: await call(importsRoute.GET, "GET", "/api/imports"),
      create: await call(importsRoute.POST, "POST", "/api/imports", { body: { files: [{ name: "a.json", size: 10 }] } }),
      formats: await call(formatsRoute.GET, "GET", "/api/imports/formats"),
      get: await call(importRoute.GET, "GET", `/api/imports/${UUID}`, { params: s }),
      start: await call(startRoute.POST, "POST", `/api/imports/${UUID}/start`, { params: s }),
      cancel: await call(cancelRoute.POST, "POST", `/api/imports/${UUID}/cancel`, { params: s }),
      original: await call(originalRoute.GET, "GET", `/api/imports/${UUID}/files/${UUID}/original`, { params: s }),
      blobKey: await call(blobKeyRoute.GET, "GET", `/api/imports/${UUID}/files/${UUID}/blob-key`, { params: s }),
      blobToken: await call(blobRoute.POST, "POST", `/api/imports/${UUID}/files/${UUID}/blob`, { params: s, body: {} }),
      blobDone: await call(blobRoute.PUT, "PUT", `/api/imports/${UUID}/files/${UUID}/blob`, { params: s, body: { size: 1 } }),
      occurrences: await call(occurrencesRoute.GET, "GET", `/api/prompts/${UUID}/occurrences`, { params: { id: UUID } }),
      byImport: await call(promptsRoute.GET, "GET", "/api/prompts", { query: { importId: UUID } }),
    };
    for (const [name, res] of Object.entries(responses)) {
      expect(res.status, name).toBe(401);
      expect(res.json.error.code, name).toBe("unauthorized");
    }
  });

  it("answers 404 for another user's session and files, and changes nothing of theirs", async () => {
    const owner = await createUser(db());
    const intruder = await createUser(db());
    const service = new ImportService(db(), owner.id, appStorage());
    const session = await runImport(service, [{ name: "conversations.json", data: readFileSync(path.join(FIXTURES, "chatgpt", "conversations-2025.json")) }]);
    const pending = await service.createSession({ files: [{ name: "later.json", size: 10 }] });
    const fileId = session.files[0]!.id;
    const s = { id: session.id, fileId };
    const before = await db().select().from(importSessions).where(eq(importSessions.userId, owner.id));

    const responses = {
      get: await call(importRoute.GET, "GET", `/api/imports/${session.id}`, { cookie: intruder.cookie, params: s }),
      start: await call(startRoute.POST, "POST", `/api/imports/${pending.id}/start`, { cookie: intruder.cookie, params: { id: pending.id } }),
      cancel: await call(cancelRoute.POST, "POST", `/api/imports/${pending.id}/cancel`, { cookie: intruder.cookie, params: { id: pending.id } }),
      original: await call(originalRoute.GET, "GET", `/api/imports/${session.id}/files/${fileId}/original`, { cookie: intruder.cookie, params: s }),
      // The owner's file under the intruder's own session id is not theirs either.
      crossed: await call(originalRoute.GET, "GET", `/api/imports/${UUID}/files/${fileId}/original`, { cookie: owner.cookie, params: { id: UUID, fileId } }),
      blobKey: await call(blobKeyRoute.GET, "GET", `/api/imports/${pending.id}/files/${pending.files[0]!.id}/blob-key`, { cookie: intruder.cookie, params: { id: pending.id, fileId: pending.files[0]!.id } }),
      malformed: await call(importRoute.GET, "GET", "/api/imports/not-a-uuid", { cookie: owner.cookie, params: { id: "not-a-uuid" } }),
    };
    for (const [name, res] of Object.entries(responses)) {
      expect(res.status, name).toBe(404);
      expect(res.text, name).not.toContain("conversations.json");
    }
    // Without Blob storage the blob routes do not exist for anyone; the ownership rule is the service's.
    expect(responses.blobKey.json.error.code).toBe("not_configured");
    await expect(new ImportService(db(), intruder.id, appStorage()).uploadKey(pending.id, pending.files[0]!.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(new ImportService(db(), intruder.id, appStorage()).confirmBlobUpload(pending.id, pending.files[0]!.id)).rejects.toMatchObject({ code: "not_found" });

    expect(await db().select().from(importSessions).where(eq(importSessions.userId, owner.id))).toEqual(before);
    expect((await call(importsRoute.GET, "GET", "/api/imports", { cookie: intruder.cookie })).json.imports).toEqual([]);
  });

  it("answers 422 for bad session input", async () => {
    const user = await createUser(db());
    const cases: [string, unknown][] = [
      ["no body", undefined],
      ["no files", { files: [] }],
      ["files missing", {}],
      ["empty file", { files: [{ name: "a.json", size: 0 }] }],
      ["negative size", { files: [{ name: "a.json", size: -5 }] }],
      ["fractional size", { files: [{ name: "a.json", size: 1.5 }] }],
      ["no name", { files: [{ name: "   ", size: 10 }] }],
      ["too large", { files: [{ name: "a.json", size: 3 * 1024 ** 3 }] }],
      ["unknown parser", { files: [{ name: "a.json", size: 10, parser: "word-doc" }] }],
    ];
    for (const [label, body] of cases) {
      const res = await call(importsRoute.POST, "POST", "/api/imports", { cookie: user.cookie, ...(body === undefined ? {} : { body }) });
      expect(res.status, label).toBe(422);
      expect(res.json.error.code, label).toBe("invalid");
      expect(res.json.error.message, label).toBeTypeOf("string");
    }
    const bad = await call(importsRoute.POST, "POST", "/api/imports", { cookie: user.cookie, rawBody: "{not json", headers: { "content-type": "application/json" } });
    expect(bad.status).toBe(422);
    expect(await db().$count(importSessions, eq(importSessions.userId, user.id))).toBe(0);
  });

  it("cancel stops a running import between batches and marks its files cancelled", async () => {
    const user = await createUser(db(), { plan: "pro" });
    const service = new ImportService(db(), user.id, appStorage());
    // Three writer batches.
    const PROMPTS = Math.round(2.6 * BATCH_SIZE);
    const synthetic = syntheticChatGptExport({ prompts: PROMPTS, seed: 3 });
    const { session, uploads } = await uploadSession(service, [{ name: "conversations.json", data: synthetic.json }]);
    const fileId = uploads[0]!.fileId;
    await service.start(session.id);
    // What the start route hands to the background.
    const running = service.process(session.id);
    // Wait until the first batch is in (or the file stopped for another reason, which the checks below report).
    for (let processed = 0, status = "uploaded"; processed < BATCH_SIZE && (status === "uploaded" || status === "processing"); ) {
      await sleep(5);
      [{ processed, status }] = (await db().select({ processed: importFiles.processed, status: importFiles.status }).from(importFiles).where(eq(importFiles.id, fileId))) as [
        { processed: number; status: string },
      ];
    }
    const cancelled = await call(cancelRoute.POST, "POST", `/api/imports/${session.id}/cancel`, { cookie: user.cookie, params: { id: session.id } });
    expect(cancelled.status).toBe(200);
    expect(cancelled.json).toMatchObject({ status: "cancelled", files: [{ status: "cancelled" }] });
    const final = await running;

    expect(final.status).toBe("cancelled");
    const [file] = final.files;
    expect(file!.status).toBe("cancelled");
    // Stopped after a whole batch, before the end; what is in is exactly the batches written.
    expect(file!.processed % BATCH_SIZE).toBe(0);
    expect(file!.processed).toBeGreaterThanOrEqual(BATCH_SIZE);
    expect(file!.processed).toBeLessThan(PROMPTS);
    const occurrences = await db().$count(promptOccurrences, eq(promptOccurrences.importFileId, fileId));
    expect(occurrences).toBe(file!.processed);
    const uses = await db().select({ n: prompts.useCount }).from(prompts).where(eq(prompts.userId, user.id));
    expect(uses.reduce((sum, r) => sum + r.n, 0)).toBe(occurrences);

    // Starting a cancelled import again resumes its cancelled file and completes it.
    const restart = await call(startRoute.POST, "POST", `/api/imports/${session.id}/start`, { cookie: user.cookie, params: { id: session.id } });
    expect(restart.status).toBe(202);
    const resumed = await waitForImport(user, session.id);
    expect(resumed).toMatchObject({ status: "succeeded", files: [{ status: "succeeded", promptsFound: PROMPTS, processed: PROMPTS }] });
    expect(await db().$count(promptOccurrences, eq(promptOccurrences.importFileId, fileId))).toBe(PROMPTS);

    // A finished import cannot be cancelled.
    const tooLate = await call(cancelRoute.POST, "POST", `/api/imports/${session.id}/cancel`, { cookie: user.cookie, params: { id: session.id } });
    expect(tooLate.status).toBe(409);
    // Two passes over 2.6 batches (5,200 prompts): seconds alone, more on a shared 2-core machine.
  }, 120_000);

  it("lists exactly the prompts an import saw (folded ones too), and each prompt's occurrences", async () => {
    const user = await createUser(db());
    const other = await createUser(db());
    const service = new ImportService(db(), user.id, appStorage());
    const long = "Act as a patient maths tutor: explain the chain rule to a sixteen year old with two worked examples, one with a polynomial and one with a trigonometric function, and finish with three practice questions of rising difficulty.";
    const first = await runImport(service, [
      { name: "conversations.json", data: chatGptExport([{ id: "a", title: "Maths", createTime: 1_717_000_000, prompts: [long, "Write a limerick about cats", "Only in the first import"] }]) },
    ]);
    const second = await runImport(service, [
      {
        name: "conversations.json",
        data: chatGptExport([{ id: "b", title: "More maths", createTime: 1_718_000_000, prompts: [long.replace("sixteen", "fifteen"), "write a LIMERICK about cats", "New in the second import"] }]),
      },
    ]);
    expect(second.files[0]).toMatchObject({ promptsFound: 3, imported: 1, duplicates: 2 });
    await createPrompt(db(), user.id, { title: "Manual", body: "Written by hand" });

    const seen = async (importId: string, who = user) => {
      const res = await call(promptsRoute.GET, "GET", "/api/prompts", { cookie: who.cookie, query: { importId } });
      expect(res.status).toBe(200);
      return res.json.items.map((p: { preview: string }) => p.preview);
    };
    expect((await seen(first.id)).sort()).toEqual([long, "Only in the first import", "Write a limerick about cats"].sort());
    // The second import created one prompt and folded two into existing ones (exact and near): all three listed.
    expect((await seen(second.id)).sort()).toEqual([long, "New in the second import", "Write a limerick about cats"].sort());
    // Another user's import id filters to nothing (never to their prompts); a malformed id is bad input.
    expect(await seen(first.id, other)).toEqual([]);
    expect((await call(promptsRoute.GET, "GET", "/api/prompts", { cookie: user.cookie, query: { importId: "nope" } })).status).toBe(422);

    const [tutor] = await db().select().from(prompts).where(eq(prompts.body, long));
    const res = await call(occurrencesRoute.GET, "GET", `/api/prompts/${tutor!.id}/occurrences`, { cookie: user.cookie, params: { id: tutor!.id } });
    expect(res.status).toBe(200);
    expect(res.json.occurrences).toEqual([
      expect.objectContaining({ source: "chatgpt", conversationId: "b", conversationTitle: "More maths", variantText: long.replace("sixteen", "fifteen"), importId: second.id, fileName: "conversations.json" }),
      expect.objectContaining({ source: "chatgpt", conversationId: "a", conversationTitle: "Maths", variantText: null, importId: first.id }),
    ]);
    const denied = await call(occurrencesRoute.GET, "GET", `/api/prompts/${tutor!.id}/occurrences`, { cookie: other.cookie, params: { id: tutor!.id } });
    expect(denied.status).toBe(404);
    expect(denied.text).not.toContain("tutor");
    const manual = (await db().select().from(prompts).where(eq(prompts.body, "Written by hand")))[0]!;
    const none = await call(occurrencesRoute.GET, "GET", `/api/prompts/${manual.id}/occurrences`, { cookie: user.cookie, params: { id: manual.id } });
    expect(none).toMatchObject({ status: 200, json: { occurrences: [] } });
  });
});

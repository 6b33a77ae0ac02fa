import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { BlobAccessError } from "@vercel/blob";
import { getPayloadFromClientToken, put as clientPut } from "@vercel/blob/client";
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import * as blobKeyRoute from "../../src/app/api/imports/[id]/files/[fileId]/blob-key/route";
import * as blobRoute from "../../src/app/api/imports/[id]/files/[fileId]/blob/route";
import * as originalRoute from "../../src/app/api/imports/[id]/files/[fileId]/original/route";
import * as startRoute from "../../src/app/api/imports/[id]/start/route";
import * as importsRoute from "../../src/app/api/imports/route";
import * as promptsRoute from "../../src/app/api/prompts/route";
import { importFiles, prompts } from "../../src/server/db/schema";
import { getFileStorage, StorageLimitError } from "../../src/server/storage";
import { BlobFileStorage } from "../../src/server/storage/blob";
import { chatGptExport } from "../helpers/chatgpt-export";
import { useTestDatabase } from "../helpers/db";
import { blobEnv, useBlobEnv, useFakeBlob } from "../helpers/fake-blob";
import { createUser, type TestUser } from "../helpers/factories";
import { call } from "../helpers/http";
import { waitForImport } from "../helpers/imports";

const MiB = 1024 * 1024;

function* chunked(data: Uint8Array, size = 64 * 1024) {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

const fake = useFakeBlob();
const setEnv = useBlobEnv();

describe("BlobFileStorage against the Blob protocol", () => {
  beforeEach(() => setEnv(blobEnv(fake)));
  const storage = () => new BlobFileStorage(fake.token);

  it("stores a multi-MB body as a multipart upload, reads its size and exact bytes back, and deletes it", async () => {
    const key = "imports/u1/s1/f1-conversations.json";
    const data = randomBytes(20 * MiB + 12_345);
    expect(await storage().put(key, chunked(data), { maxBytes: 64 * MiB })).toEqual({ key, bytes: data.length });

    // What the SDK sent: create, three 8 MiB parts (the last one shorter), complete; all with our token.
    expect(fake.requests.map((r) => r.op)).toEqual(["mpu-create", "mpu-upload", "mpu-upload", "mpu-upload", "mpu-complete"]);
    const [create, ...rest] = fake.requests;
    const parts = rest.slice(0, 3);
    expect(create!.query).toEqual({ pathname: key });
    expect(create!.headers).toMatchObject({ "x-vercel-blob-access": "private", "x-add-random-suffix": "0", "x-allow-overwrite": "1", "x-vercel-blob-store-id": fake.storeId });
    expect(parts.map((p) => [Number(p.headers["x-mpu-part-number"]), p.bytes]).sort((a, b) => a[0]! - b[0]!)).toEqual([
      [1, 8 * MiB],
      [2, 8 * MiB],
      [3, data.length - 16 * MiB],
    ]);
    expect(new Set(rest.map((r) => r.headers["x-mpu-upload-id"])).size).toBe(1);
    expect(rest.every((r) => r.headers["x-mpu-key"] === encodeURIComponent(key))).toBe(true);
    expect(fake.requests.every((r) => r.token === fake.token)).toBe(true);
    expect(fake.blobs.get(key)).toMatchObject({ access: "private", contentType: "application/json" });
    expect(fake.blobs.get(key)!.body.equals(data)).toBe(true);
    expect(fake.uploads.size).toBe(0);

    expect(await storage().size(key)).toBe(data.length);

    const copy = await storage().localCopy(key);
    const get = fake.requestsFor("get")[0]!;
    expect(get).toMatchObject({ host: `${fake.storeId.toLowerCase()}.private.blob.vercel-storage.com`, path: `/${key}`, query: { cache: "0" }, token: fake.token, status: 200 });
    expect((await readFile(copy.path)).equals(data)).toBe(true);
    await copy.release();
    expect(existsSync(copy.path)).toBe(false);
    expect(existsSync(path.dirname(copy.path))).toBe(false);

    await storage().delete(key);
    expect(fake.blobs.has(key)).toBe(false);
    expect(await storage().size(key)).toBeNull();
    await storage().delete(key); // deleting what is gone is not an error
  });

  it("refuses a body over maxBytes with StorageLimitError and leaves no blob under the key (an earlier one included)", async () => {
    const key = "imports/u1/s1/f2-big.json";
    await storage().put(key, [Buffer.from("an earlier upload")], { maxBytes: MiB });
    fake.requests.length = 0;

    await expect(storage().put(key, chunked(randomBytes(20 * MiB)), { maxBytes: 10 * MiB })).rejects.toBeInstanceOf(StorageLimitError);
    expect(fake.requestsFor("mpu-complete")).toEqual([]);
    expect(fake.requestsFor("delete")).toHaveLength(1);
    expect(fake.blobs.size).toBe(0);
    expect(await storage().size(key)).toBeNull();
    // Honestly: the multipart upload the SDK started stays incomplete. It is not a blob (nothing can read or
    // list it) and the SDK has no call to abort it.
    expect([...fake.uploads.values()].map((u) => u.pathname)).toEqual([key]);
  });

  it("rejects put() with the body's own error when the body fails, and an empty body stores nothing", async () => {
    async function* failing() {
      yield Buffer.from("the first bytes");
      throw new Error("the browser went away");
    }
    await expect(storage().put("imports/u1/s1/f3-a.json", failing(), { maxBytes: MiB })).rejects.toThrow("the browser went away");
    expect(fake.blobs.size).toBe(0);

    // A limit smaller than the stream buffers fails the same way (no stray error event, nothing stored).
    await expect(storage().put("imports/u1/s1/f3-b.json", chunked(randomBytes(200_000), 1000), { maxBytes: 1000 })).rejects.toBeInstanceOf(StorageLimitError);
    expect(fake.blobs.size).toBe(0);

    fake.requests.length = 0;
    expect(await storage().put("imports/u1/s1/f3-c.json", [new Uint8Array(0)], { maxBytes: MiB })).toEqual({ key: "imports/u1/s1/f3-c.json", bytes: 0 });
    expect(fake.requests).toEqual([]);
  });

  it("gives a clear error for a missing key, and null size; Blob errors other than not-found are not swallowed", async () => {
    await expect(storage().localCopy("imports/u1/s1/missing.json")).rejects.toThrow("The stored file imports/u1/s1/missing.json is missing from Blob storage.");
    expect(fake.requestsFor("get")[0]!.status).toBe(404);
    expect(await storage().size("imports/u1/s1/missing.json")).toBeNull();

    fake.failNext("head", { status: 403, code: "forbidden" });
    await expect(storage().size("imports/u1/s1/missing.json")).rejects.toBeInstanceOf(BlobAccessError);

    const wrongToken = new BlobFileStorage(`vercel_blob_rw_${fake.storeId}_${"x".repeat(30)}`);
    await expect(wrongToken.put("imports/u1/s1/f4.json", [Buffer.from("{}")], { maxBytes: MiB })).rejects.toBeInstanceOf(BlobAccessError);
    await storage().put("imports/u1/s1/f4.json", [Buffer.from("{}")], { maxBytes: MiB });
    await expect(wrongToken.localCopy("imports/u1/s1/f4.json")).rejects.toThrow("Failed to fetch blob: 403");
  });
});

describe("imports with Blob storage: the browser uploads straight to Blob", () => {
  const db = useTestDatabase();

  const conversations = [
    { id: "conv-blob-1", title: "Release notes", createTime: 1_735_000_000, prompts: ["Draft release notes for version 2.4 from these commits.", "Shorten them to five bullet points."] },
    { id: "conv-blob-2", title: "SQL help", createTime: 1_735_090_000, prompts: ["Explain what a lateral join does in Postgres, with an example.", "Write a query that finds duplicate emails."] },
  ];
  const exportBytes = () => Buffer.from(chatGptExport(conversations), "utf8");

  async function createSession(user: TestUser, size: number) {
    const res = await call(importsRoute.POST, "POST", "/api/imports", { cookie: user.cookie, body: { files: [{ name: "conversations.json", size }] } });
    expect(res.status).toBe(201);
    const session = res.json.session as { id: string; files: { id: string }[] };
    return { res, sessionId: session.id, fileId: session.files[0]!.id };
  }

  const tokenRequest = (pathname: string) => ({ type: "blob.generate-client-token", payload: { pathname, clientPayload: null, multipart: true } });
  const routeCall = (handler: typeof blobRoute.POST, method: string, user: TestUser, ids: { sessionId: string; fileId: string }, body?: unknown) =>
    call(handler, method, `/api/imports/${ids.sessionId}/files/${ids.fileId}/blob`, { cookie: user.cookie, params: { id: ids.sessionId, fileId: ids.fileId }, body });


  it("issues a client token for exactly the file's pathname, takes the upload, confirms it, imports it and serves the original", async () => {
    setEnv(blobEnv(fake));
    expect(getFileStorage().kind).toBe("blob");
    const user = await createUser(db());
    const data = exportBytes();
    const { res: created, ...ids } = await createSession(user, data.length);
    expect(created.json.uploadMode).toBe("blob");

    // The browser asks where to upload, then for a client token (what the SDK's upload() posts).
    const keyRes = await call(blobKeyRoute.GET, "GET", `/api/imports/${ids.sessionId}/files/${ids.fileId}/blob-key`, { cookie: user.cookie, params: { id: ids.sessionId, fileId: ids.fileId } });
    expect(keyRes.status).toBe(200);
    const key = keyRes.json.key as string;
    expect(key).toBe(`imports/${user.id}/${ids.sessionId}/${ids.fileId}-conversations.json`);

    const refused = await routeCall(blobRoute.POST, "POST", user, ids, tokenRequest(`imports/${user.id}/${ids.sessionId}/someone-else.json`));
    expect(refused.status).toBe(403);
    expect(refused.json.error).toEqual({ code: "forbidden", message: "This upload is for another file." });
    const malformed = await routeCall(blobRoute.POST, "POST", user, ids, { type: "blob.upload-completed", payload: {} });
    expect(malformed.status).toBe(422);

    const issued = await routeCall(blobRoute.POST, "POST", user, ids, tokenRequest(key));
    expect(issued.status).toBe(200);
    const clientToken = issued.json.clientToken as string;
    expect(issued.json.type).toBe("blob.generate-client-token");
    expect(clientToken.startsWith(`vercel_blob_client_${fake.storeId}_`)).toBe(true);
    const payload = getPayloadFromClientToken(clientToken);
    // The token allows the size declared for this file (within the plan's limit), not the server's maximum.
    expect(payload).toMatchObject({ pathname: key, maximumSizeInBytes: data.length, addRandomSuffix: false, allowOverwrite: true });
    expect(payload.validUntil).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(fake.requests).toEqual([]); // the token is signed locally, Blob is not asked

    // The browser uploads the bytes to Blob with the client token; the token is good for that pathname only.
    await expect(clientPut(`${key}.other`, data, { access: "private", token: clientToken, multipart: true })).rejects.toThrow("Pathname mismatch");
    const uploaded = await clientPut(key, data, { access: "private", token: clientToken, multipart: true });
    expect(uploaded).toMatchObject({ pathname: key, url: fake.urlOf(key) });
    expect(fake.requests.every((r) => r.token === clientToken)).toBe(true);
    expect(fake.blobs.get(key)!.body.equals(data)).toBe(true);

    // Confirm: the server reads the size back from Blob (with its own token) and marks the file uploaded.
    const confirmed = await routeCall(blobRoute.PUT, "PUT", user, ids);
    expect(confirmed.status).toBe(200);
    expect(confirmed.json.files).toMatchObject([{ id: ids.fileId, status: "uploaded", bytes: data.length, stored: true }]);
    expect(fake.requestsFor("head").map((r) => [r.query.url, r.token])).toEqual([[key, fake.token]]);

    const started = await call(startRoute.POST, "POST", `/api/imports/${ids.sessionId}/start`, { cookie: user.cookie, params: { id: ids.sessionId } });
    expect(started.status).toBe(202);
    const done = await waitForImport(user, ids.sessionId);
    expect(done).toMatchObject({ status: "succeeded", files: [{ id: ids.fileId, status: "succeeded", source: "chatgpt", promptsFound: 4, imported: 4 }] });

    const library = await call(promptsRoute.GET, "GET", "/api/prompts", { cookie: user.cookie, query: { importId: ids.sessionId } });
    expect(library.status).toBe(200);
    const expected = conversations.flatMap((c) => c.prompts);
    expect(library.json.items.map((p: { preview: string }) => p.preview).sort()).toEqual([...expected].sort());
    const rows = await db().select({ body: prompts.body }).from(prompts).where(eq(prompts.userId, user.id));
    expect(rows.map((r) => r.body).sort()).toEqual([...expected].sort());

    const original = await originalRoute.GET(new Request(`http://localhost:3000/api/imports/${ids.sessionId}/files/${ids.fileId}/original`, { headers: { cookie: user.cookie } }), {
      params: Promise.resolve({ id: ids.sessionId, fileId: ids.fileId }),
    });
    expect(original.status).toBe(200);
    expect(Buffer.from(await original.arrayBuffer()).equals(data)).toBe(true);
    // Processing and the download each read the blob from the private host with the server's token.
    expect(fake.requestsFor("get").map((r) => [r.path, r.token, r.status])).toEqual([
      [`/${key}`, fake.token, 200],
      [`/${key}`, fake.token, 200],
    ]);

    // Uploaded and processed: no new token for this file.
    expect((await routeCall(blobRoute.POST, "POST", user, ids, tokenRequest(key))).status).toBe(409);
  });

  it("answers 404 to another user for the file's token, confirmation and key, and changes nothing", async () => {
    setEnv(blobEnv(fake));
    const owner = await createUser(db());
    const intruder = await createUser(db());
    const data = exportBytes();
    const ids = await createSession(owner, data.length);
    const key = `imports/${owner.id}/${ids.sessionId}/${ids.fileId}-conversations.json`;
    const { clientToken } = (await routeCall(blobRoute.POST, "POST", owner, ids, tokenRequest(key))).json as { clientToken: string };
    await clientPut(key, data, { access: "private", token: clientToken, multipart: true });
    fake.requests.length = 0;

    const responses = {
      token: await routeCall(blobRoute.POST, "POST", intruder, ids, tokenRequest(key)),
      confirm: await routeCall(blobRoute.PUT, "PUT", intruder, ids),
      key: await call(blobKeyRoute.GET, "GET", `/api/imports/${ids.sessionId}/files/${ids.fileId}/blob-key`, { cookie: intruder.cookie, params: { id: ids.sessionId, fileId: ids.fileId } }),
    };
    for (const [name, res] of Object.entries(responses)) {
      expect(res.status, name).toBe(404);
      expect(res.json.error.code, name).toBe("not_found");
    }
    expect(fake.requests).toEqual([]);
    const [file] = await db().select().from(importFiles).where(eq(importFiles.id, ids.fileId));
    expect(file).toMatchObject({ status: "pending", storageKey: null });
  });

  it("answers 404 not_configured without BLOB_READ_WRITE_TOKEN", async () => {
    expect(getFileStorage().kind).toBe("local");
    const user = await createUser(db());
    const ids = await createSession(user, 100);
    const token = await routeCall(blobRoute.POST, "POST", user, ids, tokenRequest("imports/x.json"));
    const confirm = await routeCall(blobRoute.PUT, "PUT", user, ids);
    for (const res of [token, confirm]) {
      expect(res.status).toBe(404);
      expect(res.json.error).toEqual({ code: "not_configured", message: "Uploads go to this server, not to Blob storage." });
    }
    expect(fake.requests).toEqual([]);
  });
});

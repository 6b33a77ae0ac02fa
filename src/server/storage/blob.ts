import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { FileStorage } from "./index";
import { StorageLimitError } from "./errors";

/**
 * Vercel Blob (private store). Browsers upload large files straight to Blob with client tokens (see the
 * import routes); the server reads them back into a temporary file for the parsers, which need random
 * access for zips and SQLite.
 */
export class BlobFileStorage implements FileStorage {
  readonly kind = "blob" as const;

  constructor(private readonly token: string) {}

  async put(key: string, body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, { maxBytes }: { maxBytes: number }) {
    const { put, del } = await import("@vercel/blob");
    let bytes = 0;
    // One generator counts and limits the bytes, so a failing body or the limit rejects put() (a stream piped
    // into the SDK would not pass the body's errors on, and an early limit error would have no listener).
    const source = (async function* () {
      for await (const chunk of body) {
        if (chunk.byteLength === 0) continue;
        bytes += chunk.byteLength;
        if (bytes > maxBytes) throw new StorageLimitError(maxBytes);
        yield chunk;
      }
    })();
    // An empty body stores nothing: a multipart upload needs at least one part.
    const first = await source.next();
    if (first.done) return { key, bytes: 0 };
    try {
      const stream = Readable.from((async function* () {
        yield first.value;
        yield* source;
      })());
      await put(key, stream, { access: "private", token: this.token, addRandomSuffix: false, allowOverwrite: true, multipart: true });
    } catch (error) {
      // Like local storage, a failed upload leaves nothing under the key. (A multipart upload that was started
      // and never completed is not a blob; Blob has no call to abort it.)
      await del(key, { token: this.token }).catch(() => {});
      throw error;
    }
    return { key, bytes };
  }

  async localCopy(key: string) {
    const { get } = await import("@vercel/blob");
    const result = await get(key, { access: "private", token: this.token, useCache: false });
    if (!result?.stream) throw new Error(`The stored file ${key} is missing from Blob storage.`);
    const dir = await mkdtemp(path.join(tmpdir(), "promptvault-import-"));
    const file = path.join(dir, "upload");
    try {
      await pipeline(Readable.fromWeb(result.stream as unknown as WebReadableStream<Uint8Array>), createWriteStream(file));
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    return { path: file, release: () => rm(dir, { recursive: true, force: true }) };
  }

  async size(key: string) {
    const { head, BlobNotFoundError } = await import("@vercel/blob");
    try {
      return (await head(key, { token: this.token })).size;
    } catch (error) {
      // Only "not there" is null; a refused token or an outage must not read as "the user never uploaded it".
      if (error instanceof BlobNotFoundError) return null;
      throw error;
    }
  }

  async delete(key: string) {
    const { del } = await import("@vercel/blob");
    await del(key, { token: this.token });
  }
}

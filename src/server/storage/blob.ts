import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable, Transform } from "node:stream";
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
    const { put } = await import("@vercel/blob");
    let bytes = 0;
    const limited = Readable.from(body).pipe(
      new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          bytes += chunk.length;
          if (bytes > maxBytes) callback(new StorageLimitError(maxBytes));
          else callback(null, chunk);
        },
      }),
    );
    await put(key, limited, { access: "private", token: this.token, addRandomSuffix: false, allowOverwrite: true, multipart: true });
    return { key, bytes };
  }

  async localCopy(key: string) {
    const { get } = await import("@vercel/blob");
    const result = await get(key, { access: "private", token: this.token, useCache: false });
    if (!result?.stream) throw new Error(`The stored file ${key} is missing from Blob storage.`);
    const dir = await mkdtemp(path.join(tmpdir(), "promptvault-import-"));
    const file = path.join(dir, "upload");
    await pipeline(Readable.fromWeb(result.stream as unknown as WebReadableStream<Uint8Array>), createWriteStream(file));
    return { path: file, release: () => rm(dir, { recursive: true, force: true }) };
  }

  async size(key: string) {
    const { head } = await import("@vercel/blob");
    try {
      return (await head(key, { token: this.token })).size;
    } catch {
      return null;
    }
  }

  async delete(key: string) {
    const { del } = await import("@vercel/blob");
    await del(key, { token: this.token });
  }
}

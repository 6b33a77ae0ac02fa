import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { Readable, Transform } from "node:stream";
import type { FileStorage } from "./index";
import { StorageLimitError } from "./errors";

/** Files under one folder; keys are relative paths made only of safe characters. */
export class LocalFileStorage implements FileStorage {
  readonly kind = "local" as const;

  constructor(private readonly root: string) {}

  private resolve(key: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9/_.-]*$/.test(key) || key.split("/").includes("..")) throw new Error(`Unsafe storage key: ${key}`);
    return path.join(this.root, key);
  }

  async put(key: string, body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, { maxBytes }: { maxBytes: number }) {
    const target = this.resolve(key);
    await mkdir(path.dirname(target), { recursive: true });
    let bytes = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        if (bytes > maxBytes) callback(new StorageLimitError(maxBytes));
        else callback(null, chunk);
      },
    });
    try {
      await pipeline(Readable.from(body), limit, createWriteStream(target));
    } catch (error) {
      await rm(target, { force: true });
      throw error;
    }
    return { key, bytes };
  }

  async localCopy(key: string) {
    const file = this.resolve(key);
    await stat(file);
    return { path: file, release: async () => {} };
  }

  async size(key: string) {
    try {
      return (await stat(this.resolve(key))).size;
    } catch {
      return null;
    }
  }

  async delete(key: string) {
    await rm(this.resolve(key), { force: true });
  }

  /** For tests and the CLI: read a stored file back. */
  read(key: string) {
    return createReadStream(this.resolve(key));
  }
}

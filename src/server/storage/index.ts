import path from "node:path";
import { getEnv, isBlobConfigured, type Env } from "../env";
import { BlobFileStorage } from "./blob";
import { LocalFileStorage } from "./local";

/**
 * Where original import files are kept. Default: a folder under DATA_DIR. With BLOB_READ_WRITE_TOKEN the
 * browser uploads straight to Vercel Blob (large files never pass through a function body).
 */
export interface FileStorage {
  readonly kind: "local" | "blob";
  /** Stores a stream under `key`; refuses more than `maxBytes`. */
  put(key: string, body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: { maxBytes: number }): Promise<{ key: string; bytes: number }>;
  /** A file on local disk with the stored bytes, for the parsers; `release` removes any temporary copy. */
  localCopy(key: string): Promise<{ path: string; release(): Promise<void> }>;
  delete(key: string): Promise<void>;
  /** The stored size in bytes, or null when nothing is stored under `key`. */
  size(key: string): Promise<number | null>;
}

export { StorageLimitError } from "./errors";

let cached: { env: Env; storage: FileStorage } | undefined;

/** Built once per configuration: production reads the environment once; tests that reload it get the matching storage. */
export function getFileStorage(): FileStorage {
  const env = getEnv();
  if (cached?.env !== env) {
    cached = { env, storage: isBlobConfigured(env) ? new BlobFileStorage(env.BLOB_READ_WRITE_TOKEN!) : new LocalFileStorage(path.resolve(env.DATA_DIR, "files")) };
  }
  return cached.storage;
}

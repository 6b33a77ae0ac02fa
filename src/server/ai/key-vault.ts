import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { getEnv } from "../env";

/**
 * Encryption at rest for users' own API keys: AES-256-GCM (authenticated) under one application key. The
 * key comes from APP_ENCRYPTION_KEY (32 bytes, base64); without it, one is generated into DATA_DIR on first
 * use — fine for a single machine, and warned about in production, where a lost data folder would make
 * stored keys unreadable and a shared one would need the same key on every instance.
 */
const VERSION = "v1";
let cached: Buffer | undefined;

export function applicationKey(): Buffer {
  if (cached) return cached;
  const env = getEnv();
  if (env.APP_ENCRYPTION_KEY) {
    const key = Buffer.from(env.APP_ENCRYPTION_KEY, "base64");
    if (key.length !== 32) throw new Error("APP_ENCRYPTION_KEY must be 32 bytes, base64-encoded (e.g. `openssl rand -base64 32`).");
    cached = key;
    return key;
  }
  const file = path.resolve(env.DATA_DIR, "app-encryption.key");
  try {
    cached = Buffer.from(readFileSync(file, "utf8").trim(), "base64");
  } catch {
    mkdirSync(path.dirname(file), { recursive: true });
    cached = randomBytes(32);
    writeFileSync(file, cached.toString("base64"), { mode: 0o600, flag: "wx" });
    if (env.NODE_ENV === "production") {
      console.warn(`[security] APP_ENCRYPTION_KEY is not set: generated one in ${file}. Set APP_ENCRYPTION_KEY so stored API keys survive a lost data folder and work on every instance.`);
    }
  }
  if (cached.length !== 32) throw new Error(`${file} does not hold a 32-byte key.`);
  return cached;
}

export function encryptSecret(plaintext: string, key: Buffer = applicationKey()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64")}`;
}

export function decryptSecret(stored: string, key: Buffer = applicationKey()): string {
  const [version, payload] = stored.split(":", 2);
  if (version !== VERSION || !payload) throw new Error("Unknown secret format.");
  const raw = Buffer.from(payload, "base64");
  const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
}

/** Tests only: forget the cached key after changing the environment. */
export function resetApplicationKey(): void {
  cached = undefined;
}

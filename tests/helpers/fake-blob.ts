import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { connect } from "node:net";
import { afterAll, afterEach, beforeAll } from "vitest";
import { Agent, buildConnector, getGlobalDispatcher, setGlobalDispatcher, type Dispatcher } from "undici";
import { LocalServer } from "./local-server";
import { useEnvVars } from "./env-vars";

/**
 * A local stand-in for Vercel Blob, so the real `@vercel/blob` SDK (and BlobFileStorage and the client-upload
 * route around it) is tested against the protocol rather than against a mock of our own code. It speaks what
 * SDK 2.x sends (read from node_modules/@vercel/blob/dist):
 *
 *   API (VERCEL_BLOB_API_URL, e.g. http://127.0.0.1:PORT/api/blob; every call `Authorization: Bearer <token>`,
 *   `x-api-version`, `x-vercel-blob-store-id`, options as `x-vercel-blob-access`, `x-add-random-suffix`,
 *   `x-allow-overwrite`, `x-content-type`, `x-cache-control-max-age`, `x-if-match`):
 *     PUT  /?pathname=P                               body = the bytes            → the blob (url, pathname, …)
 *     POST /mpu?pathname=P  x-mpu-action: create                                  → { key, uploadId }
 *     POST /mpu?pathname=P  x-mpu-action: upload, x-mpu-key, x-mpu-upload-id, x-mpu-part-number
 *                                                      body = one part (8 MiB)    → { etag }
 *     POST /mpu?pathname=P  x-mpu-action: complete, x-mpu-key, x-mpu-upload-id
 *                                                      body = [{ partNumber, etag }] → the blob
 *     GET  ?url=P|URL                                  (head)                     → the blob with size, uploadedAt
 *     POST /delete                                     body = { urls: [P|URL…] }  → {}
 *   Errors are `{ error: { code, message } }`; the SDK maps `forbidden`, `not_found`, `bad_request`,
 *   `precondition_failed`, `client_token_not_allowed`… to its error classes (and retries unknown codes).
 *
 *   Content (`https://<storeId>.<access>.blob.vercel-storage.com/<pathname>`, which get() builds itself):
 *     GET/HEAD, private blobs need `Authorization: Bearer <read-write token>`; 404 when missing.
 *
 * Tokens: the read-write token is `vercel_blob_rw_<storeId>_<secret>` (the SDK takes the store id from the
 * fourth `_` field). Client tokens are `vercel_blob_client_<storeId>_<base64("<hmac>.<payload>")>`, the payload
 * base64 JSON signed with HMAC-SHA256 keyed by the read-write token; the fake verifies the signature and enforces
 * the payload (pathname, validUntil, maximumSizeInBytes, allowedContentTypes, allowOverwrite, addRandomSuffix).
 *
 * Blobs live in memory. Every request is recorded (operation, headers, bytes, status). `failNext` scripts a
 * Blob error for the next request of an operation. The SDK fetches with the `undici` package, whose global
 * dispatcher is shared through `Symbol.for("undici.globalDispatcher.1")`; `install()` sets a dispatcher that
 * connects `*.blob.vercel-storage.com` to this server over plain TCP and everything else normally.
 */
export type BlobOperation = "put" | "mpu-create" | "mpu-upload" | "mpu-complete" | "head" | "delete" | "list" | "get" | "unknown";

export type BlobRequest = {
  op: BlobOperation;
  method: string;
  host: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  /** The bearer token sent, or null. */
  token: string | null;
  /** Request body size. */
  bytes: number;
  /** The status answered (0 when the client went away before an answer). */
  status: number;
  aborted: boolean;
};

export type StoredBlob = {
  pathname: string;
  access: "public" | "private";
  body: Buffer;
  contentType: string;
  cacheControlMaxAge: number;
  etag: string;
  uploadedAt: Date;
};

export type MultipartUpload = {
  uploadId: string;
  key: string;
  /** The pathname the client asked for (sent again with every part), and the one the blob will get. */
  requestedPathname: string;
  pathname: string;
  options: PutOptions;
  parts: Map<number, { etag: string; body: Buffer }>;
  createdAt: Date;
};

export type BlobErrorScript = { status: number; code: string; message?: string };

type PutOptions = {
  access: "public" | "private";
  contentType: string | undefined;
  addRandomSuffix: boolean;
  allowOverwrite: boolean;
  cacheControlMaxAge: number;
  ifMatch: string | undefined;
  maximumSizeInBytes: number | undefined;
};

/** What a client token carries (the SDK's generateClientTokenFromReadWriteToken). */
export type ClientTokenPayload = {
  pathname: string;
  validUntil: number;
  maximumSizeInBytes?: number;
  allowedContentTypes?: string[];
  addRandomSuffix?: boolean;
  allowOverwrite?: boolean;
  cacheControlMaxAge?: number;
  ifMatch?: string;
  onUploadCompleted?: { callbackUrl: string; tokenPayload?: string | null };
};

type Auth = { kind: "rw" } | { kind: "client"; payload: ClientTokenPayload };

class BlobApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const MIN_PART_BYTES = 5 * 1024 * 1024;
const DEFAULT_CACHE_MAX_AGE = 30 * 24 * 3600;
const BLOB_HOST = /^([a-z0-9]+)\.(public|private)\.blob\.vercel-storage\.com(:\d+)?$/i;
const CONTENT_TYPES: Record<string, string> = { json: "application/json", zip: "application/zip", txt: "text/plain", csv: "text/csv", md: "text/markdown", html: "text/html", sqlite: "application/vnd.sqlite3" };

const alphanumeric = (length: number) => {
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from(randomBytes(length), (b) => chars[b % chars.length]).join("");
};
const etagOf = (body: Buffer) => `"${createHash("md5").update(body).digest("hex")}"`;
const header = (req: IncomingMessage, name: string) => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export class FakeBlob extends LocalServer {
  readonly storeId = alphanumeric(16);
  /** A read-write token of this store, shaped like Vercel's. */
  readonly token = `vercel_blob_rw_${this.storeId}_${alphanumeric(30)}`;
  readonly requests: BlobRequest[] = [];
  readonly blobs = new Map<string, StoredBlob>();
  readonly uploads = new Map<string, MultipartUpload>();
  private readonly failures = new Map<BlobOperation, BlobErrorScript[]>();

  /** `access` is the store's: Vercel stores are either public or private. */
  constructor(readonly access: "public" | "private" = "private") {
    super();
  }

  /** What to put in VERCEL_BLOB_API_URL. */
  get apiUrl(): string {
    return `${this.origin}/api/blob`;
  }

  /** A blob's URL (host names are lower case; the SDK's get() builds the same URL with the token's store id). */
  urlOf(pathname: string, access: "public" | "private" = this.access): string {
    return `https://${this.storeId.toLowerCase()}.${access}.blob.vercel-storage.com/${pathname}`;
  }

  reset(): void {
    this.requests.length = 0;
    this.blobs.clear();
    this.uploads.clear();
    this.failures.clear();
  }

  /** The next request of `op` gets this Blob error instead of its answer. */
  failNext(op: BlobOperation, error: BlobErrorScript): this {
    this.failures.set(op, [...(this.failures.get(op) ?? []), error]);
    return this;
  }

  requestsFor(op: BlobOperation): BlobRequest[] {
    return this.requests.filter((r) => r.op === op);
  }

  /**
   * An undici dispatcher that sends connections for `*.blob.vercel-storage.com` (https included: the fake
   * speaks plain HTTP on the socket, there is no TLS) to this server and every other host through undici's
   * normal connector.
   */
  dispatcher(): Agent {
    const normal = buildConnector({});
    return new Agent({
      connect: (options, callback) => {
        if (!/\.blob\.vercel-storage\.com$/i.test(options.hostname)) return normal(options, callback);
        const socket = connect({ host: "127.0.0.1", port: this.port });
        const failed = (error: Error) => callback(error, null);
        socket.once("error", failed);
        socket.once("connect", () => {
          socket.off("error", failed);
          callback(null, socket);
        });
      },
    });
  }

  /** Makes `dispatcher()` undici's (and so Node's fetch's) global dispatcher; the returned function restores the previous one. */
  install(): () => Promise<void> {
    const previous: Dispatcher = getGlobalDispatcher();
    const agent = this.dispatcher();
    setGlobalDispatcher(agent);
    return async () => {
      setGlobalDispatcher(previous);
      await agent.close();
    };
  }

  // ---- the server ------------------------------------------------------------------------------------------

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake-blob");
    const host = header(req, "host") ?? "";
    const authorization = header(req, "authorization");
    const record: BlobRequest = {
      op: this.operationOf(req, url, host),
      method: req.method ?? "",
      host,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams.entries()),
      headers: { ...req.headers },
      token: authorization?.startsWith("Bearer ") ? authorization.slice(7) : null,
      bytes: 0,
      status: 0,
      aborted: false,
    };
    this.requests.push(record);
    let body: Buffer;
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      body = Buffer.concat(chunks);
    } catch {
      // The client gave up mid-body (the SDK aborts the other parts when one fails).
      record.aborted = true;
      return;
    }
    record.bytes = body.length;
    const answer = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      if (res.destroyed) return;
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(payload));
    };
    try {
      const scripted = this.failures.get(record.op)?.shift();
      if (scripted) throw new BlobApiError(scripted.status, scripted.code, scripted.message ?? `Scripted ${scripted.code}.`);
      if (BLOB_HOST.test(host)) return this.serveContent(req, res, url, host, record);
      const auth = this.authenticate(record.token);
      if (auth.kind === "client" && !["put", "mpu-create", "mpu-upload", "mpu-complete"].includes(record.op)) {
        throw new BlobApiError(403, "client_token_not_allowed", "This operation is not available when using a client token. Use a read-write token on the server.");
      }
      switch (record.op) {
        case "put":
          return answer(200, this.put(req, url, auth, body));
        case "mpu-create":
          return answer(200, this.createUpload(req, url, auth));
        case "mpu-upload":
          return answer(200, this.uploadPart(req, url, body));
        case "mpu-complete":
          return answer(200, this.completeUpload(req, url, body));
        case "head":
          return answer(200, this.head(url.searchParams.get("url")!));
        case "delete":
          return answer(200, this.del(body));
        default:
          throw new BlobApiError(400, "bad_request", `The fake Blob API does not speak ${req.method} ${url.pathname}${url.search}.`);
      }
    } catch (error) {
      if (error instanceof BlobApiError) return answer(error.status, { error: { code: error.code, message: error.message } });
      return answer(500, { error: { code: "internal_server_error", message: String(error) } });
    }
  }

  private operationOf(req: IncomingMessage, url: URL, host: string): BlobOperation {
    if (BLOB_HOST.test(host)) return "get";
    const path = url.pathname.replace(/^\/api\/blob/, "") || "/";
    if (req.method === "PUT" && path === "/" && url.searchParams.has("pathname") && !url.searchParams.has("fromUrl")) return "put";
    if (req.method === "POST" && path === "/mpu") {
      const action = header(req, "x-mpu-action");
      if (action === "create" || action === "upload" || action === "complete") return `mpu-${action}`;
    }
    if (req.method === "GET" && path === "/") return url.searchParams.has("url") ? "head" : "list";
    if (req.method === "POST" && path === "/delete") return "delete";
    return "unknown";
  }

  private authenticate(token: string | null): Auth {
    const denied = new BlobApiError(403, "forbidden", "Access denied, please provide a valid token for this resource.");
    if (!token) throw denied;
    if (token.startsWith("vercel_blob_rw_")) {
      const a = Buffer.from(token);
      const b = Buffer.from(this.token);
      if (a.length === b.length && timingSafeEqual(a, b)) return { kind: "rw" };
      throw denied;
    }
    if (token.startsWith("vercel_blob_client_")) {
      const [, , , storeId, encoded = ""] = token.split("_");
      if (storeId !== this.storeId) throw denied;
      const [signature = "", payload = ""] = Buffer.from(encoded, "base64").toString().split(".");
      const expected = createHmac("sha256", this.token).update(payload).digest("hex");
      if (signature.length !== expected.length || !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) throw denied;
      return { kind: "client", payload: JSON.parse(Buffer.from(payload, "base64").toString()) as ClientTokenPayload };
    }
    throw denied;
  }

  /** The options of a put: headers for a read-write token; for a client token what it was issued with. */
  private putOptions(req: IncomingMessage, pathname: string | null, auth: Auth): PutOptions {
    if (!pathname) throw new BlobApiError(400, "bad_request", "pathname is required");
    if (pathname.length > 950 || pathname.includes("//")) throw new BlobApiError(400, "bad_request", `Invalid pathname "${pathname}".`);
    const access = header(req, "x-vercel-blob-access");
    if (access !== "public" && access !== "private") throw new BlobApiError(400, "bad_request", 'access must be "private" or "public".');
    if (access !== this.access) throw new BlobApiError(400, "bad_request", `Cannot use ${access} access on a ${this.access} store.`);
    const contentType = header(req, "x-content-type");
    const maxAge = header(req, "x-cache-control-max-age");
    const options: PutOptions = {
      access,
      contentType,
      addRandomSuffix: header(req, "x-add-random-suffix") === "1",
      allowOverwrite: header(req, "x-allow-overwrite") === "1",
      cacheControlMaxAge: maxAge !== undefined ? Number(maxAge) : DEFAULT_CACHE_MAX_AGE,
      ifMatch: header(req, "x-if-match"),
      maximumSizeInBytes: undefined,
    };
    if (auth.kind === "client") {
      const p = auth.payload;
      if (p.pathname !== pathname) throw new BlobApiError(400, "bad_request", `The "pathname" ${pathname} does not match the token payload (${p.pathname})`);
      if (!Number.isFinite(p.validUntil) || Date.now() > p.validUntil) throw new BlobApiError(403, "forbidden", "Token expired");
      if (p.allowedContentTypes && !p.allowedContentTypes.some((t) => (contentType ?? "").startsWith(t.replace(/\*$/, "")))) {
        throw new BlobApiError(400, "bad_request", `contentType ${contentType ?? "(none)"} is not allowed`);
      }
      options.addRandomSuffix = p.addRandomSuffix ?? false;
      options.allowOverwrite = p.allowOverwrite ?? false;
      options.cacheControlMaxAge = p.cacheControlMaxAge ?? DEFAULT_CACHE_MAX_AGE;
      options.ifMatch = p.ifMatch ?? options.ifMatch;
      options.maximumSizeInBytes = p.maximumSizeInBytes;
    }
    return options;
  }

  private finalPathname(pathname: string, options: PutOptions): string {
    if (!options.addRandomSuffix) return pathname;
    const dot = pathname.lastIndexOf(".");
    const slash = pathname.lastIndexOf("/");
    const suffix = `-${alphanumeric(30)}`;
    return dot > slash ? `${pathname.slice(0, dot)}${suffix}${pathname.slice(dot)}` : `${pathname}${suffix}`;
  }

  private checkWrite(pathname: string, options: PutOptions, size: number): void {
    if (options.maximumSizeInBytes !== undefined && size > options.maximumSizeInBytes) {
      throw new BlobApiError(400, "bad_request", `File is too large: the file length cannot be greater than ${options.maximumSizeInBytes} bytes`);
    }
    const existing = this.blobs.get(pathname);
    if (options.ifMatch !== undefined && existing?.etag !== options.ifMatch) throw new BlobApiError(412, "precondition_failed", "Precondition failed: ETag mismatch.");
    if (existing && !options.allowOverwrite) {
      throw new BlobApiError(400, "bad_request", "This blob already exists, use `allowOverwrite: true` if you want to overwrite it. Or `addRandomSuffix: true` to generate a unique filename.");
    }
  }

  private store(pathname: string, options: PutOptions, body: Buffer) {
    const extension = pathname.includes(".") ? pathname.slice(pathname.lastIndexOf(".") + 1).toLowerCase() : "";
    const blob: StoredBlob = {
      pathname,
      access: options.access,
      body,
      contentType: options.contentType ?? CONTENT_TYPES[extension] ?? "application/octet-stream",
      cacheControlMaxAge: options.cacheControlMaxAge,
      etag: etagOf(body),
      uploadedAt: new Date(),
    };
    this.blobs.set(pathname, blob);
    return this.describe(blob);
  }

  private describe(blob: StoredBlob) {
    const url = this.urlOf(blob.pathname, blob.access);
    const name = blob.pathname.slice(blob.pathname.lastIndexOf("/") + 1);
    return {
      url,
      downloadUrl: `${url}?download=1`,
      pathname: blob.pathname,
      contentType: blob.contentType,
      contentDisposition: `${blob.access === "private" ? "attachment" : "inline"}; filename="${name}"`,
      etag: blob.etag,
    };
  }

  private put(req: IncomingMessage, url: URL, auth: Auth, body: Buffer) {
    const options = this.putOptions(req, url.searchParams.get("pathname"), auth);
    const pathname = this.finalPathname(url.searchParams.get("pathname")!, options);
    this.checkWrite(pathname, options, body.length);
    return this.store(pathname, options, body);
  }

  private createUpload(req: IncomingMessage, url: URL, auth: Auth) {
    const requestedPathname = url.searchParams.get("pathname");
    const options = this.putOptions(req, requestedPathname, auth);
    const pathname = this.finalPathname(requestedPathname!, options);
    this.checkWrite(pathname, options, 0);
    const upload: MultipartUpload = { uploadId: alphanumeric(32), key: pathname, requestedPathname: requestedPathname!, pathname, options, parts: new Map(), createdAt: new Date() };
    this.uploads.set(upload.uploadId, upload);
    return { key: upload.key, uploadId: upload.uploadId };
  }

  private ongoingUpload(req: IncomingMessage, url: URL): MultipartUpload {
    const upload = this.uploads.get(header(req, "x-mpu-upload-id") ?? "");
    if (!upload) throw new BlobApiError(404, "not_found", "The multipart upload does not exist.");
    if (decodeURIComponent(header(req, "x-mpu-key") ?? "") !== upload.key || url.searchParams.get("pathname") !== upload.requestedPathname) {
      throw new BlobApiError(400, "bad_request", "x-mpu-key or pathname does not match the multipart upload.");
    }
    return upload;
  }

  private uploadPart(req: IncomingMessage, url: URL, body: Buffer) {
    const upload = this.ongoingUpload(req, url);
    const partNumber = Number(header(req, "x-mpu-part-number"));
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) throw new BlobApiError(400, "bad_request", "x-mpu-part-number must be between 1 and 10000.");
    const part = { etag: etagOf(body), body };
    upload.parts.set(partNumber, part);
    const total = [...upload.parts.values()].reduce((n, p) => n + p.body.length, 0);
    if (upload.options.maximumSizeInBytes !== undefined && total > upload.options.maximumSizeInBytes) {
      throw new BlobApiError(400, "bad_request", `File is too large: the file length cannot be greater than ${upload.options.maximumSizeInBytes} bytes`);
    }
    return { etag: part.etag };
  }

  private completeUpload(req: IncomingMessage, url: URL, body: Buffer) {
    const upload = this.ongoingUpload(req, url);
    let parts: { partNumber: number; etag: string }[];
    try {
      parts = JSON.parse(body.toString("utf8"));
    } catch {
      throw new BlobApiError(400, "bad_request", "The body must be the JSON list of parts.");
    }
    if (!Array.isArray(parts) || parts.length === 0) throw new BlobApiError(400, "bad_request", "A multipart upload needs at least one part.");
    const ordered = [...parts].sort((a, b) => a.partNumber - b.partNumber);
    const bodies = ordered.map((p, i) => {
      const stored = upload.parts.get(p.partNumber);
      if (!stored || stored.etag !== p.etag || ordered[i - 1]?.partNumber === p.partNumber) throw new BlobApiError(400, "bad_request", `Part ${p.partNumber} was not uploaded with that etag.`);
      // As in S3, which stores the parts: every part but the last is at least 5 MiB.
      if (i < ordered.length - 1 && stored.body.length < MIN_PART_BYTES) throw new BlobApiError(400, "bad_request", `Part ${p.partNumber} is smaller than the minimum part size (5 MiB).`);
      return stored.body;
    });
    const all = Buffer.concat(bodies);
    this.checkWrite(upload.pathname, upload.options, all.length);
    this.uploads.delete(upload.uploadId);
    return this.store(upload.pathname, upload.options, all);
  }

  /** A pathname, or a URL of this store. */
  private pathnameOf(urlOrPathname: string): string {
    if (!/^https?:\/\//.test(urlOrPathname)) return urlOrPathname;
    const url = new URL(urlOrPathname);
    const match = BLOB_HOST.exec(url.host);
    if (!match || match[1]!.toLowerCase() !== this.storeId.toLowerCase()) throw new BlobApiError(404, "not_found", "The requested blob does not exist");
    return decodeURIComponent(url.pathname.slice(1));
  }

  private head(urlOrPathname: string) {
    const blob = this.blobs.get(this.pathnameOf(urlOrPathname));
    if (!blob) throw new BlobApiError(404, "not_found", "The requested blob does not exist");
    return {
      ...this.describe(blob),
      size: blob.body.length,
      cacheControl: `${blob.access}, max-age=${blob.cacheControlMaxAge}`,
      uploadedAt: blob.uploadedAt.toISOString(),
    };
  }

  private del(body: Buffer) {
    let urls: unknown;
    try {
      urls = (JSON.parse(body.toString("utf8")) as { urls?: unknown }).urls;
    } catch {
      urls = undefined;
    }
    if (!Array.isArray(urls) || !urls.every((u) => typeof u === "string")) throw new BlobApiError(400, "bad_request", "urls must be a list of blob URLs or pathnames.");
    for (const u of urls) {
      try {
        this.blobs.delete(this.pathnameOf(u));
      } catch {
        // Another store's URL: nothing of ours to delete.
      }
    }
    return {};
  }

  private serveContent(req: IncomingMessage, res: ServerResponse, url: URL, host: string, record: BlobRequest): void {
    const [, storeId, access] = BLOB_HOST.exec(host)!;
    const text = (status: number, message: string) => {
      record.status = status;
      res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
      res.end(req.method === "HEAD" ? undefined : message);
    };
    if (req.method !== "GET" && req.method !== "HEAD") return text(405, "Method Not Allowed");
    // Host names are case-insensitive (URL parsers lower-case them); store ids in tokens are not.
    const blob = storeId!.toLowerCase() === this.storeId.toLowerCase() ? this.blobs.get(decodeURIComponent(url.pathname.slice(1))) : undefined;
    if (access === "private" && record.token !== this.token) return text(403, "Forbidden");
    if (!blob || blob.access !== access) return text(404, "The requested blob does not exist");
    const name = blob.pathname.slice(blob.pathname.lastIndexOf("/") + 1);
    const headers = {
      "content-type": blob.contentType,
      "content-length": String(blob.body.length),
      etag: blob.etag,
      "last-modified": blob.uploadedAt.toUTCString(),
      "cache-control": `${blob.access}, max-age=${blob.cacheControlMaxAge}`,
      "content-disposition": `${url.searchParams.get("download") === "1" ? "attachment" : "inline"}; filename="${name}"`,
    };
    if (header(req, "if-none-match") === blob.etag) {
      record.status = 304;
      res.writeHead(304, { etag: blob.etag });
      return void res.end();
    }
    record.status = 200;
    res.writeHead(200, headers);
    res.end(req.method === "HEAD" ? undefined : blob.body);
  }
}

/**
 * One fake Blob store per test file, with the undici dispatcher that reaches it installed for the file and
 * the previous one restored afterwards; blobs and records are cleared after every test.
 */
export function useFakeBlob(access: "public" | "private" = "private"): FakeBlob {
  const fake = new FakeBlob(access);
  let restore: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    await fake.start();
    restore = fake.install();
  });
  afterAll(async () => {
    await restore?.();
    await fake.stop();
  });
  afterEach(() => fake.reset());
  return fake;
}

const ENV_KEYS = ["BLOB_READ_WRITE_TOKEN", "VERCEL_BLOB_API_URL", "VERCEL_BLOB_RETRIES"] as const;
type EnvKey = (typeof ENV_KEYS)[number];
export type BlobEnvVars = Partial<Record<EnvKey, string | undefined>>;

/**
 * Sets the Blob environment variables for one test (through the one env module, so getFileStorage() follows)
 * and restores them afterwards. Every test starts with Blob off.
 */
export function useBlobEnv(): (vars: BlobEnvVars) => void {
  return useEnvVars(ENV_KEYS);
}

/**
 * Blob configured the way an operator would (BLOB_READ_WRITE_TOKEN), with the SDK's API pointed at the fake.
 * No retries: the SDK retries unknown errors up to 10 times with back-off, which would only slow a failure down.
 */
export function blobEnv(fake: FakeBlob, extra: BlobEnvVars = {}): BlobEnvVars {
  return { BLOB_READ_WRITE_TOKEN: fake.token, VERCEL_BLOB_API_URL: fake.apiUrl, VERCEL_BLOB_RETRIES: "0", ...extra };
}

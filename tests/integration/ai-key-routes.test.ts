import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it as vitestIt, vi } from "vitest";
import { applicationKey, decryptSecret, encryptSecret, resetApplicationKey } from "../../src/server/ai/key-vault";
import { aiKeyRoute, aiKeyTestRoute, optimizeRoute, planRoute, providerKeyRows, USER_KEY, useAiEnv, useFakeOpenAi } from "../helpers/ai";
import { useTestDatabase } from "../helpers/db";
import { createPrompt, createUser, type TestUser } from "../helpers/factories";
import { call } from "../helpers/http";
import { sampleOutput } from "../helpers/fake-openai";

const SECOND_KEY = "sk-proj-REPLACEMENT-22222222222222222222222222222cccc";
const REVOKED_KEY = "sk-proj-REVOKED-33333333333333333333333333333333dddd";

/**
 * Everything written to the console or to stdout/stderr while a test runs (still passed through), so a test
 * can prove a secret never reached a log.
 */
function captureOutput() {
  const written: string[] = [];
  const record = (...args: unknown[]) => {
    written.push(args.map((a) => (typeof a === "string" ? a : a instanceof Error ? `${a.message}\n${a.stack}` : safeJson(a))).join(" "));
  };
  const spies = [
    ...(["log", "info", "warn", "error", "debug", "trace"] as const).map((level) => vi.spyOn(console, level).mockImplementation(record)),
    ...[process.stdout, process.stderr].map((stream) => {
      const original = stream.write.bind(stream);
      return vi.spyOn(stream, "write").mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
        written.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
        return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write);
    }),
  ];
  return { text: () => written.join("\n"), restore: () => spies.forEach((s) => s.mockRestore()) };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

describe("bring your own key: /api/settings/ai-key", () => {
  const db = useTestDatabase();
  const fake = useFakeOpenAi();
  const setEnv = useAiEnv();
  let output: ReturnType<typeof captureOutput>;
  /** Every response body of the test, to search for the full key. */
  const bodies: string[] = [];

  beforeEach(() => {
    bodies.length = 0;
    output = captureOutput();
  });
  afterEach(() => output.restore());

  /**
   * A test that ends by proving no key leaked: not the whole key, nor all of it but the last four, in any
   * response body or any line written to the console, stdout or stderr. (Checked inside the test, not in an
   * afterEach, so a failure is reported as the test's and never skips the database's clean-up.)
   */
  function it(name: string, fn: () => Promise<void>) {
    vitestIt(name, async () => {
      await fn();
      const texts = [...bodies, output.text()];
      expect(texts.join("").length).toBeGreaterThan(0);
      for (const secret of [USER_KEY, SECOND_KEY, REVOKED_KEY]) {
        for (const text of texts) {
          expect(text).not.toContain(secret);
          expect(text).not.toContain(secret.slice(0, -4));
        }
      }
    });
  }

  async function send(user: TestUser | undefined, method: "GET" | "PUT" | "DELETE" | "POST", body?: unknown, rawBody?: string) {
    const handler = method === "POST" ? aiKeyTestRoute.POST : aiKeyRoute[method];
    const res = await call(handler, method, "/api/settings/ai-key", { cookie: user?.cookie, body, rawBody, headers: rawBody ? { "content-type": "application/json" } : undefined });
    bodies.push(res.text);
    return res;
  }

  it("answers 401 without a session, and stores nothing", async () => {
    const user = await createUser(db());
    for (const [method, body] of [["GET"], ["PUT", { apiKey: USER_KEY, baseUrl: fake.baseURL }], ["DELETE"], ["POST"]] as const) {
      const res = await send(undefined, method, body);
      expect(res.status, method).toBe(401);
    }
    expect(fake.requests).toEqual([]);
    expect(await providerKeyRows(db(), user.id)).toEqual([]);
  });

  it("add (checked with GET /v1/models) → stored encrypted → read shows last4 → test → replace → delete", async () => {
    const user = await createUser(db());
    expect((await send(user, "GET")).json).toEqual({ key: null });

    const put = await send(user, "PUT", { apiKey: USER_KEY, baseUrl: fake.baseURL, model: "gpt-4o-mini" });
    expect(put.status).toBe(200);
    expect(put.json.key).toEqual({ provider: "openai", last4: "bbbb", baseUrl: fake.baseURL, model: "gpt-4o-mini", lastTestedAt: expect.any(String), updatedAt: expect.any(String) });
    expect(fake.requests.map((r) => [r.method, r.path, r.headers.authorization])).toEqual([["GET", "/v1/models", `Bearer ${USER_KEY}`]]);

    // At rest: AES-GCM ciphertext that does not contain the key, and decrypts back to it with the app key.
    const [row, ...others] = await providerKeyRows(db(), user.id);
    expect(others).toEqual([]);
    expect(row!.ciphertext).toMatch(/^v1:[A-Za-z0-9+/]+=*$/);
    expect(row!.ciphertext).not.toContain(USER_KEY);
    expect(Buffer.from(row!.ciphertext.slice(3), "base64").toString("latin1")).not.toContain(USER_KEY.slice(8, 30));
    expect(row!.last4).toBe("bbbb");
    expect(decryptSecret(row!.ciphertext)).toBe(USER_KEY);
    // A second encryption of the same key differs (random IV).
    expect(encryptSecret(USER_KEY)).not.toBe(row!.ciphertext);

    const got = await send(user, "GET");
    expect(got.status).toBe(200);
    expect(got.json).toEqual({ key: put.json.key });
    expect(Object.keys(got.json.key)).not.toContain("apiKey");
    expect(Object.keys(got.json.key)).not.toContain("ciphertext");
    expect(got.text).not.toContain(row!.ciphertext);

    const tested = await send(user, "POST");
    expect(tested.status).toBe(200);
    expect(tested.json.key.last4).toBe("bbbb");
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1]!.headers.authorization).toBe(`Bearer ${USER_KEY}`);

    const replaced = await send(user, "PUT", { apiKey: SECOND_KEY, baseUrl: fake.baseURL });
    expect(replaced.status).toBe(200);
    expect(replaced.json.key).toMatchObject({ last4: "cccc", model: null });
    const rows = await providerKeyRows(db(), user.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).toBe(row!.id);
    expect(decryptSecret(rows[0]!.ciphertext)).toBe(SECOND_KEY);
    expect(fake.requests[2]!.headers.authorization).toBe(`Bearer ${SECOND_KEY}`);

    const deleted = await send(user, "DELETE");
    expect(deleted.status).toBe(204);
    expect(await providerKeyRows(db(), user.id)).toEqual([]);
    expect((await send(user, "GET")).json).toEqual({ key: null });
    expect((await send(user, "DELETE")).status).toBe(404);
    expect((await send(user, "POST")).status).toBe(404);
  });

  it("a key the service rejects (401) → 422 with a clear message, nothing stored, the previous key kept", async () => {
    // This server even repeats the whole key in its error message: none of it may reach the user or a log.
    fake.acceptedKeys = new Set([USER_KEY]);
    fake.echoKeyInErrors = true;
    const user = await createUser(db());

    const refused = await send(user, "PUT", { apiKey: REVOKED_KEY, baseUrl: fake.baseURL });
    expect(refused.status).toBe(422);
    expect(refused.json.error).toMatchObject({
      code: "invalid",
      message: "The key did not work: The AI service refused the API key. Check the key (and its base URL) in Settings.",
      details: { reason: "auth" },
    });
    expect(fake.requests.map((r) => r.apiKey)).toEqual([REVOKED_KEY]);
    expect(await providerKeyRows(db(), user.id)).toEqual([]);

    // With a working key stored, a rejected replacement leaves it in place.
    expect((await send(user, "PUT", { apiKey: USER_KEY, baseUrl: fake.baseURL })).status).toBe(200);
    expect((await send(user, "PUT", { apiKey: REVOKED_KEY, baseUrl: fake.baseURL })).status).toBe(422);
    const [row] = await providerKeyRows(db(), user.id);
    expect(decryptSecret(row!.ciphertext)).toBe(USER_KEY);
    expect((await send(user, "GET")).json.key.last4).toBe("bbbb");

    // A stored key that stops working: the test says so and does not touch it.
    fake.acceptedKeys = new Set(["sk-someone-else"]);
    const test = await send(user, "POST");
    expect(test.status).toBe(422);
    expect(test.json.error.message).toContain("refused the API key");
    expect(await providerKeyRows(db(), user.id)).toHaveLength(1);
  });

  it("bad input → 422 without echoing the key: too short, bad base URL, not JSON, unreachable server", async () => {
    const user = await createUser(db());
    const cases: [unknown, string | undefined, string][] = [
      [{ apiKey: "sk-1" }, undefined, "apiKey"],
      [{ apiKey: USER_KEY, baseUrl: "not a url" }, undefined, "baseUrl"],
      [{ apiKey: USER_KEY, baseUrl: fake.baseURL, model: "" }, undefined, "model"],
      [{ key: USER_KEY }, undefined, "apiKey"],
      [undefined, `{"apiKey": "${USER_KEY}"`, "(json)"],
    ];
    for (const [body, raw, field] of cases) {
      const res = await send(user, "PUT", body, raw);
      expect(res.status, field).toBe(422);
      expect(res.json.error.code).toBe("invalid");
      if (field !== "(json)") expect(res.json.error.details.fields.map((f: { path: string }) => f.path)).toContain(field);
    }
    expect(fake.requests).toEqual([]);

    // Nothing listens on this port: the check fails, clearly, and nothing is stored.
    await fake.stop();
    const closedUrl = fake.baseURL;
    await fake.start();
    const unreachable = await send(user, "PUT", { apiKey: USER_KEY, baseUrl: closedUrl });
    expect(unreachable.status).toBe(422);
    expect(unreachable.json.error.message).toBe("The key did not work: Could not reach the AI service. Check the base URL and your network; nothing was saved.");
    expect(await providerKeyRows(db(), user.id)).toEqual([]);
  });

  it("the stored key is used for optimizing, and neither that call nor its failure exposes it", async () => {
    const user = await createUser(db());
    const prompt = await createPrompt(db(), user.id);
    expect((await send(user, "PUT", { apiKey: USER_KEY, baseUrl: fake.baseURL })).status).toBe(200);

    fake.enqueue({ kind: "optimization", output: sampleOutput() }, { kind: "error", status: 401 });
    for (const expected of [201, 503]) {
      const res = await call(optimizeRoute.POST, "POST", "/", { cookie: user.cookie, params: { id: prompt.id }, body: {} });
      bodies.push(res.text);
      expect(res.status).toBe(expected);
    }
    const plan = await call(planRoute.GET, "GET", "/", { cookie: user.cookie });
    bodies.push(plan.text);
    expect(plan.json).toMatchObject({ keySource: "user", hasOwnKey: true });
    expect(fake.chatRequests().map((r) => r.apiKey)).toEqual([USER_KEY, USER_KEY]);
  });

  it("other users never see or use someone's key", async () => {
    const owner = await createUser(db());
    const other = await createUser(db());
    expect((await send(owner, "PUT", { apiKey: USER_KEY, baseUrl: fake.baseURL })).status).toBe(200);
    expect((await send(other, "GET")).json).toEqual({ key: null });
    expect((await send(other, "DELETE")).status).toBe(404);
    expect((await send(other, "POST")).status).toBe(404);
    expect(await providerKeyRows(db(), owner.id)).toHaveLength(1);
    // Without AI configured, the other user's optimizations run on the built-in engine.
    const prompt = await createPrompt(db(), other.id);
    const res = await call(optimizeRoute.POST, "POST", "/", { cookie: other.cookie, params: { id: prompt.id }, body: {} });
    expect(res.json).toMatchObject({ engine: "builtin", keySource: "none" });
    expect(fake.chatRequests()).toEqual([]);
  });

  describe("the application encryption key", () => {
    let dataDir: string;
    beforeEach(() => {
      dataDir = mkdtempSync(path.join(tmpdir(), "pv-keyvault-"));
    });
    afterEach(() => {
      rmSync(dataDir, { recursive: true, force: true });
    });

    it("APP_ENCRYPTION_KEY set (32 bytes, base64): keys are encrypted under it, and nothing is written to DATA_DIR", async () => {
      const appKey = randomBytes(32);
      setEnv({ APP_ENCRYPTION_KEY: appKey.toString("base64"), DATA_DIR: dataDir });
      const user = await createUser(db());
      expect((await send(user, "PUT", { apiKey: USER_KEY, baseUrl: fake.baseURL })).status).toBe(200);
      const [row] = await providerKeyRows(db(), user.id);
      expect(decryptSecret(row!.ciphertext, appKey)).toBe(USER_KEY);
      // Authenticated encryption: another key cannot read it.
      expect(() => decryptSecret(row!.ciphertext, randomBytes(32))).toThrow();
      expect(() => statSync(path.join(dataDir, "app-encryption.key"))).toThrow();
    });

    it("without APP_ENCRYPTION_KEY: one is generated into DATA_DIR (0600) and reused after a restart", async () => {
      setEnv({ APP_ENCRYPTION_KEY: undefined, DATA_DIR: dataDir });
      const user = await createUser(db());
      expect((await send(user, "PUT", { apiKey: USER_KEY, baseUrl: fake.baseURL })).status).toBe(200);

      const file = path.join(dataDir, "app-encryption.key");
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const generated = Buffer.from(readFileSync(file, "utf8").trim(), "base64");
      expect(generated).toHaveLength(32);
      const [row] = await providerKeyRows(db(), user.id);
      expect(decryptSecret(row!.ciphertext, generated)).toBe(USER_KEY);

      // A restart (forgotten cache) reads the same key back from the file: the stored key still works.
      resetApplicationKey();
      expect(applicationKey().equals(generated)).toBe(true);
      const tested = await send(user, "POST");
      expect(tested.status).toBe(200);
      expect(fake.requests.at(-1)!.apiKey).toBe(USER_KEY);
    });

    it("an APP_ENCRYPTION_KEY of the wrong length is refused, with a message saying how to make one", async () => {
      setEnv({ APP_ENCRYPTION_KEY: randomBytes(16).toString("base64"), DATA_DIR: dataDir });
      expect(() => applicationKey()).toThrow("APP_ENCRYPTION_KEY must be 32 bytes, base64-encoded (e.g. `openssl rand -base64 32`).");
      const user = await createUser(db());
      const res = await send(user, "PUT", { apiKey: USER_KEY, baseUrl: fake.baseURL });
      expect(res.status).toBe(500);
      expect(res.json.error.code).toBe("internal");
      expect(await providerKeyRows(db(), user.id)).toEqual([]);
    });
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { reloadEnv } from "../../src/server/env";
import { ProviderKeyService } from "../../src/server/services/provider-key-service";
import { useTestDatabase } from "../helpers/db";
import { createUser } from "../helpers/factories";

describe("own-key base URLs cannot reach internal services", () => {
  const db = useTestDatabase();
  const saved = { NODE_ENV: process.env.NODE_ENV, AI_ALLOW_PRIVATE_BASE_URLS: process.env.AI_ALLOW_PRIVATE_BASE_URLS };
  afterEach(() => {
    Object.assign(process.env, saved);
    if (saved.AI_ALLOW_PRIVATE_BASE_URLS === undefined) delete process.env.AI_ALLOW_PRIVATE_BASE_URLS;
    reloadEnv();
  });

  const attempt = async (baseUrl: string) => {
    const user = await createUser(db());
    return new ProviderKeyService(db(), user.id).set({ apiKey: "sk-test-1234567890", baseUrl }, { skipCheck: true }).then(
      () => "stored",
      (e: { code?: string }) => e.code,
    );
  };

  it("refuses cloud metadata addresses always, private addresses in production unless allowed", async () => {
    expect(await attempt("http://169.254.169.254/latest/meta-data")).toBe("invalid");
    expect(await attempt("http://metadata.google.internal/v1")).toBe("invalid");
    expect(await attempt("http://127.0.0.1:11434/v1")).toBe("stored"); // development: a local model server is fine
    (process.env as Record<string, string>).NODE_ENV = "production";
    reloadEnv();
    for (const url of ["http://127.0.0.1:11434/v1", "http://localhost/v1", "http://10.0.0.5/v1", "http://192.168.1.2/v1", "http://172.20.0.1/v1", "http://[::1]/v1"]) {
      expect(await attempt(url), url).toBe("invalid");
    }
    expect(await attempt("https://api.example.com/v1")).toBe("stored");
    process.env.AI_ALLOW_PRIVATE_BASE_URLS = "true";
    reloadEnv();
    expect(await attempt("http://127.0.0.1:11434/v1")).toBe("stored");
    expect(await attempt("http://169.254.169.254/")).toBe("invalid");
  });
});

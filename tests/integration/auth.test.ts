import { count, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { SESSION_COOKIE } from "../../src/server/auth";
import { hashToken } from "../../src/server/auth/tokens";
import { sessions, signInAttempts, users } from "../../src/server/db/schema";
import { reloadEnv } from "../../src/server/env";
import { MAX_FAILURES_PER_EMAIL, RATE_WINDOW_MS } from "../../src/server/services/account-service";
import { useTestDatabase } from "../helpers/db";
import { createUser } from "../helpers/factories";
import { call } from "../helpers/http";
import { meRoute, promptsRoute, signInRoute, signOutRoute, signUpRoute } from "../helpers/routes";

const PASSWORD = "correct horse battery staple";

function sessionToken(setCookie: string | null): string {
  const match = setCookie?.match(new RegExp(`^${SESSION_COOKIE}=([^;]*)`));
  if (!match) throw new Error(`no session cookie in ${setCookie}`);
  return match[1]!;
}

describe("built-in accounts", () => {
  const db = useTestDatabase();
  const signUp = (body: unknown, headers: Record<string, string> = {}) => call(signUpRoute.POST, "POST", "/api/auth/sign-up", { body, headers });
  const signIn = (body: unknown, headers: Record<string, string> = {}) => call(signInRoute.POST, "POST", "/api/auth/sign-in", { body, headers });
  const me = (cookie?: string) => call(meRoute.GET, "GET", "/api/me", { cookie });

  it("signs up with an httpOnly SameSite=Lax session cookie; the first account is the admin", async () => {
    const res = await signUp({ email: "  Ada@Example.TEST ", password: PASSWORD, displayName: "Ada" }, { "user-agent": "vitest" });
    expect(res.status).toBe(201);
    expect(res.json.user).toMatchObject({ email: "ada@example.test", displayName: "Ada", isAdmin: true, plan: "free" });
    expect(res.json.user).not.toHaveProperty("passwordHash");
    const cookie = res.headers.get("set-cookie")!;
    const attributes = cookie.split(";").map((s) => s.trim().toLowerCase());
    expect(attributes).toContain("httponly");
    expect(attributes).toContain("samesite=lax");
    expect(attributes).toContain("path=/");
    expect(attributes.some((a) => a.startsWith("expires="))).toBe(true);
    // Not Secure on plain-http localhost in development/test.
    expect(attributes).not.toContain("secure");

    const token = sessionToken(cookie);
    const [row] = await db().select().from(users).where(eq(users.email, "ada@example.test"));
    expect(row).toMatchObject({ id: res.json.user.id, isAdmin: true, displayName: "Ada" });
    // Only the token's hash is stored.
    const [session] = await db().select().from(sessions).where(eq(sessions.userId, row!.id));
    expect(session!.tokenHash).toBe(hashToken(token));
    expect(session!.tokenHash).not.toBe(token);
    expect(session!.userAgent).toBe("vitest");

    const who = await me(`${SESSION_COOKIE}=${token}`);
    expect(who.status).toBe(200);
    expect(who.json).toMatchObject({ user: { id: row!.id, email: "ada@example.test" }, authMode: "local" });

    const second = await signUp({ email: "bob@example.test", password: PASSWORD });
    expect(second.status).toBe(201);
    expect(second.json.user).toMatchObject({ email: "bob@example.test", isAdmin: false, displayName: null });
  });

  it("stores passwords as scrypt hashes, never in plain text", async () => {
    await signUp({ email: "hash@example.test", password: PASSWORD });
    const [row] = await db().select({ passwordHash: users.passwordHash }).from(users).where(eq(users.email, "hash@example.test"));
    expect(row!.passwordHash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(row!.passwordHash).not.toContain(PASSWORD);
    expect(row!.passwordHash).not.toContain(Buffer.from(PASSWORD).toString("base64"));
    // Two accounts with the same password get different hashes (salted).
    await signUp({ email: "hash2@example.test", password: PASSWORD });
    const [row2] = await db().select({ passwordHash: users.passwordHash }).from(users).where(eq(users.email, "hash2@example.test"));
    expect(row2!.passwordHash).not.toBe(row!.passwordHash);
  });

  it("rejects bad sign-up input with 422", async () => {
    for (const body of [{}, { email: "not-an-email", password: PASSWORD }, { email: "a@example.test", password: "short" }, { email: "a@example.test" }, { password: PASSWORD }]) {
      const res = await signUp(body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.headers.get("set-cookie")).toBeNull();
    }
    expect((await call(signUpRoute.POST, "POST", "/", { rawBody: "{email" })).status).toBe(422);
    expect((await call(signInRoute.POST, "POST", "/", { rawBody: "{email" })).status).toBe(422);
    const [n] = await db().select({ n: count() }).from(users);
    expect(Number(n!.n)).toBe(0);
  });

  it("answers 409 for an email that already has an account, in any case", async () => {
    expect((await signUp({ email: "dup@example.test", password: PASSWORD })).status).toBe(201);
    const again = await signUp({ email: "DUP@example.test", password: "another password" });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe("conflict");
    expect(again.headers.get("set-cookie")).toBeNull();
    const rows = await db().select().from(users).where(eq(users.email, "dup@example.test"));
    expect(rows).toHaveLength(1);
  });

  it("signs in; a wrong password and an unknown email get the same answer", async () => {
    await signUp({ email: "carol@example.test", password: PASSWORD });
    const ok = await signIn({ email: "Carol@Example.test", password: PASSWORD });
    expect(ok.status).toBe(200);
    expect(ok.json.user.email).toBe("carol@example.test");
    expect((await me(`${SESSION_COOKIE}=${sessionToken(ok.headers.get("set-cookie"))}`)).status).toBe(200);

    const wrong = await signIn({ email: "carol@example.test", password: "wrong password" });
    const unknown = await signIn({ email: "nobody@example.test", password: "wrong password" });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(wrong.status);
    expect(unknown.json).toEqual(wrong.json);
    expect(wrong.headers.get("set-cookie")).toBeNull();
    expect(unknown.headers.get("set-cookie")).toBeNull();
    // A Clerk-style account without a password cannot be signed into with any password.
    await createUser(db(), { email: "nopassword@example.test" });
    const noPassword = await signIn({ email: "nopassword@example.test", password: "" });
    expect(noPassword.status).toBe(401);
    expect(noPassword.json).toEqual(wrong.json);
  });

  it("rate-limits an email after 5 failures: 429 with retry-after, even with the right password", async () => {
    await signUp({ email: "dave@example.test", password: PASSWORD });
    expect(MAX_FAILURES_PER_EMAIL).toBe(5);
    for (let i = 0; i < 5; i++) {
      // Different client addresses: the limit is per email too.
      const res = await signIn({ email: "dave@example.test", password: `wrong ${i}` }, { "x-forwarded-for": `203.0.113.${i}` });
      expect(res.status, `attempt ${i + 1}`).toBe(401);
    }
    const blocked = await signIn({ email: "DAVE@example.test", password: PASSWORD }, { "x-forwarded-for": "198.51.100.7" });
    expect(blocked.status).toBe(429);
    expect(blocked.json.error.code).toBe("rate_limited");
    expect(blocked.headers.get("retry-after")).toBe(String(RATE_WINDOW_MS / 1000));
    expect(blocked.headers.get("set-cookie")).toBeNull();
    // Other accounts are not affected.
    await signUp({ email: "erin@example.test", password: PASSWORD }, { "x-forwarded-for": "198.51.100.8" });
    expect((await signIn({ email: "erin@example.test", password: PASSWORD }, { "x-forwarded-for": "198.51.100.8" })).status).toBe(200);
    // Failures older than the window no longer count.
    await db().update(signInAttempts).set({ createdAt: new Date(Date.now() - RATE_WINDOW_MS - 60_000) }).where(eq(signInAttempts.identifier, "dave@example.test"));
    expect((await signIn({ email: "dave@example.test", password: PASSWORD })).status).toBe(200);
  });

  it("signs out by deleting the session: the cookie no longer works", async () => {
    const up = await signUp({ email: "frank@example.test", password: PASSWORD });
    const token = sessionToken(up.headers.get("set-cookie"));
    const cookie = `${SESSION_COOKIE}=${token}`;
    // A second browser's session survives signing out of the first.
    const other = await signIn({ email: "frank@example.test", password: PASSWORD });
    const otherCookie = `${SESSION_COOKIE}=${sessionToken(other.headers.get("set-cookie"))}`;

    const out = await call(signOutRoute.POST, "POST", "/api/auth/sign-out", { cookie });
    expect(out.status).toBe(204);
    const cleared = out.headers.get("set-cookie")!;
    expect(cleared).toMatch(new RegExp(`^${SESSION_COOKIE}=;`));
    expect(cleared.toLowerCase()).toContain("max-age=0");
    expect(await db().select().from(sessions).where(eq(sessions.tokenHash, hashToken(token)))).toEqual([]);
    expect((await me(cookie)).status).toBe(401);
    expect((await call(promptsRoute.GET, "GET", "/", { cookie })).status).toBe(401);
    expect((await me(otherCookie)).status).toBe(200);
    // Signing out without a session is harmless.
    expect((await call(signOutRoute.POST, "POST", "/api/auth/sign-out")).status).toBe(204);
  });

  it("rejects an expired session and deletes it", async () => {
    const user = await createUser(db());
    const token = user.cookie.split("=")[1]!;
    expect((await me(user.cookie)).status).toBe(200);
    await db().update(sessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(sessions.tokenHash, hashToken(token)));
    expect((await me(user.cookie)).status).toBe(401);
    expect(await db().select().from(sessions).where(eq(sessions.tokenHash, hashToken(token)))).toEqual([]);
  });

  it("refuses cross-origin POSTs to the auth routes with 403", async () => {
    await signUp({ email: "gina@example.test", password: PASSWORD });
    const evil = { origin: "https://evil.example" };
    const up = await signUp({ email: "mallory@example.test", password: PASSWORD }, evil);
    expect(up.status).toBe(403);
    const inn = await signIn({ email: "gina@example.test", password: PASSWORD }, evil);
    expect(inn.status).toBe(403);
    expect(inn.headers.get("set-cookie")).toBeNull();
    expect(await db().select().from(users).where(eq(users.email, "mallory@example.test"))).toEqual([]);
    const user = await createUser(db());
    const out = await call(signOutRoute.POST, "POST", "/api/auth/sign-out", { cookie: user.cookie, headers: evil });
    expect(out.status).toBe(403);
    expect((await me(user.cookie)).status).toBe(200);
  });
});

describe("built-in accounts while Clerk is configured", () => {
  const db = useTestDatabase();
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of ["CLERK_SECRET_KEY", "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY", "CLERK_WEBHOOK_SIGNING_SECRET"]) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    reloadEnv();
  });

  it("answer 404 on every /api/auth route", async () => {
    process.env.CLERK_SECRET_KEY = "sk_test_placeholder";
    process.env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY = "pk_test_placeholder";
    reloadEnv();
    const body = { email: "h@example.test", password: PASSWORD };
    for (const [name, handler] of [
      ["sign-up", signUpRoute.POST],
      ["sign-in", signInRoute.POST],
      ["sign-out", signOutRoute.POST],
    ] as const) {
      const res = await call(handler, "POST", `/api/auth/${name}`, { body });
      expect(res.status, name).toBe(404);
      expect(res.headers.get("set-cookie")).toBeNull();
    }
    expect(await db().select().from(users)).toEqual([]);
  });
});

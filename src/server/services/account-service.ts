import { and, count, eq, gt, lt, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import { sessions, signInAttempts, users } from "../db/schema";
import { getEnv } from "../env";
import { ServiceError } from "../errors";
import { decoyHash, hashPassword, verifyPassword } from "../auth/password";
import { hashToken, newSessionToken } from "../auth/tokens";
import { parseInput } from "./input";
import { appUserColumns, normalizeEmail, type AppUser } from "./users";

/** Advisory lock key taken by sign-ups while the instance has no account yet ("pv-first" in ASCII). */
const FIRST_ACCOUNT_LOCK = sql.raw(String(0x70762d6669727374n));

export const SESSION_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Sign-in limits per 15 minutes: failures for one email, and failures from one client address. */
export const RATE_WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_EMAIL = 5;
export const MAX_FAILURES_PER_IP = 30;
const MAX_SIGNUPS_PER_IP_PER_HOUR = 20;

const email = z.string().trim().toLowerCase().pipe(z.email("must be an email address")).pipe(z.string().max(254));
const signUpSchema = z.object({
  email,
  password: z.string().min(8, "must be at least 8 characters").max(200),
  displayName: z.string().trim().max(80).optional(),
});
const signInSchema = z.object({ email: z.string().trim().max(254), password: z.string().max(200) });

export type ClientInfo = { ip: string; userAgent?: string | null };
export type NewSession = { token: string; expiresAt: Date; user: AppUser };

const BAD_CREDENTIALS = "Email or password is incorrect.";

/**
 * Built-in accounts (used when Clerk is not configured): email + password, database sessions, and
 * sign-in rate limiting. Messages never say whether an email has an account.
 */
export class AccountService {
  constructor(private readonly db: Database) {}

  async signUp(rawInput: unknown, client: ClientInfo): Promise<NewSession> {
    const input = parseInput(signUpSchema, rawInput);
    await this.checkSignUpRate(client.ip);
    const passwordHash = await hashPassword(input.password);
    const env = getEnv();
    const adminEmails = env.ADMIN_EMAILS.split(",").map(normalizeEmail).filter(Boolean);
    try {
      const userId = await this.db.transaction(async (tx) => {
        // The first account of a self-hosted instance administers it. While there is none, sign-ups take a
        // transaction lock first, so two at once cannot both count zero accounts.
        let [{ n }] = (await tx.select({ n: count() }).from(users)) as [{ n: number }];
        if (Number(n) === 0) {
          await tx.execute(sql`select pg_advisory_xact_lock(${FIRST_ACCOUNT_LOCK})`);
          [{ n }] = (await tx.select({ n: count() }).from(users)) as [{ n: number }];
        }
        const [row] = await tx
          .insert(users)
          .values({
            email: input.email,
            passwordHash,
            displayName: input.displayName || null,
            plan: env.DEFAULT_PLAN,
            isAdmin: Number(n) === 0 || adminEmails.includes(input.email),
          })
          .returning({ id: users.id });
        await tx.insert(signInAttempts).values({ identifier: "sign-up", ip: client.ip, succeeded: true });
        return row!.id;
      });
      return this.createSession(userId, client);
    } catch (error) {
      if (isUniqueViolation(error, "users_email_unique")) {
        throw new ServiceError("conflict", "An account with this email cannot be created. If it is yours, sign in instead.");
      }
      throw error;
    }
  }

  async signIn(rawInput: unknown, client: ClientInfo): Promise<NewSession> {
    const input = parseInput(signInSchema, rawInput);
    const identifier = normalizeEmail(input.email);
    await this.checkSignInRate(identifier, client.ip);

    const [user] = await this.db.select({ id: users.id, passwordHash: users.passwordHash }).from(users).where(eq(users.email, identifier));
    const ok = await verifyPassword(input.password, user?.passwordHash ?? (await decoyHash()));
    await this.db.insert(signInAttempts).values({ identifier, ip: client.ip, succeeded: ok && Boolean(user?.passwordHash) });
    if (!ok || !user?.passwordHash) throw new ServiceError("unauthorized", BAD_CREDENTIALS);
    return this.createSession(user.id, client);
  }

  async signOut(token: string | undefined): Promise<void> {
    if (!token) return;
    await this.db.delete(sessions).where(eq(sessions.tokenHash, hashToken(token)));
  }

  /** The user behind a session cookie, or null. Sliding expiry: an active session is extended once a day. */
  async resolveSession(token: string | undefined): Promise<AppUser | null> {
    if (!token || token.length > 100) return null;
    const tokenHash = hashToken(token);
    const [row] = await this.db
      .select({ user: appUserColumns, expiresAt: sessions.expiresAt, lastSeenAt: sessions.lastSeenAt })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(eq(sessions.tokenHash, tokenHash));
    if (!row) return null;
    const now = Date.now();
    if (row.expiresAt.getTime() <= now) {
      await this.db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
      return null;
    }
    if (now - row.lastSeenAt.getTime() > DAY_MS) {
      await this.db
        .update(sessions)
        .set({ lastSeenAt: new Date(now), expiresAt: new Date(now + SESSION_DAYS * DAY_MS) })
        .where(eq(sessions.tokenHash, tokenHash));
    }
    return row.user;
  }

  private async createSession(userId: string, client: ClientInfo): Promise<NewSession> {
    const token = newSessionToken();
    const expiresAt = new Date(Date.now() + SESSION_DAYS * DAY_MS);
    await this.db.insert(sessions).values({
      tokenHash: hashToken(token),
      userId,
      ip: client.ip,
      userAgent: client.userAgent?.slice(0, 300) ?? null,
      expiresAt,
    });
    // Housekeeping on the write path keeps the table small without a scheduler.
    await this.db.delete(sessions).where(and(eq(sessions.userId, userId), lt(sessions.expiresAt, sql`now()`)));
    const [user] = await this.db.select(appUserColumns).from(users).where(eq(users.id, userId));
    return { token, expiresAt, user: user! };
  }

  private async checkSignInRate(identifier: string, ip: string): Promise<void> {
    const since = new Date(Date.now() - RATE_WINDOW_MS);
    const failures = (where: ReturnType<typeof and>) =>
      this.db
        .select({ n: count() })
        .from(signInAttempts)
        .where(and(where, eq(signInAttempts.succeeded, false), gt(signInAttempts.createdAt, since)))
        .then((r) => Number(r[0]?.n ?? 0));
    const [byEmail, byIp] = await Promise.all([failures(eq(signInAttempts.identifier, identifier)), failures(eq(signInAttempts.ip, ip))]);
    if (byEmail >= MAX_FAILURES_PER_EMAIL || byIp >= MAX_FAILURES_PER_IP) {
      throw new ServiceError("rate_limited", "Too many sign-in attempts. Wait 15 minutes and try again.", { retryAfterSeconds: RATE_WINDOW_MS / 1000 });
    }
  }

  private async checkSignUpRate(ip: string): Promise<void> {
    const since = new Date(Date.now() - 60 * 60 * 1000);
    const [row] = await this.db
      .select({ n: count() })
      .from(signInAttempts)
      .where(and(eq(signInAttempts.identifier, "sign-up"), eq(signInAttempts.ip, ip), gt(signInAttempts.createdAt, since)));
    if (Number(row?.n ?? 0) >= MAX_SIGNUPS_PER_IP_PER_HOUR) {
      throw new ServiceError("rate_limited", "Too many accounts created from this address. Try again in an hour.", { retryAfterSeconds: 3600 });
    }
  }
}

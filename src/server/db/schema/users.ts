import { sql } from "drizzle-orm";
import { boolean, check, index, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, timestamptz, updatedAt } from "./columns";

export const PLANS = ["free", "pro", "enterprise"] as const;
export type Plan = (typeof PLANS)[number];

export const users = pgTable(
  "users",
  {
    id: id(),
    // Lower-cased. Nullable because a Clerk account may have no email address.
    email: text("email"),
    displayName: text("display_name"),
    imageUrl: text("image_url"),
    clerkId: text("clerk_id"),
    // scrypt hash for built-in accounts; null for Clerk accounts.
    passwordHash: text("password_hash"),
    plan: text("plan").$type<Plan>().notNull().default("free"),
    isAdmin: boolean("is_admin").notNull().default(false),
    onboarding: jsonb("onboarding").$type<Record<string, unknown>>().notNull().default({}),
    onboardedAt: timestamptz("onboarded_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("users_email_unique").on(t.email),
    uniqueIndex("users_clerk_id_unique").on(t.clerkId),
    check("users_plan_check", sql`${t.plan} in ('free', 'pro', 'enterprise')`),
    check("users_email_lower_check", sql`${t.email} = lower(${t.email})`),
  ],
);

/** Built-in accounts: one row per signed-in browser. The cookie holds a random token; we store its SHA-256. */
export const sessions = pgTable(
  "sessions",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    userAgent: text("user_agent"),
    ip: text("ip"),
    createdAt: createdAt(),
    lastSeenAt: timestamptz("last_seen_at").notNull().defaultNow(),
    expiresAt: timestamptz("expires_at").notNull(),
  },
  (t) => [index("sessions_user_idx").on(t.userId), index("sessions_expires_idx").on(t.expiresAt)],
);

/** Sign-in attempts, kept for rate limiting by email and by client address. */
export const signInAttempts = pgTable(
  "sign_in_attempts",
  {
    id: id(),
    identifier: text("identifier").notNull(),
    ip: text("ip").notNull(),
    succeeded: boolean("succeeded").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index("sign_in_attempts_identifier_idx").on(t.identifier, t.createdAt),
    index("sign_in_attempts_ip_idx").on(t.ip, t.createdAt),
  ],
);

/** Personal API keys for the HTTP ingestion API. Only a hash is stored. */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull(),
    lastUsedAt: timestamptz("last_used_at"),
    revokedAt: timestamptz("revoked_at"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("api_keys_hash_unique").on(t.keyHash), index("api_keys_user_idx").on(t.userId)],
);

/** Bring-your-own-key: an OpenAI-compatible key encrypted with AES-256-GCM; only the last four characters are readable. */
export const providerKeys = pgTable(
  "provider_keys",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    provider: text("provider").notNull().default("openai"),
    baseUrl: text("base_url"),
    // The model to call with this key (OpenAI-compatible servers name their own).
    model: text("model"),
    ciphertext: text("ciphertext").notNull(),
    last4: text("last4").notNull(),
    lastTestedAt: timestamptz("last_tested_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("provider_keys_user_provider_unique").on(t.userId, t.provider),
    check("provider_keys_last4_check", sql`char_length(${t.last4}) <= 4`),
  ],
);

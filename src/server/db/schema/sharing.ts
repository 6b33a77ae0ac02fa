import { sql } from "drizzle-orm";
import { boolean, check, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, timestamptz } from "./columns";
import { promptVersions, prompts } from "./prompts";
import { users } from "./users";

/** Public links to a prompt (a pinned version, or the latest when versionId is null). */
export const shares = pgTable(
  "shares",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    promptId: uuid("prompt_id")
      .notNull()
      .references(() => prompts.id, { onDelete: "cascade" }),
    versionId: uuid("version_id").references(() => promptVersions.id, { onDelete: "cascade" }),
    slug: text("slug").notNull(),
    expiresAt: timestamptz("expires_at"),
    maxViews: integer("max_views"),
    viewCount: integer("view_count").notNull().default(0),
    allowCopy: boolean("allow_copy").notNull().default(true),
    showAuthor: boolean("show_author").notNull().default(false),
    noindex: boolean("noindex").notNull().default(false),
    revokedAt: timestamptz("revoked_at"),
    lastViewedAt: timestamptz("last_viewed_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("shares_slug_unique").on(t.slug),
    index("shares_user_idx").on(t.userId, t.createdAt),
    index("shares_prompt_idx").on(t.promptId),
    check("shares_views_check", sql`${t.viewCount} >= 0 and (${t.maxViews} is null or ${t.maxViews} > 0)`),
  ],
);

/** Copies saved from a share page keep where they came from. */
export const promptForks = pgTable(
  "prompt_forks",
  {
    promptId: uuid("prompt_id")
      .primaryKey()
      .references(() => prompts.id, { onDelete: "cascade" }),
    shareId: uuid("share_id").references(() => shares.id, { onDelete: "set null" }),
    sourceVersionNumber: integer("source_version_number"),
    createdAt: createdAt(),
  },
);

export type OptimizationScore = { total: number; dimensions: Record<string, number>; notes?: Record<string, string[]> };

export const optimizations = pgTable(
  "optimizations",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    promptId: uuid("prompt_id")
      .notNull()
      .references(() => prompts.id, { onDelete: "cascade" }),
    baseVersionId: uuid("base_version_id").references(() => promptVersions.id, { onDelete: "set null" }),
    engine: text("engine").notNull(),
    provider: text("provider"),
    model: text("model"),
    // Who paid for the call: the platform's key, the user's own key, or nobody (built-in engine).
    keySource: text("key_source").notNull().default("none"),
    original: text("original").notNull(),
    rewritten: text("rewritten").notNull(),
    // Each change with its reason, and rubric scores ({ total, dimensions }) before and after.
    changes: jsonb("changes").$type<{ change: string; reason: string }[]>().notNull().default([]),
    scoreBefore: jsonb("score_before").$type<OptimizationScore>().notNull(),
    scoreAfter: jsonb("score_after").$type<OptimizationScore>().notNull(),
    // An LLM's own 0–100 judgement of both versions, shown apart from the rubric (null for the built-in engine).
    judged: jsonb("judged").$type<{ before: number; after: number }>(),
    status: text("status").notNull().default("proposed"),
    acceptedVersionId: uuid("accepted_version_id").references(() => promptVersions.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    decidedAt: timestamptz("decided_at"),
  },
  (t) => [
    index("optimizations_prompt_idx").on(t.promptId, t.createdAt),
    check("optimizations_status_check", sql`${t.status} in ('proposed', 'accepted', 'rejected')`),
    check("optimizations_key_source_check", sql`${t.keySource} in ('platform', 'user', 'none')`),
  ],
);

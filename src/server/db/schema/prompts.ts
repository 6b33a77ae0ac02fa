import { sql, type SQL } from "drizzle-orm";
import {
  boolean,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import type { TemplateParameter } from "../../../lib/templates";
import { createdAt, id, timestamptz, tsvector, updatedAt } from "./columns";
import { importSessions } from "./imports";
import { users } from "./users";

export const PROMPT_SOURCES = ["manual", "chatgpt", "claude", "gemini", "cline", "cursor", "generic", "api", "share", "starter"] as const;
export type PromptSource = (typeof PROMPT_SOURCES)[number];

export type { TemplateParameter };

/** Where an imported prompt came from (shown in the library). */
export type PromptSourceDetail = {
  conversationTitle?: string;
  conversationId?: string;
  occurredAt?: string;
  model?: string;
  fileName?: string;
};

export const folders = pgTable(
  "folders",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("folders_user_name_unique").on(t.userId, sql`lower(${t.name})`),
    check("folders_name_check", sql`char_length(${t.name}) between 1 and 100`),
  ],
);

export const tags = pgTable(
  "tags",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    color: text("color").notNull().default("#64748b"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("tags_user_name_unique").on(t.userId, sql`lower(${t.name})`),
    unique("tags_id_user_unique").on(t.id, t.userId),
    check("tags_name_check", sql`char_length(${t.name}) between 1 and 50`),
    check("tags_color_check", sql`${t.color} ~ '^#[0-9a-f]{6}$'`),
  ],
);

// Bodies can be whole pasted documents; the index only needs the start (tsvector is capped at 1 MB).
const searchDocument: SQL = sql`setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'B') || setweight(to_tsvector('english'::regconfig, left(coalesce(body, ''), 100000)), 'C')`;

export const prompts = pgTable(
  "prompts",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    folderId: uuid("folder_id").references(() => folders.id, { onDelete: "set null" }),
    title: text("title").notNull(),
    body: text("body").notNull(),
    description: text("description").notNull().default(""),
    // Private notes: never shown on a share page.
    notes: text("notes").notNull().default(""),
    modelHint: text("model_hint"),
    parameters: jsonb("parameters").$type<TemplateParameter[]>().notNull().default([]),
    source: text("source").$type<PromptSource>().notNull().default("manual"),
    sourceDetail: jsonb("source_detail").$type<PromptSourceDetail>().notNull().default({}),
    importSessionId: uuid("import_session_id").references(() => importSessions.id, { onDelete: "set null" }),
    isFavorite: boolean("is_favorite").notNull().default(false),
    currentVersion: integer("current_version").notNull().default(1),
    // How many times this prompt was seen (imports fold duplicates into one entry).
    useCount: integer("use_count").notNull().default(1),
    // Hash of the normalised text an imported prompt was first seen with (null for prompts written here);
    // it does not change when the prompt is edited, so re-imports keep matching it.
    fingerprint: text("fingerprint"),
    searchVector: tsvector("search_vector").generatedAlwaysAs(searchDocument),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: timestamptz("deleted_at"),
  },
  (t) => [
    unique("prompts_id_user_unique").on(t.id, t.userId),
    // Keyset paging: one index per sort, live prompts only.
    index("prompts_user_updated_idx").on(t.userId, t.updatedAt.desc(), t.id.desc()).where(sql`${t.deletedAt} is null`),
    // A folder's prompts by recency: opening a folder, and searching inside one, walk this instead of the whole library.
    index("prompts_user_folder_updated_idx").on(t.userId, t.folderId, t.updatedAt.desc(), t.id.desc()).where(sql`${t.deletedAt} is null`),
    index("prompts_user_created_idx").on(t.userId, t.createdAt.desc(), t.id.desc()).where(sql`${t.deletedAt} is null`),
    index("prompts_user_title_idx").on(t.userId, sql`lower(${t.title})`, t.id).where(sql`${t.deletedAt} is null`),
    index("prompts_user_use_count_idx").on(t.userId, t.useCount.desc(), t.id.desc()).where(sql`${t.deletedAt} is null`),
    index("prompts_user_deleted_idx").on(t.userId, t.deletedAt).where(sql`${t.deletedAt} is not null`),
    index("prompts_folder_idx").on(t.folderId),
    // Exact de-duplication of imported prompts: one library entry per normalised text per user.
    uniqueIndex("prompts_user_fingerprint_unique").on(t.userId, t.fingerprint).where(sql`${t.fingerprint} is not null`),
    index("prompts_search_idx").using("gin", t.searchVector),
    index("prompts_title_trgm_idx").using("gin", sql`${t.title} gin_trgm_ops`),
    check("prompts_title_check", sql`char_length(${t.title}) between 1 and 300`),
    check("prompts_source_check", sql`${t.source} in ('manual', 'chatgpt', 'claude', 'gemini', 'cline', 'cursor', 'generic', 'api', 'share', 'starter')`),
    check("prompts_counts_check", sql`${t.currentVersion} >= 1 and ${t.useCount} >= 0`),
  ],
);

export const promptTags = pgTable(
  "prompt_tags",
  {
    promptId: uuid("prompt_id").notNull(),
    tagId: uuid("tag_id").notNull(),
    userId: uuid("user_id").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.promptId, t.tagId] }),
    // Composite keys make it impossible to tag a prompt with another user's tag.
    foreignKey({ name: "prompt_tags_prompt_fk", columns: [t.promptId, t.userId], foreignColumns: [prompts.id, prompts.userId] }).onDelete("cascade"),
    foreignKey({ name: "prompt_tags_tag_fk", columns: [t.tagId, t.userId], foreignColumns: [tags.id, tags.userId] }).onDelete("cascade"),
    index("prompt_tags_tag_idx").on(t.tagId),
  ],
);

/** Immutable snapshots. A database trigger refuses UPDATE (see the migration `version_immutability`). */
export const promptVersions = pgTable(
  "prompt_versions",
  {
    id: id(),
    promptId: uuid("prompt_id")
      .notNull()
      .references(() => prompts.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    number: integer("number").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    parameters: jsonb("parameters").$type<TemplateParameter[]>().notNull().default([]),
    message: text("message").notNull().default(""),
    authorId: uuid("author_id").references(() => users.id, { onDelete: "set null" }),
    // The version this one restored, when it was made by "restore".
    restoredFrom: integer("restored_from"),
    createdAt: createdAt(),
  },
  (t) => [
    unique("prompt_versions_prompt_number_unique").on(t.promptId, t.number),
    unique("prompt_versions_id_prompt_unique").on(t.id, t.promptId),
    check("prompt_versions_number_check", sql`${t.number} >= 1`),
  ],
);

/** Movable pointers such as `production` or `staging`: one version per label per prompt. */
export const promptLabels = pgTable(
  "prompt_labels",
  {
    promptId: uuid("prompt_id")
      .notNull()
      .references(() => prompts.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    versionId: uuid("version_id").notNull(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.promptId, t.name] }),
    // The label's version must belong to the same prompt.
    foreignKey({ name: "prompt_labels_version_fk", columns: [t.versionId, t.promptId], foreignColumns: [promptVersions.id, promptVersions.promptId] }).onDelete("cascade"),
    check("prompt_labels_name_check", sql`${t.name} ~ '^[a-z0-9][a-z0-9._-]{0,39}$' and ${t.name} <> 'latest'`),
  ],
);

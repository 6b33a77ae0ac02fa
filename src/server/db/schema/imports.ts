import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, timestamptz } from "./columns";
import { prompts } from "./prompts";
import { users } from "./users";

export const IMPORT_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

export type ImportFileError = { message: string; offset?: number; entry?: string };

/** One drag-and-drop (or CLI run): a set of files imported together. */
export const importSessions = pgTable(
  "import_sessions",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    status: text("status").$type<ImportStatus>().notNull().default("queued"),
    // Tag the prompts this import creates by topic (offline tagger).
    autoTag: boolean("auto_tag").notNull().default(false),
    error: text("error"),
    createdAt: createdAt(),
    startedAt: timestamptz("started_at"),
    finishedAt: timestamptz("finished_at"),
    // Written by the worker after every batch: a running session whose heartbeat is old was interrupted.
    heartbeatAt: timestamptz("heartbeat_at"),
  },
  (t) => [
    index("import_sessions_user_idx").on(t.userId, t.createdAt),
    check("import_sessions_status_check", sql`${t.status} in ('queued', 'running', 'succeeded', 'failed', 'cancelled')`),
  ],
);

export const importFiles = pgTable(
  "import_files",
  {
    id: id(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => importSessions.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    fileName: text("file_name").notNull(),
    bytes: bigint("bytes", { mode: "number" }).notNull().default(0),
    // Where the original file is kept (local folder or Vercel Blob).
    storageKey: text("storage_key"),
    // SHA-256 of the one-file upload token: the upload URL is a capability, so the browser can stream the
    // file to /api/uploads/{id} without a session check (and without the proxy buffering the body).
    uploadTokenHash: text("upload_token_hash"),
    // Detected source and parser, and the parser the person chose instead (if any).
    source: text("source"),
    parser: text("parser"),
    parserOverride: text("parser_override"),
    // pending (waiting for its upload) → uploaded → processing → succeeded | failed | skipped | cancelled
    status: text("status").notNull().default("pending"),
    // Progress while processing: bytes of the original read by the parsers, prompts written so far.
    bytesRead: bigint("bytes_read", { mode: "number" }).notNull().default(0),
    processed: integer("processed").notNull().default(0),
    // Zip entries not read, with why (images, OS metadata…).
    ignored: jsonb("ignored").$type<{ name: string; reason: string }[]>().notNull().default([]),
    startedAt: timestamptz("started_at"),
    conversations: integer("conversations").notNull().default(0),
    promptsFound: integer("prompts_found").notNull().default(0),
    imported: integer("imported").notNull().default(0),
    duplicates: integer("duplicates").notNull().default(0),
    skipped: integer("skipped").notNull().default(0),
    // Prompts found but not written because the user's plan allows no more prompts (imported again after an upgrade).
    overLimit: integer("over_limit").notNull().default(0),
    skipReasons: jsonb("skip_reasons").$type<Record<string, number>>().notNull().default({}),
    errors: jsonb("errors").$type<ImportFileError[]>().notNull().default([]),
    createdAt: createdAt(),
    finishedAt: timestamptz("finished_at"),
  },
  (t) => [
    index("import_files_session_idx").on(t.sessionId),
    check("import_files_status_check", sql`${t.status} in ('pending', 'uploaded', 'processing', 'succeeded', 'failed', 'skipped', 'cancelled')`),
    check(
      "import_files_counts_check",
      sql`${t.bytes} >= 0 and ${t.conversations} >= 0 and ${t.promptsFound} >= 0 and ${t.imported} >= 0 and ${t.duplicates} >= 0 and ${t.skipped} >= 0 and ${t.bytesRead} >= 0 and ${t.processed} >= 0`,
    ),
  ],
);

/** Every place an imported prompt was seen; duplicates fold into one prompt with several occurrences. */
export const promptOccurrences = pgTable(
  "prompt_occurrences",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    promptId: uuid("prompt_id")
      .notNull()
      .references(() => prompts.id, { onDelete: "cascade" }),
    importFileId: uuid("import_file_id").references(() => importFiles.id, { onDelete: "set null" }),
    source: text("source").notNull(),
    // Deterministic key of the message in its export (source + conversation + message): makes re-imports idempotent.
    occurrenceKey: text("occurrence_key").notNull(),
    conversationId: text("conversation_id"),
    conversationTitle: text("conversation_title"),
    model: text("model"),
    occurredAt: timestamp("occurred_at", { withTimezone: true, mode: "date" }),
    position: integer("position"),
    activeBranch: boolean("active_branch").notNull().default(true),
    // The occurrence's own text when it was folded into its prompt as a near-duplicate (null when identical).
    variantText: text("variant_text"),
    // True for the occurrence that created its prompt (the rest were folded in as duplicates).
    isFirst: boolean("is_first").notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("prompt_occurrences_key_unique").on(t.userId, t.occurrenceKey),
    index("prompt_occurrences_prompt_idx").on(t.promptId),
    index("prompt_occurrences_file_idx").on(t.importFileId),
  ],
);

/** MinHash signature and LSH band keys of an imported prompt, for near-duplicate lookups (see minhash.ts). */
export const promptSignatures = pgTable(
  "prompt_signatures",
  {
    promptId: uuid("prompt_id")
      .primaryKey()
      .references(() => prompts.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    minhash: integer("minhash").array().notNull(),
    bands: bigint("bands", { mode: "number" }).array().notNull(),
  },
  (t) => [index("prompt_signatures_bands_idx").using("gin", t.bands), index("prompt_signatures_user_idx").on(t.userId)],
);

import { existsSync } from "node:fs";
import { createRequire as staticCreateRequire } from "node:module";
import path from "node:path";
import initSqlJs from "sql.js";
import { titleFromText } from "../core/markdown";
import { cleanPromptText } from "../core/text";
import { toDate } from "../core/time";
import { isRecord } from "../core/values";
import { ImportFormatError, type DetectProbe, type ExtractedPrompt, type ImportEntry, type ParseEvent, type Parser } from "../types";

/**
 * Cursor's SQLite `state.vscdb` (formats README §5a, samples/cursor/vscdb_keys_and_value_shapes.md), global
 * (`globalStorage/`) or per workspace (`workspaceStorage/<hash>/`). Every generation of Cursor's chat storage
 * is read from the same file:
 *
 * 1. legacy AI-chat tabs: ItemTable `workbench.panel.aichat.view.aichat.chatdata`, user bubbles `type: "user"`;
 * 2. composers: the body rows cursorDiskKV `composerData:<id>` (key order), whose messages are an inline
 *    `conversation[]`, an inline `conversationMap{}`, or `fullConversationHeadersOnly[]` pointing at
 *    `bubbleId:<composerId>:<bubbleId>` rows; then v1 composers kept inline in the workspace index
 *    ItemTable `composer.composerData`. User messages are `type: 1`; `richText` (Lexical JSON) is read when
 *    `text` is empty. A composer's own `text`/`richText` is the unsent input-box draft: skipped "unsent draft";
 * 3. the prompt log ItemTable `aiService.prompts` (no timestamps): an entry whose text was already found in a
 *    chat is skipped as a duplicate; the rest are emitted in one conversation with id "aiService.prompts",
 *    because they are often the only trace of chats Cursor has since dropped. Their createdAt comes from an
 *    `aiService.generations` entry with the same text when there is one (reported to log the prompt), else null.
 *
 * Ids: conversationId is the tab id / composerId, sourceMessageId the bubble id. A composer with no messages
 * at all (Cursor makes one each time a chat pane opens) and an empty tab are not conversations: skipped
 * "empty chat". A workspace DB lists composers whose messages live in the global DB: they are counted as a
 * skip that says so, and imported when the global DB is.
 *
 * SQLite cannot be streamed: the file is read whole into sql.js (WebAssembly) and queried by key, never by
 * loading a table. Cap: 1 GiB; the global DB of a heavy user can be larger, and markdown export is the way out.
 */
export const cursorVscdbParser: Parser = {
  id: "cursor-vscdb",
  source: "cursor",
  label: "Cursor chat database (state.vscdb)",
  detect: detectCursorVscdb,
  parse: parseCursorVscdb,
};

type Json = Record<string, unknown>;
type Db = initSqlJs.Database;
type Attachment = { name: string; kind?: string };
type Found = Omit<ExtractedPrompt, "conversationId" | "conversationTitle" | "position">;

export const MAX_VSCDB_BYTES = 1024 ** 3;
const SQLITE_MAGIC = "SQLite format 3\0";
const LEGACY_CHAT_KEY = "workbench.panel.aichat.view.aichat.chatdata";
const COMPOSER_INDEX_KEY = "composer.composerData";
const COMPOSER_HEADERS_KEY = "composer.composerHeaders";
const PROMPT_LOG_KEY = "aiService.prompts";
const GENERATIONS_KEY = "aiService.generations";
const USER_BUBBLE = 1;
/** Lexical trees are shallow; a bound keeps a hostile one from overflowing the stack. */
const MAX_RICH_TEXT_DEPTH = 64;

function detectCursorVscdb(probe: DetectProbe): number {
  try {
    const head = probe.head;
    if (head.length < SQLITE_MAGIC.length) return 0;
    for (let i = 0; i < SQLITE_MAGIC.length; i++) if (head[i] !== SQLITE_MAGIC.charCodeAt(i)) return 0;
    if (/\.vscdb$/i.test(probe.name)) return 0.95;
    // The schema (sqlite_master) sits on the first page, so Cursor's table names show in the head.
    const schema = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString("latin1");
    return schema.includes("cursorDiskKV") || schema.includes("ItemTable") ? 0.9 : 0;
  } catch {
    return 0;
  }
}

async function* parseCursorVscdb(entry: ImportEntry): AsyncGenerator<ParseEvent> {
  const store = await openStore(entry);
  try {
    const run = new Run(store);
    yield* run.legacyTabs();
    yield* run.composers();
    yield* run.promptLog();
    for (const [reason, count] of run.skips) yield { kind: "skip", reason, count };
  } finally {
    store.close();
  }
}

/** One parse: what has been seen so far (for deduplication) and the skip tally. */
class Run {
  readonly skips = new Map<string, number>();
  private readonly chatTexts = new Set<string>();

  constructor(private readonly store: Store) {}

  skip(reason: string, count = 1): void {
    if (count > 0) this.skips.set(reason, (this.skips.get(reason) ?? 0) + count);
  }

  *legacyTabs(): Generator<ParseEvent> {
    const data = this.store.item(LEGACY_CHAT_KEY);
    const tabs = isRecord(data) && Array.isArray(data.tabs) ? data.tabs : [];
    for (const [t, tab] of tabs.entries()) {
      if (!isRecord(tab)) continue;
      const bubbles = Array.isArray(tab.bubbles) ? tab.bubbles.filter(isRecord) : [];
      if (bubbles.length === 0) {
        this.skip("empty chat");
        continue;
      }
      const lastUser = bubbles.findLastIndex((b) => b.type === "user");
      const found: Found[] = [];
      bubbles.forEach((bubble, i) => {
        if (bubble.type !== "user") return;
        const text = cleanPromptText(
          firstText(bubble.text, bubble.rawText, isRecord(bubble.delegate) ? bubble.delegate.a : undefined) || lexicalText(bubble.initText) || lexicalText(bubble.richText),
        );
        const attachments = bubbleAttachments(bubble);
        if (text === "") {
          this.skip(attachments.length > 0 ? "attachment-only message" : "empty message");
          return;
        }
        // Legacy bubbles carry no time; the tab's lastSendTime is exactly when its last prompt was sent.
        const createdAt = toDate(bubble.timestamp) ?? toDate(bubble.createdAt) ?? (i === lastUser ? toDate(tab.lastSendTime) : null);
        const reply = bubbles.slice(i + 1).find((b) => b.type !== "user");
        found.push(withAttachments({ text, createdAt, model: nonEmpty(bubble.modelType) ?? nonEmpty(reply?.modelType), sourceMessageId: nonEmpty(bubble.id) ?? nonEmpty(bubble.bubbleId) }, attachments));
      });
      const id = nonEmpty(tab.tabId) ?? `aichat-tab-${t}`;
      yield* this.conversation(id, nonEmpty(tab.chatTitle), found);
    }
  }

  *composers(): Generator<ParseEvent> {
    const index = composerIndex(this.store.item(COMPOSER_INDEX_KEY));
    const headers = composerIndex(this.store.item(COMPOSER_HEADERS_KEY));
    const done = new Set<string>();

    for (const row of this.store.diskRange("composerData:")) {
      const composerId = row.key.slice("composerData:".length);
      done.add(composerId);
      if (!isRecord(row.value)) {
        this.skip("unreadable chat record");
        continue;
      }
      const head = index.get(composerId) ?? headers.get(composerId);
      // The key is authoritative: bubble rows are keyed by it, whatever the body's own composerId says.
      yield* this.composer(composerId, row.value, head);
    }
    // Composer v1 kept its messages inline in the workspace index.
    let elsewhere = 0;
    for (const [composerId, head] of index) {
      if (done.has(composerId)) continue;
      if (Array.isArray(head.conversation) && head.conversation.length > 0) yield* this.composer(composerId, head, head);
      else elsewhere++;
    }
    this.skip("chat whose messages are in Cursor's global state.vscdb, not in this file", elsewhere);
  }

  private *composer(composerId: string, data: Json, head: Json | undefined): Generator<ParseEvent> {
    const draft = cleanPromptText(firstText(data.text) || lexicalText(data.richText));
    if (draft !== "") this.skip("unsent draft");
    const messages = this.composerMessages(composerId, data);
    if (messages.length === 0) {
      if (draft === "") this.skip("empty chat");
      return;
    }
    const composerModel = isRecord(data.modelConfig) ? nonEmpty(data.modelConfig.modelName) : null;
    const found: Found[] = [];
    for (const message of messages) {
      if ((message.bubble?.type ?? message.type) !== USER_BUBBLE) continue;
      const bubble = message.bubble;
      if (!bubble) {
        this.skip("message missing from the database");
        continue;
      }
      const text = cleanPromptText(firstText(bubble.text) || lexicalText(bubble.richText));
      const attachments = bubbleAttachments(bubble);
      if (text === "") {
        this.skip(attachments.length > 0 ? "attachment-only message" : "empty message");
        continue;
      }
      const timing = isRecord(bubble.timingInfo) ? bubble.timingInfo.clientStartTime : undefined;
      found.push(
        withAttachments(
          {
            text,
            createdAt: toDate(bubble.createdAt) ?? toDate(bubble.timestamp) ?? toDate(timing),
            model: (isRecord(bubble.modelInfo) ? nonEmpty(bubble.modelInfo.modelName) : null) ?? composerModel,
            sourceMessageId: nonEmpty(bubble.bubbleId) ?? message.id,
          },
          attachments,
        ),
      );
    }
    yield* this.conversation(composerId, nonEmpty(data.name) ?? nonEmpty(head?.name), found);
  }

  /** The composer's messages in order; assistant bubbles that live in their own rows are not fetched. */
  private composerMessages(composerId: string, data: Json): { id: string | null; type: unknown; bubble: Json | undefined }[] {
    const map = isRecord(data.conversationMap) ? data.conversationMap : {};
    const headers = Array.isArray(data.fullConversationHeadersOnly) ? data.fullConversationHeadersOnly.filter(isRecord) : [];
    if (headers.length > 0) {
      return headers.map((header) => {
        const id = nonEmpty(header.bubbleId);
        const inline = id !== null && Object.hasOwn(map, id) && isRecord(map[id]) ? (map[id] as Json) : undefined;
        const wanted = header.type === USER_BUBBLE || header.type === undefined;
        const row = !inline && wanted && id !== null ? this.store.disk(`bubbleId:${composerId}:${id}`) : undefined;
        return { id, type: header.type, bubble: inline ?? (isRecord(row) ? row : undefined) };
      });
    }
    const inline = Array.isArray(data.conversation) ? data.conversation.filter(isRecord) : Object.values(map).filter(isRecord);
    if (inline.length > 0) return inline.map((bubble) => ({ id: nonEmpty(bubble.bubbleId), type: bubble.type, bubble }));
    // No list at all: the bubble rows themselves, in time order (their keys are random ids).
    const rows = [...this.store.diskRange(`bubbleId:${composerId}:`)].flatMap((row) => (isRecord(row.value) ? [{ key: row.key, bubble: row.value }] : []));
    const time = (b: Json) => toDate(b.createdAt)?.getTime() ?? Number.MAX_SAFE_INTEGER;
    rows.sort((a, b) => time(a.bubble) - time(b.bubble) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return rows.map(({ key, bubble }) => ({ id: nonEmpty(bubble.bubbleId) ?? key.slice(key.lastIndexOf(":") + 1), type: bubble.type, bubble }));
  }

  *promptLog(): Generator<ParseEvent> {
    const log = this.store.item(PROMPT_LOG_KEY);
    if (!Array.isArray(log)) return;
    const times = generationTimes(this.store.item(GENERATIONS_KEY));
    const found: Found[] = [];
    for (const item of log) {
      const text = cleanPromptText(isRecord(item) ? firstText(item.text) : typeof item === "string" ? item : "");
      if (text === "") this.skip("empty message");
      else if (this.chatTexts.has(text)) this.skip("prompt-log duplicate of a chat message");
      else found.push({ text, createdAt: toDate(times.get(text)), model: null, sourceMessageId: null });
    }
    if (found.length > 0) yield* this.conversation(PROMPT_LOG_KEY, "Cursor prompt history (aiService.prompts)", found, false);
  }

  private *conversation(id: string, name: string | null, found: Found[], remember = true): Generator<ParseEvent> {
    const title = name ?? (found[0] ? titleFromText(found[0].text) : null);
    yield { kind: "conversation", id, title };
    for (const [position, prompt] of found.entries()) {
      if (remember) this.chatTexts.add(prompt.text);
      yield { kind: "prompt", prompt: { ...prompt, conversationId: id, conversationTitle: title, position } };
    }
  }
}

/** `allComposers` of an index key, by composerId. */
function composerIndex(value: unknown): Map<string, Json> {
  const list = isRecord(value) && Array.isArray(value.allComposers) ? value.allComposers : [];
  const out = new Map<string, Json>();
  for (const head of list) {
    const id = isRecord(head) ? nonEmpty(head.composerId) : null;
    if (id !== null && !out.has(id)) out.set(id, head as Json);
  }
  return out;
}

/** Prompt text → earliest `unixMs` among `aiService.generations` entries whose `textDescription` is that text. */
function generationTimes(value: unknown): Map<string, number> {
  const out = new Map<string, number>();
  if (!Array.isArray(value)) return out;
  for (const generation of value) {
    if (!isRecord(generation) || typeof generation.unixMs !== "number" || typeof generation.textDescription !== "string") continue;
    const text = cleanPromptText(generation.textDescription);
    const known = out.get(text);
    if (known === undefined || generation.unixMs < known) out.set(text, generation.unixMs);
  }
  return out;
}

/** Files and images attached to a bubble, by name (Cursor keeps only references). */
function bubbleAttachments(bubble: Json): Attachment[] {
  const out: Attachment[] = [];
  const context = isRecord(bubble.context) ? bubble.context : {};
  const files = Array.isArray(context.fileSelections) ? context.fileSelections : [];
  for (const file of files) {
    const uri = isRecord(file) && isRecord(file.uri) ? file.uri : {};
    const where = firstText(uri.fsPath, uri.path, uri.external);
    if (where !== "") out.push({ name: where.split(/[\\/]/).pop() || where, kind: "file" });
  }
  const images = Array.isArray(bubble.images) ? bubble.images : [];
  images.forEach((_, i) => out.push({ name: `image ${i + 1}`, kind: "image" }));
  return out;
}

function withAttachments(found: Found, attachments: Attachment[]): Found {
  return attachments.length > 0 ? { ...found, attachments } : found;
}

/**
 * Plain text of a Lexical editor state (`richText`, `initText`): JSON text or an object whose `root` holds
 * paragraphs of text nodes. Paragraphs become lines. A plain (non-JSON) string is taken as it is.
 */
function lexicalText(value: unknown): string {
  let tree = value;
  if (typeof value === "string") {
    if (!/^\s*\{/.test(value)) return value;
    tree = parseJson(value);
  }
  if (!isRecord(tree)) return "";
  return nodeText(isRecord(tree.root) ? tree.root : tree, 0, true);
}

function nodeText(node: unknown, depth: number, block: boolean): string {
  if (!isRecord(node) || depth > MAX_RICH_TEXT_DEPTH) return "";
  if (typeof node.text === "string") return node.text;
  if (node.type === "linebreak") return "\n";
  if (typeof node.mentionName === "string") return `@${node.mentionName}`;
  const children = Array.isArray(node.children) ? node.children : [];
  // Children that have children of their own are blocks (paragraphs, list items): one line each.
  const blocks = block && children.some((c) => isRecord(c) && Array.isArray(c.children));
  return children.map((c) => nodeText(c, depth + 1, blocks)).join(blocks ? "\n" : "");
}

// ——— SQLite access ———

/** Read-only access by key. Every sql.js failure on this file becomes an ImportFormatError. */
class Store {
  private readonly get: Partial<Record<"ItemTable" | "cursorDiskKV", initSqlJs.Statement>> = {};

  constructor(
    private readonly db: Db,
    private readonly name: string,
    tables: Set<string>,
  ) {
    for (const table of ["ItemTable", "cursorDiskKV"] as const) {
      if (tables.has(table)) this.get[table] = this.guard(() => db.prepare(`SELECT value FROM ${table} WHERE key = ? LIMIT 1`));
    }
  }

  item(key: string): unknown {
    return this.lookup("ItemTable", key);
  }

  disk(key: string): unknown {
    return this.lookup("cursorDiskKV", key);
  }

  /** cursorDiskKV rows whose key starts with `prefix`, in key order (a range scan on the key index, not LIKE). */
  *diskRange(prefix: string): Generator<{ key: string; value: unknown }> {
    if (!this.get.cursorDiskKV) return;
    // The next string after every `prefix…` key: the prefix with its last character incremented.
    const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
    const statement = this.guard(() => this.db.prepare("SELECT key, value FROM cursorDiskKV WHERE key >= ? AND key < ? ORDER BY key"));
    try {
      this.guard(() => statement.bind([prefix, end]));
      while (this.guard(() => statement.step())) {
        const [key, value] = this.guard(() => statement.get());
        if (typeof key === "string") yield { key, value: decodeValue(value) };
      }
    } finally {
      statement.free();
    }
  }

  close(): void {
    try {
      for (const statement of Object.values(this.get)) statement?.free();
      this.db.close();
    } catch {
      // Nothing to recover: the memory is released with the WebAssembly instance's heap either way.
    }
  }

  private lookup(table: "ItemTable" | "cursorDiskKV", key: string): unknown {
    const statement = this.get[table];
    if (!statement) return undefined;
    return this.guard(() => {
      try {
        statement.bind([key]);
        return statement.step() ? decodeValue(statement.get()[0]) : undefined;
      } finally {
        statement.reset();
      }
    });
  }

  private guard<T>(run: () => T): T {
    try {
      return run();
    } catch (error) {
      throw damaged(this.name, error);
    }
  }
}

function damaged(name: string, error: unknown): ImportFormatError {
  const detail = error instanceof Error && error.message ? ` (${error.message})` : "";
  return new ImportFormatError(
    `${name}: the database cannot be read${detail}. It may be damaged, or copied while Cursor was writing it: close Cursor, copy state.vscdb again (with its -wal file if there is one) and retry.`,
    { entry: name },
  );
}

/** Values are JSON stored as TEXT or as a UTF-8 BLOB; NULL and invalid JSON read as null. */
function decodeValue(raw: initSqlJs.SqlValue | undefined): unknown {
  if (typeof raw === "string") return parseJson(raw);
  if (raw instanceof Uint8Array) return parseJson(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("utf8"));
  return null;
}

async function openStore(entry: ImportEntry): Promise<Store> {
  const tooLarge = new ImportFormatError(
    `${entry.name}: the file is too large to import (${Math.round(entry.size / 1024 ** 2)} MB; the limit for a Cursor database is ${MAX_VSCDB_BYTES / 1024 ** 3} GB). Export the chats from Cursor as markdown ("Export Chat", or SpecStory) and import those files instead.`,
    { entry: entry.name },
  );
  if (entry.size > MAX_VSCDB_BYTES) throw tooLarge;
  let bytes: Uint8Array;
  try {
    bytes = await entry.bytes(MAX_VSCDB_BYTES);
  } catch (error) {
    if (error instanceof ImportFormatError && entry.size >= MAX_VSCDB_BYTES) throw tooLarge;
    throw error;
  }
  if (bytes.length === 0) throw new ImportFormatError(`${entry.name}: the file is empty.`, { entry: entry.name, offset: 0 });
  const magic = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, SQLITE_MAGIC.length)).toString("latin1");
  if (magic !== SQLITE_MAGIC) {
    throw new ImportFormatError(`${entry.name}: this is not an SQLite database, so not a Cursor state.vscdb.`, { entry: entry.name, offset: 0 });
  }

  const SQL = await loadSqlJs();
  let db: Db | undefined;
  try {
    // sql.js copies the bytes into its own in-memory file: nothing is ever written back to the upload.
    db = new SQL.Database(bytes);
    const tables = new Set<string>();
    for (const row of db.exec("SELECT name FROM sqlite_master WHERE type = 'table'")[0]?.values ?? []) if (typeof row[0] === "string") tables.add(row[0]);
    if (!tables.has("ItemTable") && !tables.has("cursorDiskKV")) {
      throw new ImportFormatError(`${entry.name}: this SQLite database has no ItemTable or cursorDiskKV table, so it is not a Cursor state.vscdb.`, { entry: entry.name });
    }
    return new Store(db, entry.name, tables);
  } catch (error) {
    db?.close();
    if (error instanceof ImportFormatError) throw error;
    throw damaged(entry.name, error);
  }
}

// ——— sql.js loading ———

let sqlJs: Promise<initSqlJs.SqlJsStatic> | undefined;

function loadSqlJs(): Promise<initSqlJs.SqlJsStatic> {
  sqlJs ??= initSqlJs({ locateFile: (file: string, prefix: string) => locateSqlJsFile(file, prefix) }).catch((error: unknown) => {
    sqlJs = undefined;
    // Not the upload's fault: a deployment problem (the .wasm file was not shipped with the server).
    throw new Error(`sql.js could not load its WebAssembly module (${locateSqlJsFile("sql-wasm.wasm", "")}): ${String(error)}`);
  });
  return sqlJs;
}

/**
 * Where sql.js's .wasm is. Resolved through Node's own module resolution — from this module, then from the
 * working directory — because a bundler (Next.js server build) moves this code away from node_modules; the
 * `createRequire` is fetched at run time so the bundler cannot rewrite it into its own loader.
 */
function locateSqlJsFile(file: string, prefix: string): string {
  const specifier = `sql.js/dist/${file}`;
  const createRequire = (process.getBuiltinModule?.("node:module") as typeof import("node:module") | undefined)?.createRequire ?? staticCreateRequire;
  const candidates: string[] = [];
  for (const base of [import.meta.url, path.join(process.cwd(), "package.json")]) {
    try {
      candidates.push(createRequire(base).resolve(specifier));
    } catch {
      // not resolvable from there; try the next base
    }
  }
  candidates.push(path.join(process.cwd(), "node_modules", "sql.js", "dist", file), prefix + file);
  return candidates.find((candidate) => existsSync(candidate)) ?? prefix + file;
}

// ——— small helpers ———

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function firstText(...values: unknown[]): string {
  for (const value of values) if (typeof value === "string" && value.trim() !== "") return value;
  return "";
}

function nonEmpty(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value : null;
}


import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import fc from "fast-check";
import initSqlJs from "sql.js";
import { beforeAll, describe, expect, it } from "vitest";
import { bufferEntry } from "../../../src/server/importers/core/entries";
import { cursorMarkdownParser } from "../../../src/server/importers/parsers/cursor-markdown";
import { cursorVscdbParser, MAX_VSCDB_BYTES } from "../../../src/server/importers/parsers/cursor-vscdb";
import { ImportFormatError, type ImportEntry } from "../../../src/server/importers/types";
import { conversations as conversationsOf, drainEntry as drain, mutateBytes, parsesSafely, probe, prompts as promptsOf, skipCounts as skipsOf } from "../../helpers/parsers";

const SAMPLES = "/work/shared/formats/samples";
const CURSOR = path.join(SAMPLES, "cursor");
const FIXTURES = path.resolve(import.meta.dirname, "../../fixtures/imports/cursor");

// ——— building test databases with sql.js itself ———

type Row = { table: "ItemTable" | "cursorDiskKV"; key: string; value: unknown; as?: "text" | "blob" | "raw" };
type Sample = { db: "global" | "workspace"; table: Row["table"]; key: string; value: unknown };

let SQL: initSqlJs.SqlJsStatic;
beforeAll(async () => {
  const wasm = createRequire(import.meta.url).resolve("sql.js/dist/sql-wasm.wasm");
  SQL = await initSqlJs({ locateFile: () => wasm });
});

function buildDb(rows: Row[], options: { blob?: boolean; primaryKey?: boolean; tables?: string[] } = {}): Uint8Array {
  const db = new SQL.Database();
  const column = options.primaryKey ? "key TEXT PRIMARY KEY" : "key TEXT UNIQUE ON CONFLICT REPLACE";
  for (const table of options.tables ?? ["ItemTable", "cursorDiskKV"]) db.run(`CREATE TABLE ${table} (${column}, value BLOB)`);
  for (const row of rows) {
    const as = row.as ?? (options.blob ? "blob" : "text");
    let value: initSqlJs.SqlValue;
    if (row.value === null) value = null;
    else if (as === "raw") value = row.value as string;
    else if (as === "blob") value = new TextEncoder().encode(JSON.stringify(row.value));
    else value = JSON.stringify(row.value);
    db.run(`INSERT OR REPLACE INTO ${row.table} (key, value) VALUES (?, ?)`, [row.key, value]);
  }
  const bytes = db.export();
  db.close();
  return bytes;
}

const exampleRows = (JSON.parse(readFileSync(path.join(CURSOR, "vscdb_example_rows.json"), "utf8")) as { rows: Sample[] }).rows;
const rowsOf = (db: Sample["db"]): Row[] => exampleRows.filter((r) => r.db === db).map(({ table, key, value }) => ({ table, key, value }));

const COMPOSER = "2bfaf51e-b8da-4800-933b-1e217d08d5ba";

describe("cursor-vscdb: the documented example rows", () => {
  it("reads a workspace DB: legacy chat tabs and the prompt log; composers are in the global DB", async () => {
    const events = await drain(cursorVscdbParser, bufferEntry("workspaceStorage/abc123/state.vscdb", buildDb(rowsOf("workspace"))));
    expect(events).toEqual([
      { kind: "conversation", id: "6f1c2a9e-0d1b-4c55-9a6e-3f3f6b1b2c10", title: "How do I read a file in Rust?" },
      {
        kind: "prompt",
        prompt: {
          text: "How do I read a file in Rust?",
          conversationId: "6f1c2a9e-0d1b-4c55-9a6e-3f3f6b1b2c10",
          conversationTitle: "How do I read a file in Rust?",
          createdAt: null,
          model: "gpt-4",
          position: 0,
          sourceMessageId: null,
        },
      },
      {
        kind: "prompt",
        prompt: {
          text: "And line by line?", // from the Lexical initText
          conversationId: "6f1c2a9e-0d1b-4c55-9a6e-3f3f6b1b2c10",
          conversationTitle: "How do I read a file in Rust?",
          createdAt: new Date(1712345678901), // the tab's lastSendTime: its last prompt
          model: null,
          position: 1,
          sourceMessageId: null,
        },
      },
      { kind: "conversation", id: "aiService.prompts", title: "Cursor prompt history (aiService.prompts)" },
      {
        kind: "prompt",
        prompt: {
          text: "legacy: refactor the parser",
          conversationId: "aiService.prompts",
          conversationTitle: "Cursor prompt history (aiService.prompts)",
          createdAt: new Date(1779182301000), // from aiService.generations
          model: null,
          position: 0,
          sourceMessageId: null,
        },
      },
      {
        kind: "prompt",
        prompt: {
          text: "legacy: add a test",
          conversationId: "aiService.prompts",
          conversationTitle: "Cursor prompt history (aiService.prompts)",
          createdAt: null,
          model: null,
          position: 1,
          sourceMessageId: null,
        },
      },
      { kind: "skip", reason: "empty chat", count: 1 },
      { kind: "skip", reason: "chat whose messages are in Cursor's global state.vscdb, not in this file", count: 1 },
    ]);
  });

  it("reads a global DB: headers → bubble rows, conversationMap, inline conversation; missing bubbles, empty composers, NULL rows", async () => {
    const events = await drain(cursorVscdbParser, bufferEntry("globalStorage/state.vscdb", buildDb(rowsOf("global"))));
    expect(conversationsOf(events)).toEqual([
      { id: COMPOSER, title: "Ship the cursor adapter" },
      { id: "3f582f7c-801d-4f75-9bff-3be4b2368251", title: "how do I read Cursor chats?" },
      { id: "4a1d9e3b-0000-4000-8000-inline000001", title: "Old inline composer" },
    ]);
    expect(promptsOf(events)).toEqual([
      {
        text: "write the Cursor adapter",
        conversationId: COMPOSER,
        conversationTitle: "Ship the cursor adapter",
        createdAt: new Date("2026-05-19T09:16:45.000Z"),
        model: "claude-4.5-sonnet",
        position: 0,
        sourceMessageId: "d1cb0b8d-cc82-43da-af6d-6ba6c8cc741f",
      },
      {
        text: "how do I read Cursor chats?",
        conversationId: "3f582f7c-801d-4f75-9bff-3be4b2368251",
        conversationTitle: "how do I read Cursor chats?",
        createdAt: new Date(1779182301000),
        model: null,
        position: 0,
        sourceMessageId: "m1",
      },
      {
        text: "Explain this regex",
        conversationId: "4a1d9e3b-0000-4000-8000-inline000001",
        conversationTitle: "Old inline composer",
        createdAt: new Date(1730000000000),
        model: null,
        position: 0,
        sourceMessageId: "c1",
      },
    ]);
    expect(skipsOf(events)).toEqual({ "message missing from the database": 1, "empty chat": 1, "unreadable chat record": 1 });
  });

  it("gives the same events with values stored as BLOBs, with a PRIMARY KEY schema, in WAL mode, and on re-parse", async () => {
    const rows = exampleRows.map(({ table, key, value }) => ({ table, key, value }));
    const text = await drain(cursorVscdbParser, bufferEntry("state.vscdb", buildDb(rows)));
    expect(await drain(cursorVscdbParser, bufferEntry("state.vscdb", buildDb(rows, { blob: true })))).toEqual(text);
    expect(await drain(cursorVscdbParser, bufferEntry("state.vscdb", buildDb(rows, { primaryKey: true })))).toEqual(text);
    const wal = buildDb(rows);
    wal[18] = 2; // file format versions 2 = WAL journal mode; a copy without its -wal file still reads
    wal[19] = 2;
    expect(await drain(cursorVscdbParser, bufferEntry("state.vscdb", wal))).toEqual(text);
    expect(await drain(cursorVscdbParser, bufferEntry("state.vscdb", buildDb(rows)))).toEqual(text);
    // Both DBs in one: the composer body is here, so nothing is said to be elsewhere.
    expect(skipsOf(text)).toEqual({ "empty chat": 2, "message missing from the database": 1, "unreadable chat record": 1 });
  });
});

describe("cursor-vscdb: odd cases", () => {
  const lexical = (...paragraphs: string[]) => JSON.stringify({ root: { children: paragraphs.map((text) => ({ type: "paragraph", children: [{ type: "text", text }] })) } });
  const big = "z".repeat(5 * 1024 * 1024);
  const rows: Row[] = [
    {
      table: "ItemTable",
      key: "workbench.panel.aichat.view.aichat.chatdata",
      value: { tabs: [{ tabId: "t1", chatTitle: "", lastSendTime: 1700000000000, bubbles: [{ type: "user", id: "u1", text: "", delegate: { a: "from delegate" } }, { type: "ai", rawText: "ok", modelType: "gpt-4o" }] }, "junk", { bubbles: "not a list" }] },
    },
    { table: "ItemTable", key: "composer.composerData", value: { allComposers: [{ composerId: "draft-only" }, { composerId: "rich" }, "junk"] } },
    {
      table: "cursorDiskKV",
      key: "composerData:rich",
      value: {
        composerId: "rich",
        name: "",
        text: "half-typed next question",
        createdAt: 1760000000000,
        modelConfig: { modelName: "gpt-5" },
        fullConversationHeadersOnly: [{ bubbleId: "r1", type: 1 }, { bubbleId: "r2", type: 2 }, { bubbleId: "r3", type: 1 }, { bubbleId: "r4", type: 1 }, { bubbleId: "r5", type: 1 }, { bubbleId: "r6" }, { bubbleId: "r7", type: 1 }, "junk"],
      },
    },
    // richText only, two paragraphs, ms timestamp
    { table: "cursorDiskKV", key: "bubbleId:rich:r1", value: { type: 1, bubbleId: "r1", text: "", richText: lexical("Refactor this 😀", "then add tests"), createdAt: 1760000001000 } },
    { table: "cursorDiskKV", key: "bubbleId:rich:r2", value: { type: 2, bubbleId: "r2", text: "sure" } },
    // images only
    { table: "cursorDiskKV", key: "bubbleId:rich:r3", value: { type: 1, bubbleId: "r3", text: "", images: [{ path: "/tmp/a.png" }] } },
    // escaped surrogates (as another JSON encoder writes them), with a file mention
    {
      table: "cursorDiskKV",
      key: "bubbleId:rich:r4",
      value: '{"type":1,"bubbleId":"r4","text":"smile \\ud83d\\ude00 please","createdAt":"2025-10-11T12:00:00Z","modelInfo":{"modelName":"claude-4.5-sonnet"},"context":{"fileSelections":[{"uri":{"fsPath":"/home/me/src/app.ts"}}]}}',
      as: "raw",
    },
    { table: "cursorDiskKV", key: "bubbleId:rich:r5", value: { type: 1, bubbleId: "r5", text: big } },
    { table: "cursorDiskKV", key: "bubbleId:rich:r6", value: "{not json", as: "raw" },
    { table: "cursorDiskKV", key: "composerData:draft-only", value: { composerId: "draft-only", text: "", richText: lexical("never sent"), fullConversationHeadersOnly: [], conversationMap: {} } },
    // no message list at all: the bubble rows, in time order
    { table: "cursorDiskKV", key: "composerData:rows-only", value: { composerId: "rows-only", name: "Rows only" } },
    { table: "cursorDiskKV", key: "bubbleId:rows-only:b-late", value: { type: 1, bubbleId: "b-late", text: "second", createdAt: "2025-01-02T00:00:00Z" } },
    { table: "cursorDiskKV", key: "bubbleId:rows-only:a-early", value: { type: 1, bubbleId: "a-early", text: "first", createdAt: "2025-01-01T00:00:00Z" } },
    { table: "cursorDiskKV", key: "bubbleId:rows-onlyX:zz", value: { type: 1, text: "another composer's bubble" } },
    { table: "cursorDiskKV", key: "composerData:bad-json", value: "{oops", as: "raw" },
    { table: "ItemTable", key: "aiService.prompts", value: [{ text: "Refactor this 😀\nthen add tests" }, { text: "  " }, { text: "from delegate" }, { text: "only in the log", commandType: 4 }, 42] },
  ];

  it("reads every odd shape", async () => {
    const events = await drain(cursorVscdbParser, bufferEntry("state.vscdb", buildDb(rows), 4096));
    expect(conversationsOf(events)).toEqual([
      { id: "t1", title: "from delegate" },
      { id: "rich", title: "Refactor this 😀" },
      { id: "rows-only", title: "Rows only" },
      { id: "aiService.prompts", title: "Cursor prompt history (aiService.prompts)" },
    ]);
    const prompts = promptsOf(events);
    expect(prompts.map((p) => [p.conversationId, p.position, p.text.length > 100 ? `${p.text.length} chars` : p.text])).toEqual([
      ["t1", 0, "from delegate"],
      ["rich", 0, "Refactor this 😀\nthen add tests"],
      ["rich", 1, "smile 😀 please"],
      ["rich", 2, `${big.length} chars`],
      ["rows-only", 0, "first"],
      ["rows-only", 1, "second"],
      ["aiService.prompts", 0, "only in the log"],
    ]);
    expect(prompts[0]).toMatchObject({ createdAt: new Date(1700000000000), model: "gpt-4o", sourceMessageId: "u1" });
    expect(prompts[1]).toMatchObject({ createdAt: new Date(1760000001000), model: "gpt-5", sourceMessageId: "r1" });
    expect(prompts[2]).toMatchObject({ createdAt: new Date("2025-10-11T12:00:00Z"), model: "claude-4.5-sonnet", attachments: [{ name: "app.ts", kind: "file" }] });
    expect(prompts[3]!.createdAt).toBeNull();
    expect(skipsOf(events)).toEqual({
      "empty chat": 1, // the tab whose bubbles are not a list
      "unreadable chat record": 1,
      "unsent draft": 2, // composer "rich" (text) and "draft-only" (richText), which is not a conversation
      "attachment-only message": 1,
      "message missing from the database": 1, // r7; r6 (unreadable, no type) cannot be told to be the user's
      "empty message": 2, // the blank log entry and the non-object one
      "prompt-log duplicate of a chat message": 2,
    });
  });

  it("refuses SQLite files that are not Cursor's, corrupt files, and non-SQLite bytes", async () => {
    const other = buildDb([], { tables: ["notes"] });
    expect(cursorVscdbParser.detect(probe("notes.db", other))).toBe(0);
    await expect(drain(cursorVscdbParser, bufferEntry("state.vscdb", other))).rejects.toThrow(/not a Cursor state\.vscdb/);
    const truncated = buildDb(rowsOf("global")).subarray(0, 100);
    await expect(drain(cursorVscdbParser, bufferEntry("state.vscdb", truncated))).rejects.toBeInstanceOf(ImportFormatError);
    await expect(drain(cursorVscdbParser, bufferEntry("state.vscdb", "hello"))).rejects.toThrow(/not an SQLite database/);
    await expect(drain(cursorVscdbParser, bufferEntry("state.vscdb", ""))).rejects.toBeInstanceOf(ImportFormatError);
  });

  it("refuses a database over the cap with advice to export markdown", async () => {
    const huge: ImportEntry = {
      name: "globalStorage/state.vscdb",
      size: MAX_VSCDB_BYTES + 1,
      head: async () => new Uint8Array(),
      stream: async function* () {},
      bytes: async () => {
        throw new Error("must not be read");
      },
    };
    await expect(drain(cursorVscdbParser, huge)).rejects.toThrow(/too large.*markdown/s);
    await expect(drain(cursorVscdbParser, huge)).rejects.toBeInstanceOf(ImportFormatError);
  });
});

describe("cursor-markdown: Cursor Export Chat", () => {
  it("reads the shared 1.2.1 export", async () => {
    const name = "cursor_export_chat_HEAD-FRAGMENT_explain_svict_caller_set_cover.md";
    const events = await drain(cursorMarkdownParser, bufferEntry(`exports/${name}`, readFileSync(path.join(CURSOR, name))));
    const base = { conversationId: name, conversationTitle: "Explain svict_caller::set_cover function", createdAt: null, model: null, sourceMessageId: null };
    expect(events).toEqual([
      { kind: "conversation", id: name, title: "Explain svict_caller::set_cover function" },
      { kind: "prompt", prompt: { ...base, text: "Explain what svict_caller::set_cover does in @svict_caller.cc", position: 0 } },
      { kind: "prompt", prompt: { ...base, text: "Continue to explain the smoother::set_cover", position: 1 } },
    ]);
  });

  it("splits only on --- followed by a role line, outside code fences", async () => {
    const name = "cursor_fix_the_flaky_test.md";
    const events = await drain(cursorMarkdownParser, bufferEntry(name, readFileSync(path.join(FIXTURES, name))));
    expect(conversationsOf(events)).toEqual([{ id: name, title: "Fix the flaky test" }]);
    expect(promptsOf(events).map((p) => p.text)).toEqual([
      "Why does `test/login.spec.ts` fail one run in ten?\n\n```ts\n// a role line and a separator inside a fence are content\n---\n\n**Cursor**\n```",
      "Thanks! 🙏 Now apply it to `signup.spec.ts` as well.\n**Cursor**\n(a role line that does not follow a separator stays in the text)",
    ]);
    expect(skipsOf(events)).toEqual({ "empty message": 1 });
  });

  it("handles CRLF, a 5 MB message and an unclosed fence", async () => {
    const big = "w".repeat(5 * 1024 * 1024);
    const text = `# Big\r\n_Exported on 1/2/2026 at 10:00:00 UTC from Cursor (2.0.0)_\r\n\r\n---\r\n\r\n**User**\r\n\r\n${big}\r\n\r\n---\r\n\r\n**Cursor**\r\n\r\n\`\`\`never closed\r\n\r\n---\r\n\r\n**User**\r\n\r\nafter the broken fence\r\n\r\n---\r\n`;
    const prompts = promptsOf(await drain(cursorMarkdownParser, bufferEntry("big.md", text, 65536)));
    expect(prompts.map((p) => (p.text.length > 100 ? p.text.length : p.text))).toEqual([big.length, "after the broken fence"]);
  });
});

describe("cursor-markdown: SpecStory", () => {
  it("reads the shared early-2025 minsky file (fences in the rule text, no ids)", async () => {
    const name = "specstory_minsky_2025-04-28_18-51-available-tasks-inquiry.md";
    const events = await drain(cursorMarkdownParser, bufferEntry(`.specstory/history/${name}`, readFileSync(path.join(CURSOR, name))));
    const base = { conversationId: name, conversationTitle: "Available Tasks Inquiry", createdAt: new Date("2025-04-28T18:51:00Z"), model: null, sourceMessageId: null };
    expect(events).toEqual([
      { kind: "conversation", id: name, title: "Available Tasks Inquiry" },
      { kind: "prompt", prompt: { ...base, text: "what tasks are available?", position: 0 } },
      {
        kind: "prompt",
        prompt: {
          ...base,
          text: "we dont care about DONE tasks, create a task to update the `tasks list` command to default to not-DONE tasks only, hiding DONE behind a cli option",
          position: 1,
        },
      },
    ]);
  });

  it("reads the shared v2.1.0 file: session id, per-turn times, models from agent headers", async () => {
    const name = "specstory_FRAGMENT_cursor_v2.1.0_2025-12-02_12-49Z-bunch-of-updates.md";
    const events = await drain(cursorMarkdownParser, bufferEntry(name, readFileSync(path.join(CURSOR, name))));
    const base = { conversationId: "227b9a24-168c-4d87-810b-9ed83e62101e", conversationTitle: "Bunch of updates", model: "claude-4.5-opus-high-thinking", sourceMessageId: null };
    expect(events).toEqual([
      { kind: "conversation", id: "227b9a24-168c-4d87-810b-9ed83e62101e", title: "Bunch of updates" },
      { kind: "prompt", prompt: { ...base, text: "remove smithery entirely", createdAt: new Date("2025-12-02T12:49:00Z"), position: 0 } },
      { kind: "prompt", prompt: { ...base, text: "dont change changelog by hand", createdAt: new Date("2025-12-03T05:21:00Z"), position: 1 } },
    ]);
  });

  it("reads the shared earliest file (empty assistant turns; Untitled → first prompt)", async () => {
    const name = "specstory_FRAGMENT_earliest_2025-04-24_13-10-01-untitled.md";
    const events = await drain(cursorMarkdownParser, bufferEntry(name, readFileSync(path.join(CURSOR, name))));
    const title = "Can you push this to my acme/widgets repository?";
    expect(events).toEqual([
      { kind: "conversation", id: name, title },
      {
        kind: "prompt",
        prompt: { text: title, conversationId: name, conversationTitle: title, createdAt: new Date("2025-04-24T13:10:01Z"), model: null, position: 0, sourceMessageId: null },
      },
    ]);
  });

  it("reads the Oct 2025 layout: empty user turns skipped, role headers inside fences ignored", async () => {
    const name = "2025-10-01_23-30Z-rename-the-cli-flags.md";
    const events = await drain(cursorMarkdownParser, bufferEntry(name, readFileSync(path.join(FIXTURES, name))));
    expect(conversationsOf(events)).toEqual([{ id: "5f0c7a1e-2b9d-4c1e-9a51-0d3b1e6f7a22", title: "Rename the CLI flags" }]);
    expect(promptsOf(events).map((p) => [p.text, p.createdAt?.toISOString() ?? null, p.model, p.position])).toEqual([
      ["rename `--out` to `--output` everywhere", "2025-10-01T23:30:00.000Z", "claude-4.5-sonnet-thinking", 0],
      ["also update the README — and the `--help` text:\n```\nusage: tool --output <dir>\n```", "2025-10-02T00:05:00.000Z", null, 1],
      ["and the changelog", "2025-10-01T23:30:00.000Z", "gpt-5-codex", 2],
    ]);
    expect(skipsOf(events)).toEqual({ "empty message": 1 });
  });

  it("reads a Claude Code session written by SpecStory", async () => {
    const name = "2026-07-13_13-40Z-claude-code-session.md";
    const prompts = promptsOf(await drain(cursorMarkdownParser, bufferEntry(name, readFileSync(path.join(FIXTURES, name)))));
    expect(prompts).toEqual([
      {
        text: "list the TODOs in src/",
        conversationId: "0e3f3c2a-8d1b-4a55-b0aa-7e2f4f1c9d10",
        conversationTitle: "Claude Code session",
        createdAt: new Date("2026-07-13T13:40:56Z"),
        model: "claude-opus-4-1-20250805",
        position: 0,
        sourceMessageId: null,
      },
    ]);
  });

  it("reads a history file without the header comment", async () => {
    const name = ".specstory/history/2025-05-01_09-00-no-header.md";
    const data = readFileSync(path.join(FIXTURES, name));
    expect(cursorMarkdownParser.detect(probe(name, data))).toBeGreaterThanOrEqual(0.9);
    const prompts = promptsOf(await drain(cursorMarkdownParser, bufferEntry(name, data)));
    expect(prompts).toMatchObject([{ text: "a SpecStory file whose header comment was removed", conversationId: "2025-05-01_09-00-no-header.md", createdAt: new Date("2025-05-01T09:00:00Z") }]);
  });

  it("is deterministic and chunk-size independent", async () => {
    for (const name of readdirSync(CURSOR).filter((f) => f.startsWith("specstory_") || f.startsWith("cursor_export"))) {
      const data = readFileSync(path.join(CURSOR, name));
      const once = await drain(cursorMarkdownParser, bufferEntry(name, data));
      expect(await drain(cursorMarkdownParser, bufferEntry(name, data))).toEqual(once);
      expect(await drain(cursorMarkdownParser, bufferEntry(name, data, 7))).toEqual(once);
    }
  });

  it("refuses markdown with no turns", async () => {
    await expect(drain(cursorMarkdownParser, bufferEntry("notes.md", "# Notes\n\njust text\n"))).rejects.toBeInstanceOf(ImportFormatError);
    await expect(drain(cursorMarkdownParser, bufferEntry("notes.md", Buffer.from([0x23, 0xc3, 0x28])))).rejects.toBeInstanceOf(ImportFormatError);
  });
});

describe("detection", () => {
  const vscdb = () => buildDb(rowsOf("global"));

  it("claims state.vscdb by its SQLite magic", () => {
    expect(cursorVscdbParser.detect(probe("globalStorage/state.vscdb", vscdb()))).toBeGreaterThanOrEqual(0.95);
    expect(cursorVscdbParser.detect(probe("copy.db", vscdb()))).toBeGreaterThanOrEqual(0.9);
    expect(cursorMarkdownParser.detect(probe("state.vscdb", vscdb()))).toBe(0);
  });

  it("claims every markdown flavour", () => {
    for (const file of readdirSync(CURSOR).filter((f) => f.endsWith(".md") && !f.startsWith("vscdb"))) {
      expect(cursorMarkdownParser.detect(probe(file, readFileSync(path.join(CURSOR, file))))).toBeGreaterThanOrEqual(0.95);
    }
    for (const file of ["cursor_fix_the_flaky_test.md", "2025-10-01_23-30Z-rename-the-cli-flags.md", "2026-07-13_13-40Z-claude-code-session.md"]) {
      expect(cursorMarkdownParser.detect(probe(file, readFileSync(path.join(FIXTURES, file))))).toBeGreaterThanOrEqual(0.9);
    }
  });

  it("returns 0 for SpecStory's non-chat files and the vscdb notes", () => {
    for (const file of [".specstory/.what-is-this.md", ".specstory/.project.json"]) {
      const data = readFileSync(path.join(FIXTURES, file));
      expect(cursorMarkdownParser.detect(probe(file, data))).toBe(0);
      expect(cursorVscdbParser.detect(probe(file, data))).toBe(0);
    }
    for (const file of ["vscdb_keys_and_value_shapes.md", "vscdb_example_rows.json"]) {
      const data = readFileSync(path.join(CURSOR, file));
      expect(cursorMarkdownParser.detect(probe(file, data))).toBe(0);
      expect(cursorVscdbParser.detect(probe(file, data))).toBe(0);
    }
  });

  const others: string[] = [];
  for (const source of readdirSync(SAMPLES)) {
    const dir = path.join(SAMPLES, source);
    if (source !== "cursor" && statSync(dir).isDirectory()) for (const file of readdirSync(dir)) others.push(path.join(source, file));
  }
  it.each(others)("returns 0 on %s", (file) => {
    const data = readFileSync(path.join(SAMPLES, file));
    expect(cursorMarkdownParser.detect(probe(path.basename(file), data))).toBe(0);
    expect(cursorVscdbParser.detect(probe(path.basename(file), data))).toBe(0);
  });

  it("never throws on arbitrary bytes", () => {
    const magic = new TextEncoder().encode("SQLite format 3\0");
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.boolean(), fc.constantFrom("state.vscdb", "a.md", ".specstory/history/x.md", "x.json"), (bytes, sqlite, name) => {
        const data = sqlite ? Uint8Array.from([...magic, ...bytes]) : bytes;
        for (const parser of [cursorVscdbParser, cursorMarkdownParser]) {
          const confidence = parser.detect(probe(name, data));
          expect(confidence >= 0 && confidence <= 1).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("fuzz: parse completes or throws ImportFormatError", () => {
  const mutation = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 });
  const mutate = mutateBytes;

  it("cursor-vscdb on corrupted databases", async () => {
    const data = buildDb(exampleRows.map(({ table, key, value }) => ({ table, key, value })));
    // Page-aligned damage hits the b-tree structure, not only the JSON inside values.
    const damage = fc.array(fc.tuple(fc.nat({ max: data.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 24 });
    await fc.assert(
      fc.asyncProperty(damage, fc.boolean(), async (edits, truncate) => {
        const bytes = Uint8Array.from(data);
        for (const [at, value] of edits) bytes[at] = value;
        await parsesSafely(cursorVscdbParser, bufferEntry("state.vscdb", truncate ? bytes.subarray(0, bytes.length - 4096) : bytes));
      }),
      { numRuns: 300 },
    );
  });

  it("cursor-vscdb on arbitrary rows", async () => {
    const key = fc.oneof(
      fc.constantFrom("workbench.panel.aichat.view.aichat.chatdata", "composer.composerData", "aiService.prompts", "aiService.generations", "composer.composerHeaders"),
      fc.string({ maxLength: 6 }).map((id) => `composerData:${id}`),
      fc.tuple(fc.constantFrom("c", "d"), fc.constantFrom("b1", "b2")).map(([c, b]) => `bubbleId:${c}:${b}`),
    );
    const bubble = fc.record({ type: fc.oneof(fc.constantFrom(1, 2, "user", "ai"), fc.anything()), text: fc.oneof(fc.string(), fc.anything()), richText: fc.oneof(fc.string(), fc.jsonValue()), createdAt: fc.anything(), bubbleId: fc.anything() }, { requiredKeys: [] });
    const value = fc.oneof(
      fc.jsonValue(),
      fc.record({ tabs: fc.array(fc.record({ tabId: fc.anything(), bubbles: fc.array(bubble, { maxLength: 3 }) }, { requiredKeys: [] }), { maxLength: 2 }) }),
      fc.record({ allComposers: fc.array(fc.record({ composerId: fc.constantFrom("c", "d"), conversation: fc.array(bubble, { maxLength: 2 }) }, { requiredKeys: [] })) }),
      fc.record(
        {
          composerId: fc.constantFrom("c", "d"),
          text: fc.anything(),
          fullConversationHeadersOnly: fc.array(fc.record({ bubbleId: fc.constantFrom("b1", "b2", "b3"), type: fc.anything() }, { requiredKeys: [] }), { maxLength: 3 }),
          conversationMap: fc.dictionary(fc.constantFrom("b1", "b2"), bubble),
          conversation: fc.array(bubble, { maxLength: 2 }),
        },
        { requiredKeys: [] },
      ),
      bubble,
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom("ItemTable", "cursorDiskKV") as fc.Arbitrary<Row["table"]>, key, value, fc.boolean()), { maxLength: 8 }), async (entries) => {
        const rows = entries.map(([table, k, v, blob]) => ({ table, key: k, value: v ?? null, as: blob ? ("blob" as const) : ("text" as const) }));
        await parsesSafely(cursorVscdbParser, bufferEntry("state.vscdb", buildDb(rows)));
      }),
      { numRuns: 300 },
    );
  });

  it("cursor-vscdb on arbitrary bytes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), fc.boolean(), async (bytes, magic) => {
        const data = magic ? Uint8Array.from([...new TextEncoder().encode("SQLite format 3\0"), ...bytes]) : bytes;
        await parsesSafely(cursorVscdbParser, bufferEntry("state.vscdb", data));
      }),
      { numRuns: 300 },
    );
  });

  const markdown = [
    "cursor_export_chat_HEAD-FRAGMENT_explain_svict_caller_set_cover.md",
    "specstory_minsky_2025-04-28_18-51-available-tasks-inquiry.md",
    "specstory_FRAGMENT_cursor_v2.1.0_2025-12-02_12-49Z-bunch-of-updates.md",
  ];
  it.each(markdown)("cursor-markdown on mutated %s", async (file) => {
    const data = readFileSync(path.join(CURSOR, file));
    await fc.assert(
      fc.asyncProperty(mutation, async (edits) => {
        await parsesSafely(cursorMarkdownParser, bufferEntry(file, mutate(data, edits)));
      }),
      { numRuns: 100 },
    );
  });

  it("cursor-markdown on arbitrary text and bytes", async () => {
    const line = fc.oneof(fc.constantFrom("---", "**User**", "**Cursor**", "_**User**_", "_**User (2025-10-01 23:30Z)**_", "_**Agent (model x, mode y)**_", "```", "~~~", "    ```", "", "<!-- Generated by SpecStory -->"), fc.string({ maxLength: 20 }));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.array(line, { maxLength: 30 }).map((l) => new TextEncoder().encode(l.join("\n"))), fc.uint8Array({ maxLength: 300 })), async (bytes) => {
        await parsesSafely(cursorMarkdownParser, bufferEntry("chat.md", bytes));
      }),
      { numRuns: 300 },
    );
  });
});

import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { iterateCsvRecords } from "../../../src/server/importers/core/csv";
import { genericCsvParser, genericJsonlParser, genericJsonParser, genericTextParser } from "../../../src/server/importers/parsers/generic";
import type { ParseEvent, Parser } from "../../../src/server/importers/types";
import { completesOrRefuses as wellFormedOrRefused, drain, expectWellFormed as expectWellFormedEvents, failureOf, probe, prompts, setCutOrInsertBytes, skips } from "../../helpers/parsers";

const SAMPLES = "/work/shared/formats/samples";
const FIXTURES = path.resolve(import.meta.dirname, "../../fixtures/imports/generic");
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name));
const sample = (name: string) => readFileSync(path.join(SAMPLES, name));
const GENERIC = [genericCsvParser, genericJsonParser, genericJsonlParser, genericTextParser];

const parse = (parser: Parser, name: string, data: Uint8Array | string, chunkBytes?: number) => drain(parser, name, data, { chunkBytes });
const failure = (parser: Parser, name: string, data: Uint8Array | string, chunkBytes?: number) => failureOf(parser, name, data, { chunkBytes });
/** Compact view: [position, text, conversationTitle]. */
const rows = (events: ParseEvent[]) => prompts(events).map((p) => [p.position, p.text, p.conversationTitle]);
/** Generic lists keep gaps for skipped rows: positions only grow within a conversation. */
const expectWellFormed = (events: ParseEvent[]) => expectWellFormedEvents(events, { positions: "increasing" });

describe("generic CSV", () => {
  it("reads an awesome-chatgpt-prompts style file (BOM, CRLF, quoted line breaks, placeholders)", async () => {
    const events = await parse(genericCsvParser, "prompts.csv", fixture("prompts.csv"));
    expect(events[0]).toEqual({ kind: "conversation", id: "prompts.csv", title: null });
    expect(rows(events)).toEqual([
      [0, "Imagine you are an experienced Ethereum developer tasked with creating a smart contract for a blockchain messenger.", "Ethereum Developer"],
      [
        1,
        "I want you to act as a linux terminal. I will type commands and you will reply with what the terminal should show.\nMy first command is ${Command:pwd}",
        "Linux Terminal",
      ],
      [2, 'Reply with a quote about "${Topic:courage}" and nothing else.', "Quote Machine"],
      // Row 3 has an empty prompt; the blank line after it is not a row.
      [4, 'Explain 😀 and ünïcödé, then say "done".', "Unicode"],
    ]);
    for (const p of prompts(events)) expect(p).toMatchObject({ conversationId: "prompts.csv", createdAt: null, model: null, sourceMessageId: null });
    expect(skips(events)).toEqual([["empty row", 1]]);
    expectWellFormed(events);
  });

  it("sniffs semicolons and tabs, and reads a one-column file", async () => {
    expect(rows(await parse(genericCsvParser, "semicolon.csv", fixture("semicolon.csv")))).toEqual([
      [0, "What is 2+2; really?", null],
      [1, "Why is the sky blue?", null],
    ]);
    expect(rows(await parse(genericCsvParser, "tabs.tsv", fixture("tabs.tsv")))).toEqual([
      [0, "Say hello, politely.", "Greeting"],
      [1, "Line one\nline two", "Short"],
    ]);
    expect(rows(await parse(genericCsvParser, "single-column.csv", fixture("single-column.csv")))).toEqual([
      [0, "Write a haiku, about autumn, in English", null],
      [1, 'Quoted, with "quotes"', null],
    ]);
  });

  it("prefers prompt, then text, content, question, input, message", async () => {
    expect(rows(await parse(genericCsvParser, "a.csv", "Message,Text,PROMPT,Name\nm,t,p,n\n"))).toEqual([[0, "p", "n"]]);
    expect(rows(await parse(genericCsvParser, "a.csv", "message,input, Title \nm,i,T\n"))).toEqual([[0, "i", "T"]]);
    expect(rows(await parse(genericCsvParser, "a.csv", "content,act,title\nc,A,T\n"))).toEqual([[0, "c", "A"]]);
  });

  it("names the columns it found when none holds prompts", async () => {
    const error = await failure(genericCsvParser, "no-prompt-column.csv", fixture("no-prompt-column.csv"));
    expect(error.message).toBe(
      'no-prompt-column.csv: no prompt column in the header row (found the columns "name", "email", "age"); name the column with the prompts one of: prompt, text, content, question, input, message.',
    );
  });

  it("refuses unclosed quotes, empty files and non-UTF-8 text", async () => {
    expect((await failure(genericCsvParser, "unclosed-quote.csv", fixture("unclosed-quote.csv"))).message).toMatch(/starts on line 3 is never closed/);
    expect((await failure(genericCsvParser, "e.csv", "")).message).toMatch(/empty/);
    expect((await failure(genericCsvParser, "e.csv", " \n\n ")).message).toMatch(/empty/);
    const latin1 = await failure(genericCsvParser, "l.csv", Uint8Array.from([...Buffer.from("prompt\ncaf"), 0xe9, 0x0a]));
    // core/text.ts reports the byte that breaks the sequence (the line feed after the lone 0xE9).
    expect(latin1.message).toMatch(/not valid UTF-8.*offset 11/);
    expect(latin1.offset).toBe(11);
  });

  it("reads a header-only file and UTF-16 text", async () => {
    expect(await parse(genericCsvParser, "h.csv", "prompt,act\r\n")).toEqual([{ kind: "conversation", id: "h.csv", title: null }]);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("prompt\nhé 😀\n", "utf16le")]);
    expect(rows(await parse(genericCsvParser, "u.csv", utf16))).toEqual([[0, "hé 😀", null]]);
  });

  it("is independent of slices and chunks, deterministic, and reads a 5 MB cell", async () => {
    const text = fixture("prompts.csv").toString("utf8");
    const whole = [...iterateCsvRecords(text, { entry: "p", delimiter: "," })];
    for (const sliceChars of [1, 2, 3, 7, 64]) expect([...iterateCsvRecords(text, { entry: "p", delimiter: ",", sliceChars })]).toEqual(whole);
    expect(whole.map((r) => r.line)).toEqual([1, 2, 3, 5, 6, 7, 8, 9]);

    const once = await parse(genericCsvParser, "prompts.csv", fixture("prompts.csv"));
    expect(await parse(genericCsvParser, "prompts.csv", fixture("prompts.csv"), 7)).toEqual(once);

    const huge = `${"line with, commas and \"\"quotes\"\"\n".repeat(150_000)}end`;
    const events = await parse(genericCsvParser, "big.csv", `prompt,act\n"${huge}",Big\nnext,Small\n`);
    expect(rows(events).map(([position, text, title]) => [position, (text as string).length, title])).toEqual([
      [0, huge.replace(/""/g, '"').length, "Big"],
      [1, 4, "Small"],
    ]);
  });
});

describe("generic JSON", () => {
  it("reads FRAGMENT_sample_messages.json exactly", async () => {
    const events = await parse(genericJsonParser, "sample_messages.json", sample("generic/FRAGMENT_sample_messages.json"));
    expect(events).toEqual([
      { kind: "conversation", id: "sample_messages.json", title: null },
      {
        kind: "prompt",
        prompt: { text: "hello", conversationId: "sample_messages.json", conversationTitle: null, createdAt: null, model: null, position: 0, sourceMessageId: null },
      },
      { kind: "skip", reason: "assistant message", count: 1 },
    ]);
  });

  it("reads objects, chat messages, strings and odd items", async () => {
    const events = await parse(genericJsonParser, "prompts.json", fixture("prompts.json"));
    expect(prompts(events)).toEqual([
      {
        text: "Write a haiku about ${Season:autumn}.",
        conversationId: "prompts.json",
        conversationTitle: "Haiku",
        createdAt: new Date("2025-01-02T03:04:05Z"),
        model: "gpt-4o",
        position: 0,
        sourceMessageId: "p-1",
      },
      { text: "Translate the following text into French:\n\n{{text}}", conversationId: "prompts.json", conversationTitle: "Translator", createdAt: null, model: null, position: 1, sourceMessageId: null },
      {
        text: "Describe this image",
        conversationId: "prompts.json",
        conversationTitle: null,
        createdAt: null,
        model: null,
        position: 4,
        sourceMessageId: null,
        attachments: [{ name: "image", kind: "image" }],
      },
      { text: "A bare string prompt with escapes 😀 and a lone \ufffd surrogate", conversationId: "prompts.json", conversationTitle: null, createdAt: null, model: null, position: 9, sourceMessageId: null },
    ]);
    expect(skips(events)).toEqual([
      ["empty prompt", 1],
      ["system message", 1],
      ["attachment-only message", 1],
      ["assistant message", 1],
      ["tool message", 1],
      ["item without prompt text", 1],
    ]);
    expectWellFormed(events);
  });

  it("reads {prompts: [...]}, {messages: [...]}, a single object and an empty array", async () => {
    expect(rows(await parse(genericJsonParser, "wrapped.json", fixture("wrapped.json")))).toEqual([
      [0, "First wrapped prompt", null],
      [1, "Second wrapped prompt", "Helper"],
    ]);
    const chat = JSON.stringify({ messages: [{ role: "system", content: "s" }, { role: "user", content: "u1" }, { role: "assistant", content: "a" }, { role: "user", content: "u2" }] });
    expect(rows(await parse(genericJsonParser, "chat.json", chat))).toEqual([
      [1, "u1", null],
      [3, "u2", null],
    ]);
    expect(rows(await parse(genericJsonParser, "one.json", '{"prompt": "only one", "title": "Solo"}'))).toEqual([[0, "only one", "Solo"]]);
    expect(await parse(genericJsonParser, "none.json", "[]")).toEqual([{ kind: "conversation", id: "none.json", title: null }]);
  });

  it("points vendor exports and other JSON to the right import", async () => {
    expect((await failure(genericJsonParser, "conversations.json", sample("chatgpt/soulprint_chatgpt_minimal.json"))).message).toMatch(
      /is not a prompt list item: it looks like a ChatGPT export/,
    );
    expect((await failure(genericJsonParser, "c.json", sample("claude/soulprint_claude_export_sample.json"))).message).toMatch(/looks like a Claude export/);
    expect((await failure(genericJsonParser, "a.json", sample("gemini/aistudio_saved_prompt_FROM-MARKDOWN-ARCHIVE.json"))).message).toMatch(/Google AI Studio/);
    expect((await failure(genericJsonParser, "n.json", "[1, 2, 3]")).message).toMatch(/first item \(byte 1\) is not a prompt/);
    const corrupt = await failure(genericJsonParser, "bad.json", '["ok", {"prompt": "x",}]');
    expect(corrupt.message).toMatch(/invalid JSON in the item starting at byte 7/);
    expect(corrupt.offset).toBe(7);
    expect((await failure(genericJsonParser, "e.json", "")).message).toMatch(/empty/);
  });

  it("is deterministic, independent of chunk boundaries and reads a 5 MB prompt", async () => {
    const once = await parse(genericJsonParser, "prompts.json", fixture("prompts.json"));
    expect(await parse(genericJsonParser, "prompts.json", fixture("prompts.json"))).toEqual(once);
    expect(await parse(genericJsonParser, "prompts.json", fixture("prompts.json"), 7)).toEqual(once);
    expect(await parse(genericJsonParser, "prompts.json", fixture("prompts.json"), 1)).toEqual(once);
    const huge = "🙂".repeat(1_300_000);
    const events = await parse(genericJsonParser, "big.json", JSON.stringify([{ prompt: huge }, "small"]), 65536);
    expect(prompts(events).map((p) => p.text.length)).toEqual([huge.length, 5]);
  });
});

describe("generic JSONL", () => {
  it("reads strings, objects and chat-log lines", async () => {
    const events = await parse(genericJsonlParser, "prompts.jsonl", fixture("prompts.jsonl"));
    expect(prompts(events)).toEqual([
      { text: "Plain string line", conversationId: "prompts.jsonl", conversationTitle: null, createdAt: null, model: null, position: 0, sourceMessageId: null },
      { text: "Object line", conversationId: "prompts.jsonl", conversationTitle: "T1", createdAt: null, model: null, position: 1, sourceMessageId: "7" },
      {
        text: "Claude Code style line",
        conversationId: "prompts.jsonl",
        conversationTitle: null,
        createdAt: new Date("2025-08-01T10:00:00Z"),
        model: null,
        position: 3,
        sourceMessageId: "u-1",
      },
    ]);
    expect(skips(events)).toEqual([
      ["assistant message", 1],
      ["tool result", 1],
    ]);
    for (const chunkBytes of [1, 7]) expect(await parse(genericJsonlParser, "prompts.jsonl", fixture("prompts.jsonl"), chunkBytes)).toEqual(events);
  });

  it("fails a corrupt line with its number and byte offset", async () => {
    for (const chunkBytes of [undefined, 1, 7]) {
      const error = await failure(genericJsonlParser, "bad.jsonl", fixture("bad.jsonl"), chunkBytes);
      expect(error.message).toBe("bad.jsonl: invalid JSON on line 2 (byte 19).");
      expect(error.offset).toBe(19);
    }
    const latin1 = await failure(genericJsonlParser, "l.jsonl", Uint8Array.from([...Buffer.from('"a"\n"caf'), 0xe9, 0x22, 0x0a]));
    expect(latin1.message).toMatch(/line 2 \(byte 4\) is not valid UTF-8/);
  });

  it("handles BOM, CRLF, blank lines, UTF-16 and empty files", async () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('"first"\r\n\r\n{"text": "second"}')]);
    for (const chunkBytes of [1, 2, 7]) {
      expect(rows(await parse(genericJsonlParser, "b.jsonl", bom, chunkBytes))).toEqual([
        [0, "first", null],
        [1, "second", null],
      ]);
    }
    expect((await failure(genericJsonlParser, "u.jsonl", Buffer.from([0xff, 0xfe, 0x22, 0x00]))).message).toMatch(/UTF-16/);
    expect((await failure(genericJsonlParser, "e.jsonl", "")).message).toMatch(/empty/);
    expect((await failure(genericJsonlParser, "e.jsonl", "\n \r\n\n")).message).toMatch(/empty/);
    expect((await failure(genericJsonlParser, "v.jsonl", '{"ts": 1, "type": "say", "say": "task", "text": "x"}\n')).message).toMatch(/Cline task/);
  });
});

describe("generic text and markdown", () => {
  it("reads FRAGMENT_sample_conversation.md as a transcript", async () => {
    const events = await parse(genericTextParser, "sample_conversation.md", sample("generic/FRAGMENT_sample_conversation.md"));
    expect(events).toEqual([
      { kind: "conversation", id: "sample_conversation.md", title: "Lesson workflow" },
      {
        kind: "prompt",
        prompt: {
          text: "Do AI lessons need teacher approval?",
          conversationId: "sample_conversation.md",
          conversationTitle: "Lesson workflow",
          createdAt: null,
          model: null,
          position: 0,
          sourceMessageId: null,
        },
      },
      { kind: "skip", reason: "assistant message", count: 1 },
    ]);
  });

  it("splits on --- / *** lines, never inside code fences, and titles prompts by their heading", async () => {
    const events = await parse(genericTextParser, "prompts.md", fixture("prompts.md"));
    expect(rows(events)).toEqual([
      [0, "Review the following code for bugs and style issues:\n\n```diff\n- old line\n---\n+ new line\n```", "Code reviewer"],
      [1, "Write a commit message for this diff.\n\nKeep it under 72 characters.", "Commit message"],
      [2, "Summarise this article in three bullet points.", "Commit message"],
    ]);
    expect(skips(events)).toEqual([]);
    expectWellFormed(events);
  });

  it("splits on blank lines otherwise, and skips front matter", async () => {
    expect(rows(await parse(genericTextParser, "paragraphs.txt", fixture("paragraphs.txt")))).toEqual([
      [0, "First prompt on one line.", null],
      [1, "Second prompt\nspanning two lines.", null],
      [2, "Third prompt after two blank lines.", null],
      [3, "Fourth after a whitespace-only line.", null],
    ]);
    const front = await parse(genericTextParser, "frontmatter.md", fixture("frontmatter.md"));
    expect(rows(front)).toEqual([
      [0, "Write a limerick about cats.", null],
      [1, "Write a sonnet about dogs.", null],
    ]);
    expect(skips(front)).toEqual([["front matter", 1]]);
    const crlf = await parse(genericTextParser, "w.txt", "# Section\r\n\r\nOne\r\ntwo\r\n\r\n\r\nThree\r\n");
    expect(rows(crlf)).toEqual([
      [0, "One\ntwo", "Section"],
      [1, "Three", "Section"],
    ]);
  });

  it("keeps only the user turns of transcripts", async () => {
    expect(rows(await parse(genericTextParser, "t.md", fixture("transcript-bold.md")))).toEqual([
      [0, "How do I mock a module in vitest?", "Chat about tests"],
      [1, "And restore it?", "Chat about tests"],
    ]);
    const variants = [
      "**User:** inline question\n\n---\n\n**Assistant:** answer\n\n---\n\n**User:**\n\nsecond\n",
      "_**User**_\n\ninline question\n\n---\n\n_**Assistant**_\n\nanswer\n\n---\n\n_**User (2025-10-01 23:30Z)**_\n\nsecond\n",
      "## Human\ninline question\n## Assistant\nanswer\n## Human\nsecond",
      "You said:\ninline question\nChatGPT said:\nanswer\nYou said:\nsecond\n",
    ];
    for (const text of variants) {
      const events = await parse(genericTextParser, "t.md", text);
      expect(prompts(events).map((p) => p.text)).toEqual(["inline question", "second"]);
      expect(skips(events)).toEqual([["assistant message", 1]]);
    }
    const long = `User: ${"x".repeat(300)}\nAssistant: ok\n`;
    expect(prompts(await parse(genericTextParser, "l.txt", long)).map((p) => p.text)).toEqual(["x".repeat(300)]);
    const withSystem = await parse(genericTextParser, "s.txt", "System: be nice\nUser:\n\nAssistant: hi\n");
    expect(prompts(withSystem)).toEqual([]);
    expect(skips(withSystem)).toEqual([
      ["system message", 1],
      ["empty message", 1],
      ["assistant message", 1],
    ]);
  });

  it("refuses empty and non-UTF-8 files, and reads a 5 MB block", async () => {
    expect((await failure(genericTextParser, "e.txt", "")).message).toMatch(/empty/);
    expect((await failure(genericTextParser, "e.txt", "\n  \n")).message).toMatch(/empty/);
    expect((await failure(genericTextParser, "l.txt", Uint8Array.from([0x61, 0xe9]))).message).toMatch(/not valid UTF-8/);
    const huge = "word ".repeat(1_100_000).trim();
    const events = await parse(genericTextParser, "big.txt", `${huge}\n\nsmall`, 65536);
    expect(prompts(events).map((p) => p.text.length)).toEqual([huge.length, 5]);
    expect(await parse(genericTextParser, "big.txt", `${huge}\n\nsmall`, 7)).toEqual(events);
  });
});

describe("generic detection", () => {
  it("claims its own files by extension, with low confidence", () => {
    const cases: [Parser, string, Buffer | string, number][] = [
      [genericCsvParser, "prompts.csv", fixture("prompts.csv"), 0.3],
      [genericCsvParser, "tabs.tsv", fixture("tabs.tsv"), 0.3],
      [genericCsvParser, "no-prompt-column.csv", fixture("no-prompt-column.csv"), 0.1],
      [genericJsonParser, "prompts.json", fixture("prompts.json"), 0.3],
      [genericJsonParser, "wrapped.json", fixture("wrapped.json"), 0.3],
      [genericJsonParser, "sample_messages.json", sample("generic/FRAGMENT_sample_messages.json"), 0.3],
      [genericJsonParser, "strings.json", '["a", "b"]', 0.3],
      [genericJsonParser, "empty.json", "[]", 0.1],
      [genericJsonlParser, "prompts.jsonl", fixture("prompts.jsonl"), 0.3],
      [genericJsonlParser, "prompts.ndjson", '"a"\n"b"\n', 0.3],
      [genericJsonlParser, "bad.jsonl", "{oops\n", 0.1],
      [genericTextParser, "paragraphs.txt", fixture("paragraphs.txt"), 0.2],
      [genericTextParser, "prompts.md", fixture("prompts.md"), 0.2],
      [genericTextParser, "sample_conversation.md", sample("generic/FRAGMENT_sample_conversation.md"), 0.1],
      [genericTextParser, "transcript-bold.md", fixture("transcript-bold.md"), 0.1],
    ];
    for (const [parser, name, data, expected] of cases) expect([name, parser.detect(probe(name, data))]).toEqual([name, expected]);
  });

  it("leaves other extensions, vendor folders and vendor shapes alone", () => {
    expect(genericJsonParser.detect(probe("prompts.txt", '["a"]'))).toBe(0);
    expect(genericCsvParser.detect(probe("prompts.json", "prompt\na\n"))).toBe(0);
    expect(genericTextParser.detect(probe("Greeting prompt", "hello"))).toBe(0);
    expect(genericTextParser.detect(probe(".specstory/.what-is-this.md", "hello"))).toBe(0);
    expect(genericJsonParser.detect(probe("projects.json", '[{"uuid": "x", "name": "p"}]', ["conversations.json", "users.json"]))).toBe(0);
    expect(genericJsonParser.detect(probe("users.json", '[{"uuid": "x", "full_name": "A", "email_address": "a@b"}]'))).toBe(0);
    expect(genericTextParser.detect(probe("tasks/1/focus_chain_taskid_1.md", "- [ ] do it", ["ui_messages.json", "api_conversation_history.json"]))).toBe(0);
    expect(genericJsonlParser.detect(probe("ui.jsonl", '{"ts": 1, "type": "say", "say": "task"}\n'))).toBe(0);
  });

  // The cursor folder's shapes document is a note written for this project, not an export: a markdown file
  // that generic-text may rightly read.
  const vendorSamples = [
    "chatgpt/soulprint_chatgpt_minimal.json",
    "claude/soulprint_claude_export_sample.json",
    ...readdirSync(`${SAMPLES}/gemini`).map((f) => `gemini/${f}`),
    ...readdirSync(`${SAMPLES}/cline`).map((f) => `cline/${f}`),
    ...readdirSync(`${SAMPLES}/cursor`)
      .filter((f) => f !== "vscdb_keys_and_value_shapes.md")
      .map((f) => `cursor/${f}`),
  ];
  it.each(vendorSamples)("returns 0 on %s", (file) => {
    const data = sample(file);
    for (const name of [path.basename(file), file]) for (const parser of GENERIC) expect([parser.id, name, parser.detect(probe(name, data))]).toEqual([parser.id, name, 0]);
  });

  it("never goes above 0.3 nor throws on arbitrary input", () => {
    fc.assert(
      fc.property(fc.constantFrom("a.csv", "a.tsv", "a.json", "a.jsonl", "a.txt", "a.md"), fc.uint8Array({ maxLength: 200 }), (name, data) => {
        for (const parser of GENERIC) {
          const confidence = parser.detect(probe(name, data));
          expect(confidence).toBeGreaterThanOrEqual(0);
          expect(confidence).toBeLessThanOrEqual(0.3);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("generic fuzzing", () => {
  const cases: [string, Parser, string, Buffer[]][] = [
    [genericCsvParser.id, genericCsvParser, "f.csv", [fixture("prompts.csv"), fixture("semicolon.csv"), fixture("tabs.tsv")]],
    [genericJsonParser.id, genericJsonParser, "f.json", [fixture("prompts.json"), fixture("wrapped.json")]],
    [genericJsonlParser.id, genericJsonlParser, "f.jsonl", [fixture("prompts.jsonl")]],
    [genericTextParser.id, genericTextParser, "f.md", [fixture("prompts.md"), fixture("transcript-bold.md"), fixture("frontmatter.md")]],
  ];

  const completesOrRefuses = (parser: Parser, name: string, data: Uint8Array) => wellFormedOrRefused(() => parse(parser, name, data, 11), expectWellFormed);

  it.each(cases)("%s survives arbitrary bytes", async (_id, parser, name) => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string({ maxLength: 200 }).map((s) => new TextEncoder().encode(s))), async (data) =>
        completesOrRefuses(parser, name, data),
      ),
      { numRuns: 200 },
    );
  });

  it.each(cases)("%s survives mutated valid files", async (_id, parser, name, seeds) => {
    const mutation = fc.record({
      seed: fc.integer({ min: 0, max: seeds.length - 1 }),
      edits: fc.array(fc.record({ at: fc.nat(), byte: fc.constantFrom(0x22, 0x2c, 0x3b, 0x0a, 0x0d, 0x5b, 0x7b, 0x7d, 0x5c, 0x2d, 0x2a, 0xff, 0x00, 0x41) , kind: fc.constantFrom("set", "cut", "insert") }), {
        minLength: 1,
        maxLength: 6,
      }),
    });
    await fc.assert(
      fc.asyncProperty(mutation, async ({ seed, edits }) => {
        await completesOrRefuses(parser, name, setCutOrInsertBytes(seeds[seed]!, edits));
      }),
      { numRuns: 200 },
    );
  });
});

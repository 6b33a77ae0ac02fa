import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bufferEntry } from "../../../src/server/importers/core/entries";
import { clineMarkdownParser } from "../../../src/server/importers/parsers/cline-markdown";
import { clineTaskParser } from "../../../src/server/importers/parsers/cline-task";
import { ImportFormatError } from "../../../src/server/importers/types";
import { drainEntry as drain, mutateBytes, parsesSafely, probe, prompts as promptsOf, skipCounts as skipsOf } from "../../helpers/parsers";

const SAMPLES = "/work/shared/formats/samples";
const FIXTURES = path.resolve(import.meta.dirname, "../../fixtures/imports/cline");
const TASK_DIR = "tasks/1769053680585";

function fixture(relative: string): Buffer {
  return readFileSync(path.join(FIXTURES, relative));
}

function sample(relative: string): Buffer {
  return readFileSync(path.join(SAMPLES, relative));
}

function otherVendorSamples(): string[] {
  const out: string[] = [];
  for (const source of readdirSync(SAMPLES)) {
    const dir = path.join(SAMPLES, source);
    if (source === "cline" || !statSync(dir).isDirectory()) continue;
    for (const file of readdirSync(dir)) out.push(path.join(source, file));
  }
  return out;
}

describe("cline-task: ui_messages.json", () => {
  it("reads the shared engram sample (say:task + user_feedback, model from modelInfo)", async () => {
    const data = sample("cline/engram_ui_messages.json");
    const events = await drain(clineTaskParser, bufferEntry("tasks/1770000000000/ui_messages.json", data));
    expect(events[0]).toEqual({ kind: "conversation", id: "1770000000000", title: "帮我写单元测试" });
    expect(promptsOf(events)).toEqual([
      {
        text: "帮我写单元测试",
        conversationId: "1770000000000",
        conversationTitle: "帮我写单元测试",
        createdAt: new Date(1770000000000),
        model: "glm-5",
        position: 0,
        sourceMessageId: "1770000000000",
      },
      {
        text: "谢谢",
        conversationId: "1770000000000",
        conversationTitle: "帮我写单元测试",
        createdAt: new Date(1770000060000),
        model: "glm-5", // the latest modelInfo seen
        position: 1,
        sourceMessageId: "1770000060000",
      },
    ]);
    expect(events.filter((e) => e.kind === "skip")).toEqual([]);
  });

  it("reads a Cline 3.51 task folder: first say:text record, feedback, attachments, partial and empty records, task_metadata models", async () => {
    const entry = bufferEntry(`${TASK_DIR}/ui_messages.json`, fixture(`${TASK_DIR}/ui_messages.json`));
    const metadata = bufferEntry(`${TASK_DIR}/task_metadata.json`, fixture(`${TASK_DIR}/task_metadata.json`));
    const events = await drain(clineTaskParser, entry, { "task_metadata.json": metadata });
    const title = "Refactor ActionSystem.cs so that each action";
    expect(events[0]).toEqual({ kind: "conversation", id: "1769053680585", title });
    const prompts = promptsOf(events);
    expect(prompts.map((p) => p.text)).toEqual([
      "Refactor ActionSystem.cs so that each action\nhas its own class.",
      "no — drop it 😀",
      "also see this screenshot and @/BeginTurnGA.cs",
      "Ship it.\nThanks",
    ]);
    expect(prompts.map((p) => p.model)).toEqual(["claude-sonnet-4-5-20250929", "claude-sonnet-4-5-20250929", "claude-opus-4-1", "gpt-5"]);
    expect(prompts.map((p) => p.sourceMessageId)).toEqual(["1769053680585", "1769053710000", "1769053740000", "1769054212503"]);
    expect(prompts.map((p) => p.position)).toEqual([0, 1, 2, 3]);
    expect(prompts.every((p) => p.conversationId === "1769053680585" && p.conversationTitle === title)).toBe(true);
    expect(prompts[2]!.attachments).toEqual([
      { name: "image 1", kind: "image/jpeg" },
      { name: "BeginTurnGA.cs", kind: "file" },
    ]);
    expect(prompts[0]!.attachments).toBeUndefined();
    expect(skipsOf(events)).toEqual({ "attachment-only message": 1, "empty message": 1, "incomplete message": 1 });
  });

  it("gives the same events whatever the stream's chunk size, and on every re-parse", async () => {
    const data = fixture(`${TASK_DIR}/ui_messages.json`);
    const whole = await drain(clineTaskParser, bufferEntry(`${TASK_DIR}/ui_messages.json`, data));
    expect(await drain(clineTaskParser, bufferEntry(`${TASK_DIR}/ui_messages.json`, data, 7))).toEqual(whole);
    expect(await drain(clineTaskParser, bufferEntry(`${TASK_DIR}/ui_messages.json`, data))).toEqual(whole);
  });

  it("takes the model in use from the real task_metadata.json sample when a record has no modelInfo of its own", async () => {
    const entry = bufferEntry("tasks/1770000000000/ui_messages.json", sample("cline/engram_ui_messages.json"));
    const metadata = bufferEntry("tasks/1770000000000/task_metadata.json", sample("cline/EXCERPT_real_task_metadata_gmfstu.json"), 5);
    const prompts = promptsOf(await drain(clineTaskParser, entry, { "task_metadata.json": metadata }));
    expect(prompts.map((p) => p.model)).toEqual(["glm-5", "claude-sonnet-4-5-20250929"]);
  });

  it("uses the first record's ts as the task id for a lone file", async () => {
    const events = await drain(clineTaskParser, bufferEntry("ui_messages.json", sample("cline/engram_ui_messages.json")));
    expect(events[0]).toMatchObject({ kind: "conversation", id: "1770000000000" });
  });

  it("reads a 5 MB prompt", async () => {
    const big = "x".repeat(5 * 1024 * 1024);
    const data = JSON.stringify([{ ts: 1770000000000, type: "say", say: "task", text: big }]);
    const prompts = promptsOf(await drain(clineTaskParser, bufferEntry("tasks/1/ui_messages.json", data, 64 * 1024)));
    expect(prompts).toHaveLength(1);
    expect(prompts[0]!.text.length).toBe(big.length);
    expect(prompts[0]!.conversationTitle).toHaveLength(80);
  });

  it("emits the conversation of an empty task", async () => {
    expect(await drain(clineTaskParser, bufferEntry("tasks/42/ui_messages.json", "[]"))).toEqual([{ kind: "conversation", id: "42", title: null }]);
  });

  it("ignores unreadable task_metadata.json", async () => {
    const events = await drain(clineTaskParser, bufferEntry("tasks/1770000000000/ui_messages.json", sample("cline/engram_ui_messages.json")), {
      "task_metadata.json": bufferEntry("tasks/1770000000000/task_metadata.json", "{not json"),
    });
    expect(promptsOf(events)).toHaveLength(2);
  });

  it.each([
    ["an empty file", ""],
    ["an object", '{"ts": 1}'],
    ["truncated JSON", '[{"ts": 1, "type": "say", "say": "task", "text": "hi'],
    ["an array of something else", "[1, 2, 3]"],
    ["non-UTF-8 text", Buffer.from([0x5b, 0x22, 0xff, 0xfe, 0x22, 0x5d])],
  ])("refuses %s with ImportFormatError", async (_, data) => {
    await expect(drain(clineTaskParser, bufferEntry("tasks/1/ui_messages.json", data))).rejects.toBeInstanceOf(ImportFormatError);
  });
});

describe("cline-task: api_conversation_history.json without ui_messages.json", () => {
  const name = "api-only/1735000000000/api_conversation_history.json";

  it("takes <task>, <feedback>, <answer> and <user_message>, strips environment details and tool results", async () => {
    const events = await drain(clineTaskParser, bufferEntry(name, fixture(name)));
    const title = "Add a dark mode toggle to the settings page 😀";
    expect(events[0]).toEqual({ kind: "conversation", id: "1735000000000", title });
    const prompts = promptsOf(events);
    expect(prompts).toEqual([
      {
        text: "Add a dark mode toggle to the settings page 😀\n\nUse the existing `ThemeContext`.",
        conversationId: "1735000000000",
        conversationTitle: title,
        createdAt: new Date("2025-01-05T20:07:09Z"), // 3:07:09 PM at UTC-5
        model: null,
        position: 0,
        sourceMessageId: null,
        attachments: [{ name: "image 1", kind: "image/png" }],
      },
      {
        text: "Put the toggle in the header instead.",
        conversationId: "1735000000000",
        conversationTitle: title,
        createdAt: new Date("2025-01-05T20:09:00Z"),
        model: null,
        position: 1,
        sourceMessageId: null,
      },
      {
        text: "A moon icon",
        conversationId: "1735000000000",
        conversationTitle: title,
        createdAt: null,
        model: null,
        position: 2,
        sourceMessageId: null,
      },
      {
        text: "Now add a test for it",
        conversationId: "1735000000000",
        conversationTitle: title,
        createdAt: new Date(1736115000000),
        model: null,
        position: 3,
        sourceMessageId: "1736115000000",
      },
    ]);
    expect(skipsOf(events)).toEqual({ "tool result": 2, "automated message": 1, "empty message": 1 });
  });

  it("is chunk-size independent", async () => {
    const data = fixture(name);
    expect(await drain(clineTaskParser, bufferEntry(name, data, 7))).toEqual(await drain(clineTaskParser, bufferEntry(name, data)));
  });

  it("takes the model from task_metadata.json when the history has none", async () => {
    const entry = bufferEntry(`${TASK_DIR}/api_conversation_history.json`, fixture(`${TASK_DIR}/api_conversation_history.json`));
    const metadata = bufferEntry(`${TASK_DIR}/task_metadata.json`, fixture(`${TASK_DIR}/task_metadata.json`));
    const prompts = promptsOf(await drain(clineTaskParser, entry, { "task_metadata.json": metadata }));
    expect(prompts).toMatchObject([{ text: "Refactor ActionSystem.cs", model: "claude-sonnet-4-5-20250929", createdAt: new Date("2026-01-22T03:48:00Z") }]);
  });
});

describe("cline-markdown", () => {
  it("reads the shared IBM Bob export: the <task> only, without environment details", async () => {
    const data = sample("cline/FRAGMENT_cline-family_export_task_markdown_bob_task_HEAD.md");
    const name = "backend/bob_task_may-16-2026_1-27-37-pm.md";
    const events = await drain(clineMarkdownParser, bufferEntry(name, data));
    const text = data.toString("utf8");
    const task = text.slice(text.indexOf("<task>\n") + 7, text.indexOf("\n</task>"));
    expect(task.startsWith("Build proposal display components")).toBe(true);
    const title = "Build proposal display components and Mermaid diagram rendering for the documen…";
    expect(events).toEqual([
      { kind: "conversation", id: "bob_task_may-16-2026_1-27-37-pm.md", title },
      {
        kind: "prompt",
        prompt: {
          text: task.trim(),
          conversationId: "bob_task_may-16-2026_1-27-37-pm.md",
          conversationTitle: title,
          createdAt: new Date("2026-05-16T10:27:26.771Z"),
          model: null,
          position: 0,
          sourceMessageId: null,
        },
      },
    ]);
    expect(task).toContain("```typescript\nimport mermaid from 'mermaid';");
  });

  it("reads a Cline export: fences, feedback, answers, tool results, images", async () => {
    const name = "cline_task_jan-5-2025_3-07-09-pm.md";
    const events = await drain(clineMarkdownParser, bufferEntry(name, fixture(name)));
    const prompts = promptsOf(events);
    expect(prompts.map((p) => p.text)).toEqual([
      "Fix the date parser in `src/time.ts`.\n\nIt breaks on inputs like this:\n\n```text\n**User:**\n\n---\n\n2025-01-05\n```",
      "Keep the old signature — callers depend on it.",
      "Yes, with vitest.",
    ]);
    expect(prompts.map((p) => p.createdAt)).toEqual([new Date("2025-01-05T20:07:09Z"), new Date("2025-01-05T20:09:00Z"), null]);
    expect(prompts[0]!.attachments).toEqual([{ name: "image 1", kind: "image" }]);
    expect(prompts.every((p) => p.conversationId === name && p.conversationTitle === "Fix the date parser in `src/time.ts`.")).toBe(true);
    expect(skipsOf(events)).toEqual({ "tool result": 2, "attachment-only message": 1 });
  });

  it("reads a Roo Code export: <user_message> on resumption, model from environment details", async () => {
    const name = "roo_task_mar-2-2026_9-15-00-am.md";
    const prompts = promptsOf(await drain(clineMarkdownParser, bufferEntry(name, fixture(name))));
    expect(prompts).toEqual([
      {
        text: "Écris un script qui renomme les photos par date 📷",
        conversationId: name,
        conversationTitle: "Écris un script qui renomme les photos par date 📷",
        createdAt: new Date("2026-03-02T08:15:00.000Z"),
        model: "anthropic/claude-sonnet-4",
        position: 0,
        sourceMessageId: null,
      },
      {
        text: "Ajoute une option --dry-run",
        conversationId: name,
        conversationTitle: "Écris un script qui renomme les photos par date 📷",
        createdAt: new Date("2026-03-02T08:30:00.000Z"),
        model: null,
        position: 1,
        sourceMessageId: null,
      },
    ]);
  });

  it("handles CRLF line endings and a 5 MB task", async () => {
    const big = "y".repeat(5 * 1024 * 1024);
    const text = `**User:**\r\n\r\n<task>\r\n${big}\r\n</task>\r\n\r\n---\r\n\r\n**Assistant:**\r\n\r\nok\r\n\r\n---\r\n`;
    const prompts = promptsOf(await drain(clineMarkdownParser, bufferEntry("cline_task_big.md", text)));
    expect(prompts).toHaveLength(1);
    expect(prompts[0]!.text).toBe(big);
  });

  it("refuses a file with no turns, and non-UTF-8 text", async () => {
    await expect(drain(clineMarkdownParser, bufferEntry("cline_task_x.md", "# just notes\n"))).rejects.toBeInstanceOf(ImportFormatError);
    await expect(drain(clineMarkdownParser, bufferEntry("cline_task_x.md", Buffer.from([0x2a, 0x2a, 0xff, 0x0a])))).rejects.toBeInstanceOf(ImportFormatError);
    await expect(drain(clineMarkdownParser, bufferEntry("cline_task_x.md", ""))).rejects.toBeInstanceOf(ImportFormatError);
  });

  it("is deterministic and chunk-size independent", async () => {
    const data = sample("cline/FRAGMENT_cline-family_export_task_markdown_bob_task_HEAD.md");
    const once = await drain(clineMarkdownParser, bufferEntry("bob_task.md", data));
    expect(await drain(clineMarkdownParser, bufferEntry("bob_task.md", data))).toEqual(once);
    expect(await drain(clineMarkdownParser, bufferEntry("bob_task.md", data, 7))).toEqual(once);
  });
});

describe("detection", () => {
  const ui = sample("cline/engram_ui_messages.json");
  const api = fixture("api-only/1735000000000/api_conversation_history.json");
  const bob = sample("cline/FRAGMENT_cline-family_export_task_markdown_bob_task_HEAD.md");

  it("claims ui_messages.json, confidently next to its siblings", () => {
    expect(clineTaskParser.detect(probe("tasks/1/ui_messages.json", ui, ["api_conversation_history.json", "task_metadata.json"]))).toBeGreaterThanOrEqual(0.95);
    expect(clineTaskParser.detect(probe("ui_messages.json", ui))).toBeGreaterThanOrEqual(0.9);
    expect(clineTaskParser.detect(probe("renamed.json", ui))).toBeGreaterThanOrEqual(0.8);
  });

  it("claims api_conversation_history.json only when ui_messages.json is not next to it", () => {
    expect(clineTaskParser.detect(probe("t/api_conversation_history.json", api))).toBeGreaterThanOrEqual(0.9);
    expect(clineTaskParser.detect(probe("t/api_conversation_history.json", api, ["ui_messages.json", "task_metadata.json"]))).toBe(0);
  });

  it("does not claim task_metadata.json", () => {
    const metadata = sample("cline/EXCERPT_real_task_metadata_gmfstu.json");
    expect(clineTaskParser.detect(probe("task_metadata.json", metadata, ["ui_messages.json"]))).toBe(0);
    expect(clineMarkdownParser.detect(probe("task_metadata.json", metadata))).toBe(0);
  });

  it("claims Cline-family markdown exports", () => {
    expect(clineMarkdownParser.detect(probe("bob_task_may-16-2026_1-27-37-pm.md", bob))).toBeGreaterThanOrEqual(0.95);
    expect(clineMarkdownParser.detect(probe("notes.md", bob))).toBeGreaterThanOrEqual(0.9);
    expect(clineMarkdownParser.detect(probe("cline_task_jan-5-2025_3-07-09-pm.md", fixture("cline_task_jan-5-2025_3-07-09-pm.md")))).toBeGreaterThanOrEqual(0.95);
    expect(clineTaskParser.detect(probe("bob_task.md", bob))).toBe(0);
    expect(clineMarkdownParser.detect(probe("ui_messages.json", ui))).toBe(0);
  });

  it.each(otherVendorSamples())("returns 0 on %s", (file) => {
    const data = sample(file);
    const name = path.basename(file);
    expect(clineTaskParser.detect(probe(name, data))).toBe(0);
    expect(clineMarkdownParser.detect(probe(name, data))).toBe(0);
  });

  it("never throws on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.constantFrom("ui_messages.json", "api_conversation_history.json", "x.md", "cline_task_a.md"), (bytes, name) => {
        for (const parser of [clineTaskParser, clineMarkdownParser]) {
          const confidence = parser.detect(probe(name, bytes, ["task_metadata.json"]));
          expect(confidence >= 0 && confidence <= 1).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("fuzz: parse completes or throws ImportFormatError", () => {
  const valid = [
    { parser: clineTaskParser, name: "tasks/1/ui_messages.json", data: fixture(`${TASK_DIR}/ui_messages.json`) },
    { parser: clineTaskParser, name: "tasks/1/api_conversation_history.json", data: fixture("api-only/1735000000000/api_conversation_history.json") },
    { parser: clineMarkdownParser, name: "cline_task_a.md", data: fixture("cline_task_jan-5-2025_3-07-09-pm.md") },
  ];

  /** Flips, deletes and inserts bytes at random places: mostly-valid input is where parsers break. */
  const mutation = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 });
  const mutate = (data: Uint8Array, edits: [number, number, number][]) => mutateBytes(data, edits, { halveOver: 4 }); // and a truncation

  it.each(valid)("$parser.id on mutated $name", async ({ parser, name, data }) => {
    await fc.assert(
      fc.asyncProperty(mutation, fc.integer({ min: 1, max: 64 }), async (edits, chunk) => {
        await parsesSafely(parser, bufferEntry(name, mutate(data, edits), chunk));
      }),
      { numRuns: 300 },
    );
  });

  it.each(valid)("$parser.id on arbitrary bytes as $name", async ({ parser, name }) => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string({ maxLength: 300 }).map((s) => new TextEncoder().encode(s))), async (bytes) => {
        await parsesSafely(parser, bufferEntry(name, bytes, 5));
      }),
      { numRuns: 300 },
    );
  });

  it("ui_messages.json of arbitrary JSON records", async () => {
    const record = fc.record(
      {
        ts: fc.oneof(fc.integer(), fc.string(), fc.constant(null)),
        type: fc.constantFrom("say", "ask", "other"),
        say: fc.constantFrom("task", "text", "user_feedback", "api_req_started"),
        text: fc.oneof(fc.string(), fc.constant(null), fc.integer()),
        partial: fc.boolean(),
        images: fc.oneof(fc.array(fc.string()), fc.constant(null)),
        files: fc.anything(),
        modelInfo: fc.anything(),
        conversationHistoryIndex: fc.integer({ min: -1, max: 3 }),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(record, fc.jsonValue()), { maxLength: 8 }), async (records) => {
        await parsesSafely(clineTaskParser, bufferEntry("tasks/1/ui_messages.json", JSON.stringify(records)));
      }),
      { numRuns: 300 },
    );
  });
});

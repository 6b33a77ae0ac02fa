import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { claudeParser } from "../../../src/server/importers/parsers/claude";
import { completesOrRefuses as wellFormedOrRefused, conversations, drain, expectWellFormed, failureOf, insertOrDeleteBytes, probe, prompts, replaceAt, skips } from "../../helpers/parsers";

const SAMPLES = "/work/shared/formats/samples";
const FIXTURES = path.resolve(import.meta.dirname, "../../fixtures/imports/claude");
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name));

const parse = (name: string, data: Uint8Array | string, chunkBytes?: number) => drain(claudeParser, name, data, { chunkBytes });
const failure = (name: string, data: Uint8Array | string) => failureOf(claudeParser, name, data);

describe("Claude parser: shared sample", () => {
  it("reads soulprint_claude_export_sample.json exactly (2024 shape, no parent links)", async () => {
    const events = await parse("conversations.json", readFileSync(`${SAMPLES}/claude/soulprint_claude_export_sample.json`));
    const base = { model: null, activeBranch: true };
    expect(events).toEqual([
      { kind: "conversation", id: "claude-conv-1", title: "Bakery planning" },
      {
        kind: "prompt",
        prompt: {
          ...base,
          text: "Help me plan a bakery opening checklist.",
          conversationId: "claude-conv-1",
          conversationTitle: "Bakery planning",
          createdAt: new Date("2024-12-01T10:00:00Z"),
          position: 0,
          sourceMessageId: "claude-msg-1",
        },
      },
      { kind: "conversation", id: "claude-conv-2", title: "Python sorting" },
      {
        kind: "prompt",
        prompt: {
          ...base,
          text: "Can you help me write a function that sorts a list?",
          conversationId: "claude-conv-2",
          conversationTitle: "Python sorting",
          createdAt: new Date("2024-12-02T14:00:00Z"),
          position: 0,
          sourceMessageId: "claude-msg-3",
        },
      },
      {
        kind: "prompt",
        prompt: {
          ...base,
          text: "Show me the code.",
          conversationId: "claude-conv-2",
          conversationTitle: "Python sorting",
          createdAt: new Date("2024-12-02T14:15:00Z"),
          position: 1,
          sourceMessageId: "claude-msg-5",
        },
      },
    ]);
  });
});

describe("Claude parser: 2026 export with branches, blocks and attachments", () => {
  it("takes the latest leaf's branch first, then abandoned prompts in file order", async () => {
    const events = await parse("conversations.json", fixture("conversations-2026.json"));
    expect(conversations(events)).toEqual([
      { id: "9c1e5a1e-0000-4000-8000-00000000000a", title: "Sourdough starter" },
      { id: "9c1e5a1e-0000-4000-8000-00000000000b", title: null },
      { id: "9c1e5a1e-0000-4000-8000-00000000000c", title: "Empty chat" },
    ]);
    const found = prompts(events).map((p) => ({
      text: p.text,
      id: p.sourceMessageId,
      position: p.position,
      active: p.activeBranch,
      at: p.createdAt?.toISOString() ?? null,
      attachments: p.attachments,
    }));
    expect(found).toEqual([
      { text: "How do I start a sourdough starter?", id: "m1", position: 0, active: true, at: "2026-04-15T07:04:34.970Z", attachments: undefined },
      // `text` is "" here: the prompt comes from the text block.
      { text: "What flour should I use for a rye starter?", id: "m5", position: 1, active: true, at: "2026-04-15T07:06:00.970Z", attachments: undefined },
      {
        text: "Thanks! Here are my notes 🍞 😀",
        id: "m11",
        position: 2,
        active: true,
        at: "2026-04-15T07:12:00.970Z",
        attachments: [
          { name: "notes.txt", kind: "file" },
          { name: "pasted text", kind: "file" },
        ],
      },
      { text: "What flour should I use?", id: "m3", position: 3, active: false, at: "2026-04-15T07:05:00.970Z", attachments: undefined },
      { text: "Thanks", id: "m13", position: 4, active: false, at: "2026-04-15T07:11:30.970Z", attachments: undefined },
      // Conversation b: an unknown block is tolerated; two text blocks are joined; thinking/tool blocks never count.
      { text: "Real question here\nwith a second block", id: "e7", position: 0, active: true, at: "2026-04-15T08:00:06.970Z", attachments: undefined },
    ]);
    expect(skips(events)).toEqual([
      ["attachment-only message", 1],
      ["empty message", 1],
      // e1 and e3 are empty; e5 (a human-side tool result) is not counted at all.
      ["empty message", 2],
    ]);
    expect(events.at(-1)).toEqual({ kind: "conversation", id: "9c1e5a1e-0000-4000-8000-00000000000c", title: "Empty chat" });
    expectWellFormed(events);
  });

  it("decodes escaped surrogate pairs", async () => {
    const raw = fixture("conversations-2026.json");
    expect(raw.toString("utf8")).toContain("\\ud83d\\ude00");
    expect(prompts(await parse("conversations.json", raw)).map((p) => p.text)).toContain("Thanks! Here are my notes 🍞 😀");
  });
});

describe("Claude parser: other shapes", () => {
  it("reads browser-extension JSON: model, and current_leaf_message_uuid over the latest leaf", async () => {
    const events = await parse("Haiku about rain.json", fixture("browser-extension.json"));
    const id = "b0b0b0b0-0000-4000-8000-000000000001";
    const common = { conversationId: id, conversationTitle: "Haiku about rain", model: "claude-sonnet-4-20250514" };
    expect(events).toEqual([
      { kind: "conversation", id, title: "Haiku about rain" },
      { kind: "prompt", prompt: { ...common, text: "Write a haiku about rain.", createdAt: new Date("2025-06-01T10:00:00Z"), position: 0, sourceMessageId: "b1", activeBranch: true } },
      { kind: "prompt", prompt: { ...common, text: "Make it sadder.", createdAt: new Date("2025-06-01T10:01:00Z"), position: 1, sourceMessageId: "b3", activeBranch: true } },
      { kind: "prompt", prompt: { ...common, text: "Make it happier.", createdAt: new Date("2025-06-01T10:02:00Z"), position: 2, sourceMessageId: "b5", activeBranch: false } },
    ]);
  });

  it("without current_leaf_message_uuid, the most recent leaf wins", async () => {
    const doc = JSON.parse(fixture("browser-extension.json").toString("utf8")) as Record<string, unknown>;
    delete doc.current_leaf_message_uuid;
    const found = prompts(await parse("c.json", JSON.stringify([doc])));
    expect(found.map((p) => [p.text, p.activeBranch])).toEqual([
      ["Write a haiku about rain.", true],
      ["Make it happier.", true],
      ["Make it sadder.", false],
    ]);
  });

  it("reads a 2024 export: linear, text only, capitalised senders, file names only", async () => {
    const events = await parse("conversations.json", fixture("legacy-2024.json"));
    const derived = conversations(events)[0]!.id;
    expect(derived).toMatch(/^claude-[0-9a-f]{24}$/);
    expect(events).toEqual([
      { kind: "conversation", id: derived, title: "Old chat" },
      {
        kind: "prompt",
        prompt: {
          text: "Hello Claude — ça va? 🙂",
          conversationId: derived,
          conversationTitle: "Old chat",
          createdAt: new Date("2024-03-01T12:00:00Z"),
          model: null,
          position: 0,
          sourceMessageId: "l1",
          activeBranch: true,
        },
      },
      {
        kind: "prompt",
        prompt: {
          text: "Summarise the PDF.",
          conversationId: derived,
          conversationTitle: "Old chat",
          createdAt: new Date("2024-03-01T12:02:00Z"),
          model: null,
          position: 1,
          sourceMessageId: "l4",
          activeBranch: true,
          attachments: [{ name: "report.pdf", kind: "file" }],
        },
      },
      { kind: "skip", reason: "attachment-only message", count: 1 },
      { kind: "conversation", id: "legacy-2", title: "Second" },
      {
        kind: "prompt",
        prompt: {
          text: "Second conversation prompt",
          conversationId: "legacy-2",
          conversationTitle: "Second",
          createdAt: null,
          model: null,
          position: 0,
          sourceMessageId: "l7",
          activeBranch: true,
        },
      },
    ]);
  });

  it("derives the same id for a uuid-less conversation wherever it sits", async () => {
    const legacy = JSON.parse(fixture("legacy-2024.json").toString("utf8")) as unknown[];
    const first = conversations(await parse("a.json", JSON.stringify(legacy)))[0]!.id;
    const moved = conversations(await parse("b.json", JSON.stringify([{ uuid: "x", chat_messages: [] }, legacy[0]])))[1]!.id;
    expect(moved).toBe(first);
  });

  it("reads a {conversations: [...]} wrapper and an empty export", async () => {
    const sample = readFileSync(`${SAMPLES}/claude/soulprint_claude_export_sample.json`, "utf8");
    expect(await parse("x.json", `{"conversations": ${sample}}`)).toEqual(await parse("conversations.json", sample));
    expect(await parse("conversations.json", "[]")).toEqual([]);
  });
});

describe("Claude parser: malformed records", () => {
  it("survives null lists, odd values, cycles, self-parents, duplicate uuids and stray records", async () => {
    const events = await parse("conversations.json", fixture("malformed.json"));
    expectWellFormed(events);
    expect(conversations(events).map((c) => c.id)).toEqual(["null-messages", "odd", "cycle", "dupes", "no-messages-key-is-fine"]);
    expect(prompts(events).map((p) => [p.conversationId, p.text, p.activeBranch, p.attachments])).toEqual([
      ["odd", "from blocks", true, undefined],
      ["odd", "shouting sender", true, [{ name: "a.png", kind: "image" }]],
      ["cycle", "one", true, undefined],
      // Every message is some message's parent: the walk starts from the last one and stops at the loop.
      ["dupes", "self", true, undefined],
      ["dupes", "first d1", false, undefined],
      ["dupes", "second d1", false, undefined],
    ]);
    expect(skips(events)).toEqual([
      ["empty message", 1],
      ["unreadable conversation record", 1],
    ]);
  });

  it("handles long parent chains without recursion limits", async () => {
    const n = 20_000;
    const messages = Array.from({ length: n }, (_, i) => ({
      uuid: `m${i}`,
      sender: i % 2 === 0 ? "human" : "assistant",
      text: `turn ${i}`,
      parent_message_uuid: i === 0 ? "00000000-0000-4000-8000-000000000000" : `m${i - 1}`,
    }));
    const found = prompts(await parse("c.json", JSON.stringify([{ uuid: "long", chat_messages: messages }])));
    expect(found).toHaveLength(n / 2);
    expect(found.every((p) => p.activeBranch)).toBe(true);
  });
});

describe("Claude parser: text edge cases", () => {
  it("keeps a 5 MB prompt whole", async () => {
    const big = "z".repeat(5 * 1024 * 1024 - 3) + "end";
    const doc = [{ uuid: "big", chat_messages: [{ uuid: "h", sender: "human", text: big, content: [{ type: "text", text: big }] }] }];
    const found = prompts(await parse("conversations.json", JSON.stringify(doc), 64 * 1024));
    expect(found).toHaveLength(1);
    expect(found[0]!.text.length).toBe(big.length);
  });

  it("replaces a lone escaped surrogate instead of storing broken text", async () => {
    const json = '[{"uuid":"s","name":"broken \\udc00 title","chat_messages":[{"uuid":"h","sender":"human","text":"half \\udc00 pair"}]}]';
    const events = await parse("c.json", json);
    expect(prompts(events)[0]!.text).toBe("half \ufffd pair");
    expect(conversations(events)).toEqual([{ id: "s", title: "broken \ufffd title" }]);
  });
});

describe("Claude parser: bad input", () => {
  it("refuses corrupt, truncated, empty and non-UTF-8 files with ImportFormatError", async () => {
    const valid = fixture("conversations-2026.json");
    expect((await failure("conversations.json", valid.subarray(0, 5000))).message).toMatch(/conversations\.json/);
    expect((await failure("conversations.json", "  ")).message).toMatch(/empty/);
    expect((await failure("conversations.json", '[{"uuid": }]')).offset).toBe(1);
    const latin1 = Buffer.from('[{"uuid":"a","chat_messages":[],"name":"caf\xe9"}]', "latin1");
    expect((await failure("conversations.json", latin1)).message).toMatch(/UTF-8/);
  });

  it("refuses files that are not Claude conversations, and names ChatGPT's and projects.json", async () => {
    expect((await failure("conversations.json", readFileSync(`${SAMPLES}/chatgpt/soulprint_chatgpt_minimal.json`))).message).toMatch(/ChatGPT/);
    const projects = '[{"uuid":"p","name":"P","prompt_template":"You are...","docs":[]}]';
    expect((await failure("projects.json", projects)).message).toMatch(/projects\.json/);
    await failure("users.json", '[{"uuid":"u","full_name":"A","email_address":"a@b.c"}]');
    await failure("x.json", "[1]");
    await failure("x.json", "true");
  });
});

describe("Claude parser: determinism and streaming", () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith(".json"));

  it.each(files)("%s: same output twice and for any chunk size", async (file) => {
    const data = fixture(file);
    const reference = await parse("conversations.json", data);
    expect(await parse("conversations.json", data)).toEqual(reference);
    for (const chunk of [1, 7, 64, 4096]) expect(await parse("conversations.json", data, chunk)).toEqual(reference);
  });
});

describe("Claude detection", () => {
  it("is confident on the sample and on every fixture", () => {
    expect(claudeParser.detect(probe("soulprint_claude_export_sample.json", readFileSync(`${SAMPLES}/claude/soulprint_claude_export_sample.json`)))).toBeGreaterThanOrEqual(0.9);
    for (const f of ["conversations-2026.json", "browser-extension.json", "malformed.json"]) {
      expect([f, claudeParser.detect(probe(f, fixture(f))) >= 0.9]).toEqual([f, true]);
    }
    // No uuid in the first record (hand-made files): still likely.
    expect(claudeParser.detect(probe("legacy.json", fixture("legacy-2024.json")))).toBeGreaterThanOrEqual(0.8);
  });

  it("trusts the zip layout when the head shows no messages", () => {
    expect(claudeParser.detect(probe("conversations.json", "[]", ["users.json", "projects.json"]))).toBeGreaterThanOrEqual(0.9);
    expect(claudeParser.detect(probe("data/conversations.json", "[]", ["users.json", "memories.json"]))).toBeGreaterThanOrEqual(0.9);
    expect(claudeParser.detect(probe("conversations.json", "[]", ["projects/5f2e.json"]))).toBeGreaterThanOrEqual(0.9);
    expect(claudeParser.detect(probe("conversations.json", "[]", ["user.json", "chat.html"]))).toBeLessThan(0.5);
    expect(claudeParser.detect(probe("data.json", "[]"))).toBe(0);
  });

  it("finds chat_messages when the first conversation is larger than the head", () => {
    const long = "q".repeat(200_000);
    const data = JSON.stringify([{ uuid: "u", name: "n", chat_messages: [{ uuid: "m", sender: "human", text: long }] }]);
    expect(claudeParser.detect(probe("anything.json", data))).toBeGreaterThanOrEqual(0.9);
  });

  it("is 0 on the other files of a Claude zip and on keys quoted inside text", () => {
    const siblings = ["conversations.json", "users.json", "projects.json"];
    expect(claudeParser.detect(probe("users.json", '[{"uuid":"u","full_name":"A","email_address":"a@b.c"}]', siblings))).toBe(0);
    expect(claudeParser.detect(probe("projects.json", '[{"uuid":"p","name":"P","prompt_template":"","docs":[]}]', siblings))).toBe(0);
    expect(claudeParser.detect(probe("memories.json", '[{"conversations_memory":"x","project_memories":{},"account_uuid":"a"}]', siblings))).toBe(0);
    expect(claudeParser.detect(probe("x.json", JSON.stringify([{ text: '{"uuid":"a","chat_messages":[]}' }])))).toBe(0);
  });

  it("is 0 on every other vendor's sample and on ChatGPT's conversations.json even with Claude-like siblings", () => {
    const others = ["chatgpt", "gemini", "cline", "cursor", "generic"].flatMap((dir) => readdirSync(`${SAMPLES}/${dir}`).map((f) => `${SAMPLES}/${dir}/${f}`));
    expect(others.length).toBeGreaterThan(5);
    for (const file of others) expect([file, claudeParser.detect(probe(path.basename(file), readFileSync(file)))]).toEqual([file, 0]);
    const chatgpt = readFileSync(`${SAMPLES}/chatgpt/soulprint_chatgpt_minimal.json`);
    expect(claudeParser.detect(probe("conversations.json", chatgpt, ["users.json", "projects.json"]))).toBe(0);
    for (const f of readdirSync(path.resolve(FIXTURES, "../chatgpt"))) {
      expect(claudeParser.detect(probe("conversations.json", readFileSync(path.resolve(FIXTURES, "../chatgpt", f))))).toBe(0);
    }
  });

  it("never throws on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.string(), fc.array(fc.string(), { maxLength: 3 }), (bytes, name, siblings) => {
        const score = claudeParser.detect({ name, size: bytes.length, head: bytes, siblings });
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });
});

describe("Claude parser: fuzz", () => {
  const seeds = ["conversations-2026.json", "browser-extension.json", "legacy-2024.json", "malformed.json"].map((f) => JSON.parse(fixture(f).toString("utf8")) as unknown);

  const completesOrRefuses = (data: Uint8Array | string) => wellFormedOrRefused(() => parse("conversations.json", data));

  it("arbitrary bytes: completes or throws ImportFormatError", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (bytes) => completesOrRefuses(bytes)),
      { numRuns: 300 },
    );
  });

  it("byte-mutated exports: completes or throws ImportFormatError", async () => {
    const text = fixture("conversations-2026.json");
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean()), { minLength: 1, maxLength: 6 }), async (edits) => {
        await completesOrRefuses(insertOrDeleteBytes(text, edits));
      }),
      { numRuns: 300 },
    );
  });

  it("structurally mutated exports (any value anywhere): completes or throws ImportFormatError", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: seeds.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.jsonValue({ maxDepth: 2 })), { minLength: 1, maxLength: 4 }), async (seed, edits) => {
        const doc = structuredClone(seeds[seed]);
        for (const [at, value] of edits) replaceAt(doc, at, value);
        await completesOrRefuses(JSON.stringify(doc));
      }),
      { numRuns: 300 },
    );
  });
});

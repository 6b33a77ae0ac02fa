import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chatGptParser } from "../../../src/server/importers/parsers/chatgpt";
import { completesOrRefuses as wellFormedOrRefused, conversations, drain, expectWellFormed, failureOf, insertOrDeleteBytes, probe, prompts, replaceAt, skips } from "../../helpers/parsers";

const SAMPLES = "/work/shared/formats/samples";
const FIXTURES = path.resolve(import.meta.dirname, "../../fixtures/imports/chatgpt");
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name));

const parse = (name: string, data: Uint8Array | string, chunkBytes?: number) => drain(chatGptParser, name, data, { chunkBytes });
const failure = (name: string, data: Uint8Array | string) => failureOf(chatGptParser, name, data);

describe("ChatGPT parser: shared samples", () => {
  it("reads soulprint_chatgpt_minimal.json exactly", async () => {
    const events = await parse("conversations.json", readFileSync(`${SAMPLES}/chatgpt/soulprint_chatgpt_minimal.json`));
    expect(events).toEqual([
      { kind: "conversation", id: "conv-1", title: "Trip planning" },
      {
        kind: "prompt",
        prompt: {
          text: "Plan me a 2-day trip to Lisbon.",
          conversationId: "conv-1",
          conversationTitle: "Trip planning",
          createdAt: new Date(1710000001 * 1000),
          model: null,
          position: 0,
          sourceMessageId: "msg-user-1",
          activeBranch: true,
        },
      },
      {
        kind: "prompt",
        prompt: {
          text: "Add food suggestions.",
          conversationId: "conv-1",
          conversationTitle: "Trip planning",
          createdAt: new Date(1710000003 * 1000),
          model: null,
          position: 1,
          sourceMessageId: "msg-user-2",
          activeBranch: true,
        },
      },
      // No current_node in this sample: the last branch from the root is taken as the one shown.
      { kind: "conversation", id: "conv-2", title: null },
      {
        kind: "prompt",
        prompt: {
          text: "No title conversation.",
          conversationId: "conv-2",
          conversationTitle: null,
          createdAt: new Date(1711000001 * 1000),
          model: null,
          position: 0,
          sourceMessageId: "msg-user-x1",
          activeBranch: true,
        },
      },
    ]);
  });
});

describe("ChatGPT parser: 2025 export with branches, tools, images and voice", () => {
  it("takes the shown branch first, then abandoned prompts, with the model that answered", async () => {
    const events = await parse("conversations.json", fixture("conversations-2025.json"));
    expect(conversations(events)).toEqual([
      { id: "6851f0a1-0000-4000-8000-00000000000a", title: "Lisbon trip" },
      { id: "6851f0a1-0000-4000-8000-00000000000b", title: null },
    ]);
    const found = prompts(events).map((p) => ({
      text: p.text,
      id: p.sourceMessageId,
      position: p.position,
      active: p.activeBranch,
      model: p.model,
      at: p.createdAt?.getTime() ?? null,
      attachments: p.attachments,
    }));
    expect(found).toEqual([
      { text: "Plan a 3-day trip to Lisbon in May.", id: "u1b", position: 0, active: true, model: "o3", at: 1749968400250, attachments: undefined },
      {
        text: "What is this building? 🏛️ 😀",
        id: "u2",
        position: 1,
        active: true,
        model: "gpt-4o",
        at: 1749968500500,
        attachments: [{ name: "tower.jpg", kind: "image" }],
      },
      {
        text: "Thanks, that's all.",
        id: "u5",
        position: 2,
        active: true,
        model: "gpt-4o-realtime",
        at: 1749968800000,
        attachments: [{ name: "file_00000000voice", kind: "audio" }],
      },
      { text: "Plan a trip to Lisbon.\nBudget: low.", id: "u1a", position: 3, active: false, model: "gpt-4o", at: 1749968327886, attachments: undefined },
      // Conversation b: the prompt's model comes from default_model_slug; CRLF and edges are cleaned.
      { text: "Line one\nLine two", id: "p1", position: 0, active: true, model: "gpt-4o-mini", at: 1750000001000, attachments: undefined },
    ]);
    expect(skips(events)).toEqual([
      ["custom instructions", 1],
      ["empty message", 1],
      ["attachment-only message", 1],
      ["hidden message", 1],
      ["unsupported message type (some_future_type)", 1],
    ]);
    // Skips come after their conversation's prompts, before the next conversation.
    expect(events.map((e) => e.kind)).toEqual(["conversation", "prompt", "prompt", "prompt", "prompt", "skip", "skip", "skip", "conversation", "prompt", "skip", "skip"]);
    expectWellFormed(events);
  });

  it("decodes escaped surrogate pairs", async () => {
    const raw = fixture("conversations-2025.json");
    expect(raw.toString("utf8")).toContain("\\ud83d\\ude00");
    const texts = prompts(await parse("conversations.json", raw)).map((p) => p.text);
    expect(texts).toContain("What is this building? 🏛️ 😀");
  });
});

describe("ChatGPT parser: other export versions", () => {
  it("reads a 2023 export (uuid root, file-service pointers, is_user_system_message)", async () => {
    const events = await parse("conversations.json", fixture("conversations-2023.json"));
    expect(events).toEqual([
      { kind: "conversation", id: "c0ffee00-0000-4000-8000-00000000000c", title: "Image en français" },
      {
        kind: "prompt",
        prompt: {
          text: "Décris cette image, s'il te plaît — 日本語もOK",
          conversationId: "c0ffee00-0000-4000-8000-00000000000c",
          conversationTitle: "Image en français",
          createdAt: new Date(1690000000123),
          model: "gpt-4",
          position: 0,
          sourceMessageId: "q1",
          activeBranch: true,
          attachments: [{ name: "file-Xyz123", kind: "image" }],
        },
      },
      {
        kind: "prompt",
        prompt: {
          text: "Merci !",
          conversationId: "c0ffee00-0000-4000-8000-00000000000c",
          conversationTitle: "Image en français",
          createdAt: new Date(1690000002000),
          model: "gpt-4",
          position: 1,
          sourceMessageId: "q2",
          activeBranch: true,
        },
      },
      { kind: "skip", reason: "custom instructions", count: 1 },
    ]);
  });

  it("reads the {conversations: [...]} wrapper like the bare array", async () => {
    expect(await parse("export.json", fixture("wrapper.json"))).toEqual(await parse("conversations.json", fixture("conversations-2023.json")));
  });

  it("reads a single conversation object (browser exporter)", async () => {
    const events = await parse("Lisbon.json", fixture("single-conversation.json"));
    expect(conversations(events)).toEqual([{ id: "6851f0a1-0000-4000-8000-00000000000b", title: null }]);
    expect(prompts(events).map((p) => p.text)).toEqual(["Line one\nLine two"]);
  });

  it("reads a 2026 shard like a whole file", async () => {
    const events = await parse("conversations-003.json", fixture("conversations-2023.json"));
    expect(prompts(events).map((p) => p.text)).toEqual(["Décris cette image, s'il te plaît — 日本語もOK", "Merci !"]);
  });

  it("reads an empty export as no conversations", async () => {
    expect(await parse("conversations.json", "[]")).toEqual([]);
    expect(await parse("conversations.json", '{"conversations": []}')).toEqual([]);
  });
});

describe("ChatGPT parser: malformed trees", () => {
  it("survives missing mappings, dangling current_node, missing children, cycles and odd values", async () => {
    const events = await parse("conversations.json", fixture("malformed.json"));
    expectWellFormed(events);
    expect(conversations(events).map((c) => c.id)).toEqual(["no-mapping", "root-only", "no-children", "dangling-current", "cycles", "self-loop", "odd-values", "null-mapping"]);
    const found = prompts(events).map((p) => [p.conversationId, p.text, p.activeBranch, p.sourceMessageId]);
    expect(found).toEqual([
      // Parent links only, no current_node: the last child is the newest version and counts as shown.
      ["no-children", "second version", true, "n2"],
      ["no-children", "first version", false, "n1"],
      ["dangling-current", "kept", true, "k1"],
      ["cycles", "in a cycle", true, "c1"],
      ["self-loop", "looped", true, "s"],
      ["odd-values", "survivor", true, "o3"],
      // A node id that names an Object.prototype member is an ordinary node.
      ["odd-values", "no content type", true, "proto"],
    ]);
    expect(skips(events)).toEqual([["empty message", 1]]);
  });

  it("derives a stable conversation id when the export has none", async () => {
    const conversation = { title: "No id", create_time: 1700000000, mapping: { r: { id: "r", parent: null, children: [] } } };
    const first = conversations(await parse("c.json", JSON.stringify([conversation])));
    const again = conversations(await parse("other.json", JSON.stringify([{ id: "x", mapping: {} }, conversation])));
    expect(first[0]!.id).toMatch(/^chatgpt-[0-9a-f]{24}$/);
    expect(again[1]!.id).toBe(first[0]!.id);
  });

  it("handles deep trees without recursion limits", async () => {
    const mapping: Record<string, unknown> = { root: { id: "root", parent: null, children: ["n0"] } };
    const depth = 20_000;
    for (let i = 0; i < depth; i++) {
      const role = i % 2 === 0 ? "user" : "assistant";
      mapping[`n${i}`] = {
        id: `n${i}`,
        parent: i === 0 ? "root" : `n${i - 1}`,
        children: i + 1 < depth ? [`n${i + 1}`] : [],
        message: { id: `m${i}`, author: { role }, content: { content_type: "text", parts: [`turn ${i}`] } },
      };
    }
    const events = await parse("c.json", JSON.stringify([{ id: "deep", mapping, current_node: `n${depth - 1}` }]));
    const found = prompts(events);
    expect(found).toHaveLength(depth / 2);
    expect(found.at(-1)).toMatchObject({ text: `turn ${depth - 2}`, position: depth / 2 - 1, activeBranch: true });
  });
});

describe("ChatGPT parser: text edge cases", () => {
  it("keeps a 5 MB prompt whole", async () => {
    const big = "x".repeat(5 * 1024 * 1024 - 3) + "end";
    const conversation = {
      id: "big",
      current_node: "u",
      mapping: { r: { id: "r", parent: null, children: ["u"] }, u: { id: "u", parent: "r", children: [], message: { id: "u", author: { role: "user" }, content: { content_type: "text", parts: [big] } } } },
    };
    const found = prompts(await parse("conversations.json", JSON.stringify([conversation]), 64 * 1024));
    expect(found).toHaveLength(1);
    expect(found[0]!.text.length).toBe(big.length);
    expect(found[0]!.text.endsWith("end")).toBe(true);
  });

  it("replaces a lone escaped surrogate instead of storing broken text", async () => {
    const json = '[{"id":"s","title":"broken \\ud83d title","current_node":"u","mapping":{"r":{"id":"r","parent":null,"children":["u"]},"u":{"id":"u","parent":"r","children":[],"message":{"author":{"role":"user"},"content":{"content_type":"text","parts":["half \\ud83d pair"]}}}}}]';
    const events = await parse("c.json", json);
    expect(prompts(events)[0]!.text).toBe("half \ufffd pair");
    expect(conversations(events)).toEqual([{ id: "s", title: "broken \ufffd title" }]);
    expect(prompts(events)[0]!.conversationTitle).toBe("broken \ufffd title");
  });
});

describe("ChatGPT parser: bad input", () => {
  it("refuses corrupt, truncated, empty and non-UTF-8 files with ImportFormatError", async () => {
    const valid = fixture("conversations-2023.json");
    expect((await failure("conversations.json", valid.subarray(0, valid.length - 40))).message).toMatch(/conversations\.json/);
    expect((await failure("conversations.json", "")).message).toMatch(/empty/);
    expect((await failure("conversations.json", "[{]")).offset).toBeTypeOf("number");
    expect((await failure("conversations.json", "hello")).message).toMatch(/JSON/);
    const latin1 = Buffer.from('[{"id":"a","mapping":{},"title":"caf\xe9"}]', "latin1");
    expect((await failure("conversations.json", latin1)).message).toMatch(/UTF-8/);
  });

  it("refuses files that are not ChatGPT conversations, and names Claude's", async () => {
    const claude = readFileSync(`${SAMPLES}/claude/soulprint_claude_export_sample.json`);
    expect((await failure("conversations.json", claude)).message).toMatch(/Claude/);
    await failure("x.json", "[1, 2, 3]");
    await failure("x.json", '{"hello": "world"}');
    await failure("x.json", '["a", "b"]');
  });

  it("counts a stray record after real conversations instead of failing", async () => {
    const events = await parse("x.json", JSON.stringify([{ id: "a", mapping: {} }, 42]));
    expect(events).toEqual([
      { kind: "conversation", id: "a", title: null },
      { kind: "skip", reason: "unreadable conversation record" },
    ]);
  });
});

describe("ChatGPT parser: determinism and streaming", () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith(".json"));

  it.each(files)("%s: same output twice and for any chunk size", async (file) => {
    const data = fixture(file);
    const reference = await parse("conversations.json", data);
    expect(await parse("conversations.json", data)).toEqual(reference);
    for (const chunk of [1, 7, 64, 4096]) expect(await parse("conversations.json", data, chunk)).toEqual(reference);
  });
});

describe("ChatGPT detection", () => {
  it("is confident on the sample and on every fixture", () => {
    expect(chatGptParser.detect(probe("soulprint_chatgpt_minimal.json", readFileSync(`${SAMPLES}/chatgpt/soulprint_chatgpt_minimal.json`)))).toBeGreaterThanOrEqual(0.9);
    expect(chatGptParser.detect(probe("conversations.json", fixture("conversations-2025.json")))).toBeGreaterThanOrEqual(0.9);
    expect(chatGptParser.detect(probe("conversations-2023.json", fixture("conversations-2023.json")))).toBeGreaterThanOrEqual(0.9);
    expect(chatGptParser.detect(probe("export.json", fixture("wrapper.json")))).toBeGreaterThanOrEqual(0.9);
    expect(chatGptParser.detect(probe("chat.json", fixture("single-conversation.json")))).toBeGreaterThanOrEqual(0.9);
  });

  it("trusts the zip layout when the head shows no tree", () => {
    const siblings = ["user.json", "chat.html", "message_feedback.json"];
    expect(chatGptParser.detect(probe("conversations.json", "[]", siblings))).toBeGreaterThanOrEqual(0.9);
    expect(chatGptParser.detect(probe("conversations-001.json", "[]", siblings))).toBeGreaterThanOrEqual(0.9);
    expect(chatGptParser.detect(probe("conversations-001.json", "[]"))).toBeGreaterThan(0.3);
    expect(chatGptParser.detect(probe("conversations.json", "[]"))).toBeLessThan(0.5);
    expect(chatGptParser.detect(probe("data.json", "[]"))).toBe(0);
  });

  it("finds the tree when the first conversation is larger than the head", () => {
    const long = "y".repeat(200_000);
    const data = JSON.stringify([{ title: "t", create_time: 1, mapping: { r: { id: "r", parent: null, children: [], message: { content: { parts: [long] } } } } }]);
    expect(chatGptParser.detect(probe("whatever.json", data))).toBeGreaterThanOrEqual(0.9);
  });

  it("ignores a mapping key that is quoted inside text or nested deeper", () => {
    expect(chatGptParser.detect(probe("x.json", JSON.stringify([{ text: '{"mapping": {}}' }])))).toBe(0);
    expect(chatGptParser.detect(probe("x.json", JSON.stringify([{ data: { mapping: {} } }])))).toBe(0);
  });

  it("is 0 on every other vendor's sample and on Claude's conversations.json even with ChatGPT-like names", () => {
    const others = ["claude", "gemini", "cline", "cursor", "generic"].flatMap((dir) => readdirSync(`${SAMPLES}/${dir}`).map((f) => `${SAMPLES}/${dir}/${f}`));
    expect(others.length).toBeGreaterThan(5);
    for (const file of others) expect([file, chatGptParser.detect(probe(path.basename(file), readFileSync(file)))]).toEqual([file, 0]);
    const claude = readFileSync(`${SAMPLES}/claude/soulprint_claude_export_sample.json`);
    expect(chatGptParser.detect(probe("conversations.json", claude, ["users.json", "projects.json"]))).toBe(0);
    expect(chatGptParser.detect(probe("conversations.json", claude, ["user.json"]))).toBe(0);
    for (const f of readdirSync(path.resolve(FIXTURES, "../claude"))) {
      expect(chatGptParser.detect(probe("conversations.json", readFileSync(path.resolve(FIXTURES, "../claude", f))))).toBe(0);
    }
  });

  it("is 0 on the other files of a ChatGPT zip", () => {
    const siblings = ["conversations.json", "chat.html", "message_feedback.json"];
    expect(chatGptParser.detect(probe("user.json", '{"id":"user-1","email":"a@b.c","phone_number":null}', siblings))).toBe(0);
    expect(chatGptParser.detect(probe("message_feedback.json", '[{"id":"f","conversation_id":"c","rating":"thumbsUp"}]', siblings))).toBe(0);
    expect(chatGptParser.detect(probe("shared_conversations.json", '[{"id":"s","conversation_id":"c","title":"t"}]', siblings))).toBe(0);
    expect(chatGptParser.detect(probe("chat.html", "<html><script>var jsonData = [];</script></html>", siblings))).toBe(0);
  });

  it("never throws on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.string(), fc.array(fc.string(), { maxLength: 3 }), (bytes, name, siblings) => {
        const score = chatGptParser.detect({ name, size: bytes.length, head: bytes, siblings });
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });
});

describe("ChatGPT parser: fuzz", () => {
  const seeds = ["conversations-2025.json", "conversations-2023.json", "malformed.json"].map((f) => JSON.parse(fixture(f).toString("utf8")) as unknown);

  const completesOrRefuses = (data: Uint8Array | string) => wellFormedOrRefused(() => parse("conversations.json", data));

  it("arbitrary bytes: completes or throws ImportFormatError", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (bytes) => completesOrRefuses(bytes)),
      { numRuns: 300 },
    );
  });

  it("byte-mutated exports: completes or throws ImportFormatError", async () => {
    const text = fixture("conversations-2025.json");
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

import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { geminiAiStudioParser, geminiTakeoutParser } from "../../../src/server/importers/parsers/gemini";
import { decodeEntities, parseActivityDate } from "../../../src/server/importers/parsers/gemini-takeout-html";
import type { ParseEvent, Parser } from "../../../src/server/importers/types";
import { completesOrRefuses as wellFormedOrRefused, conversations, drain, expectWellFormed, failureOf, probe, prompts, setCutOrInsertBytes, skips } from "../../helpers/parsers";

const SAMPLES = "/work/shared/formats/samples";
const FIXTURES = path.resolve(import.meta.dirname, "../../fixtures/imports/gemini");
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name));
const sample = (name: string) => readFileSync(path.join(SAMPLES, name));

const parse = drain;
const failure = failureOf;
/** Compact view: [conversationId, position, text, createdAt ISO or null]. */
const rows = (events: ParseEvent[]) => prompts(events).map((p) => [p.conversationId, p.position, p.text, p.createdAt?.toISOString() ?? null]);

describe("Gemini Takeout: shared samples", () => {
  it("reads soulprint_gemini_takeout_myactivity.json exactly, grouped by the 30-minute rule", async () => {
    const events = await parse(geminiTakeoutParser, "MyActivity.json", sample("gemini/soulprint_gemini_takeout_myactivity.json"));
    const first = "takeout-2026-03-10T14:00:00Z";
    const second = "takeout-2026-03-10T18:15:00Z";
    expect(conversations(events)).toEqual([
      { id: first, title: "What is the capital of France?" },
      { id: second, title: "Explain how photosynthesis works" },
    ]);
    expect(rows(events)).toEqual([
      [first, 0, "What is the capital of France?", "2026-03-10T14:00:00.000Z"],
      [first, 1, "What about Germany?", "2026-03-10T14:01:30.000Z"],
      [first, 2, "And Spain?", "2026-03-10T14:03:00.000Z"],
      [second, 0, "Explain how photosynthesis works", "2026-03-10T18:15:00.000Z"],
      [second, 1, "What role does chlorophyll play?", "2026-03-10T18:16:00.000Z"],
      [second, 2, "Can photosynthesis occur without sunlight?", "2026-03-10T18:17:30.000Z"],
    ]);
    for (const p of prompts(events)) {
      expect(p).toMatchObject({ model: null, sourceMessageId: null, conversationTitle: p.conversationId === first ? "What is the capital of France?" : "Explain how photosynthesis works" });
      expect(p.attachments).toBeUndefined();
    }
    expect(skips(events)).toEqual([]);
    expectWellFormed(events);
  });

  it("reads FRAGMENT_MyActivity_minimal_card.html exactly", async () => {
    const events = await parse(geminiTakeoutParser, "MyActivity.html", sample("gemini/FRAGMENT_MyActivity_minimal_card.html"));
    expect(events).toEqual([
      { kind: "conversation", id: "takeout-2026-09-03T09:15:00Z", title: "hello there" },
      {
        kind: "prompt",
        prompt: {
          text: "hello there",
          conversationId: "takeout-2026-09-03T09:15:00Z",
          conversationTitle: "hello there",
          createdAt: new Date("2026-09-03T09:15:00Z"),
          model: null,
          position: 0,
          sourceMessageId: null,
        },
      },
    ]);
  });
});

describe("Gemini Takeout: JSON", () => {
  const mixed = () => fixture("takeout-mixed-MyActivity.json");

  it("groups, orders and skips a mixed newest-first export", async () => {
    const events = await parse(geminiTakeoutParser, "Takeout/My Activity/Gemini Apps/MyActivity.json", mixed());
    expect(conversations(events)).toEqual([
      { id: "takeout-2026-09-17T09:00:00Z", title: "First at the same millisecond" },
      { id: "takeout-2026-09-18T07:00:00Z", title: "Zapytano: Cześć, jak się masz?" },
      { id: "takeout-2026-09-18T08:00:00Z", title: "Wie spät ist es in Tokio?" },
      { id: "takeout-2026-09-19T11:20:00Z", title: "First of the morning" },
      { id: "takeout-2026-09-19T12:00:00Z", title: "Text from Messages" },
      { id: "takeout-2026-09-20T09:59:00Z", title: "Unlinked prompt just before" },
      { id: "abc123def", title: "Start of the linked chat" },
      { id: "takeout-undated", title: "Entry with a broken time" },
    ]);
    expect(rows(events)).toEqual([
      // Same millisecond: the later row in a newest-first file is the older one.
      ["takeout-2026-09-17T09:00:00Z", 0, "First at the same millisecond", "2026-09-17T09:00:00.000Z"],
      ["takeout-2026-09-17T09:00:00Z", 1, "Second at the same millisecond \ufffd alone", "2026-09-17T09:00:00.000Z"],
      ["takeout-2026-09-17T09:00:00Z", 2, "Summarise the attached report", "2026-09-17T09:10:00.000Z"],
      // A title whose verb is not known, but which got a response: imported whole.
      ["takeout-2026-09-18T07:00:00Z", 0, "Zapytano: Cześć, jak się masz?", "2026-09-18T07:00:00.000Z"],
      ["takeout-2026-09-18T08:00:00Z", 0, "Wie spät ist es in Tokio?", "2026-09-18T08:00:00.000Z"],
      ["takeout-2026-09-19T11:20:00Z", 0, "First of the morning", "2026-09-19T11:20:00.000Z"],
      ["takeout-2026-09-19T11:20:00Z", 1, "Multi-line\nprompt with ${Var:Default}", "2026-09-19T11:45:00.000Z"],
      ["takeout-2026-09-19T11:20:00Z", 2, "Describe this picture 😀", "2026-09-19T12:00:30.123Z"],
      // Another product ("Gemini in Google Messages") is its own conversation even within 30 minutes.
      ["takeout-2026-09-19T12:00:00Z", 0, "Text from Messages", "2026-09-19T12:00:00.000Z"],
      ["takeout-2026-09-20T09:59:00Z", 0, "Unlinked prompt just before", "2026-09-20T09:59:00.000Z"],
      ["abc123def", 0, "Start of the linked chat", "2026-09-20T10:00:00.000Z"],
      ["abc123def", 1, "Follow-up in the linked chat", "2026-09-20T10:05:00.000Z"],
      ["takeout-undated", 0, "Entry with a broken time", null],
    ]);
    const byText = new Map(prompts(events).map((p) => [p.text, p]));
    expect(byText.get("Describe this picture 😀")!.attachments).toEqual([{ name: "image_89b1bd.png", kind: "image" }]);
    expect(byText.get("Summarise the attached report")!.attachments).toEqual([
      { name: "report.pdf", kind: "file" },
      { name: "notes.txt", kind: "file" },
    ]);
    expect(byText.get("First of the morning")!.attachments).toBeUndefined();
    for (const p of prompts(events)) expect(p).toMatchObject({ model: null, sourceMessageId: null });
    expect(skips(events)).toEqual([
      ["other Gemini activity (not a prompt)", 2],
      ["not Gemini activity", 1],
      ["unrecognised Gemini activity", 1],
      ["empty prompt", 1],
    ]);
    expectWellFormed(events);
  });

  it("gives the same result whichever order the rows are listed in", async () => {
    const forward = await parse(geminiTakeoutParser, "MyActivity.json", mixed());
    // Reversed, the file is oldest first: ties must then be read the other way round too.
    const reversed = await parse(geminiTakeoutParser, "MyActivity.json", JSON.stringify((JSON.parse(mixed().toString("utf8")) as unknown[]).reverse()));
    const withoutSkips = (events: ParseEvent[]) => events.filter((e) => e.kind !== "skip");
    expect(withoutSkips(reversed)).toEqual(withoutSkips(forward));
    // Skip counts come in the order their reasons first appear in the file.
    expect(skips(reversed).sort()).toEqual(skips(forward).sort());
  });

  it("is deterministic and independent of chunk boundaries", async () => {
    const once = await parse(geminiTakeoutParser, "MyActivity.json", mixed());
    expect(await parse(geminiTakeoutParser, "MyActivity.json", mixed())).toEqual(once);
    expect(await parse(geminiTakeoutParser, "MyActivity.json", mixed(), { chunkBytes: 7 })).toEqual(once);
    expect(await parse(geminiTakeoutParser, "MyActivity.json", mixed(), { chunkBytes: 1 })).toEqual(once);
  });

  it("splits at exactly 30 minutes and joins below, per product", async () => {
    const row = (title: string, time: string, header = "Gemini Apps") => ({ header, title: `Prompted ${title}`, time, products: [header] });
    const file = JSON.stringify([
      row("c", "2026-01-01T10:59:59.999Z"),
      row("b", "2026-01-01T10:30:00.000Z"),
      row("d", "2026-01-01T10:20:00.000Z", "Bard"),
      row("a", "2026-01-01T10:00:00.400Z", "Bard"),
      row("x", "2026-01-01T10:00:00.000Z"),
    ]);
    const events = await parse(geminiTakeoutParser, "MyActivity.json", file);
    expect(rows(events).map((r) => [r[0], r[1], r[2]])).toEqual([
      ["takeout-2026-01-01T10:00:00Z", 0, "x"],
      // Same second, another product: its own conversation, and the id gets a suffix.
      ["takeout-2026-01-01T10:00:00Z-2", 0, "a"],
      ["takeout-2026-01-01T10:00:00Z-2", 1, "d"],
      // Exactly 30 minutes after "x": a new conversation; "c" follows it by 29:59.999.
      ["takeout-2026-01-01T10:30:00Z", 0, "b"],
      ["takeout-2026-01-01T10:30:00Z", 1, "c"],
    ]);
  });

  it("counts a prompt that is only an upload as an attachment-only message", async () => {
    const file = JSON.stringify([
      { header: "Gemini Apps", title: "Prompted\u00a0", time: "2026-01-01T00:00:00Z", subtitles: [{ name: "Attached 1 file." }, { name: "-  a.png" }] },
      { header: "Gemini Apps", title: "Prompted  ", time: "2026-01-01T00:01:00Z" },
    ]);
    expect(await parse(geminiTakeoutParser, "MyActivity.json", file)).toEqual([
      { kind: "skip", reason: "attachment-only message", count: 1 },
      { kind: "skip", reason: "empty prompt", count: 1 },
    ]);
  });

  it("accepts an empty export, a single row object and a 5 MB prompt", async () => {
    expect(await parse(geminiTakeoutParser, "MyActivity.json", "[]")).toEqual([]);
    const single = await parse(geminiTakeoutParser, "MyActivity.json", JSON.stringify({ header: "Gemini Apps", title: "Prompted solo", time: "2026-01-01T00:00:00Z" }));
    expect(rows(single)).toEqual([["takeout-2026-01-01T00:00:00Z", 0, "solo", "2026-01-01T00:00:00.000Z"]]);

    const huge = "é".repeat(2_500_000) + "\n🙂";
    const file = JSON.stringify([{ header: "Gemini Apps", title: `Prompted ${huge}`, time: "2026-01-01T00:00:00Z", safeHtmlItem: [{ html: "<p>x</p>".repeat(1000) }] }]);
    const events = await parse(geminiTakeoutParser, "MyActivity.json", file, { chunkBytes: 65536 });
    expect(prompts(events)[0]!.text).toBe(huge);
    expect(conversations(events)[0]!.title).toBe(`${"é".repeat(79)}…`);
  });

  it("refuses files that are not My Activity", async () => {
    const chatgpt = await failure(geminiTakeoutParser, "MyActivity.json", sample("chatgpt/soulprint_chatgpt_minimal.json"));
    expect(chatgpt.message).toMatch(/not a Google My Activity record/);
    expect((await failure(geminiTakeoutParser, "MyActivity.json", "")).message).toMatch(/empty/);
    expect((await failure(geminiTakeoutParser, "MyActivity.json", '[{"header": "Gemini Apps", "title": "Prompted x"')).message).toMatch(/truncated|byte/);
    expect((await failure(geminiTakeoutParser, "MyActivity.html", "<html><body>hello</body></html>")).message).toMatch(/not a Google Takeout My Activity page/);
    expect((await failure(geminiTakeoutParser, "MyActivity.html", new Uint8Array([0x3c, 0x70, 0xff, 0xfe, 0x00]))).message).toMatch(/UTF-8/);
  });
});

describe("Gemini Takeout: HTML", () => {
  it("reads cards with links, entities, localised dates and attachments", async () => {
    const events = await parse(geminiTakeoutParser, "Takeout/My Activity/Gemini Apps/MyActivity.html", fixture("MyActivity.html"));
    expect(conversations(events)).toEqual([
      { id: "takeout-2025-01-01T09:00:00Z", title: "Jak se máš?" },
      { id: "takeout-2025-09-18T11:02:52Z", title: "Line one" },
      { id: "takeout-2026-05-01T09:00:00Z", title: "Zone unknown" },
      { id: "takeout-2026-05-09T08:00:00Z", title: "What is in this file?" },
      { id: "takeout-2026-05-10T06:46:09Z", title: "Olá, tudo bem?" },
      { id: "f00dcafe", title: "Summarise <this> & that" },
      { id: "takeout-2026-06-19T16:28:51Z", title: "你好" },
    ]);
    expect(rows(events)).toEqual([
      ["takeout-2025-01-01T09:00:00Z", 0, "Jak se máš?", "2025-01-01T09:00:00.000Z"],
      ["takeout-2025-09-18T11:02:52Z", 0, "Line one\nLine two with 'quotes', \"double\" and 😀", "2025-09-18T11:02:52.000Z"],
      // An unknown time zone: ordered by wall time, but no createdAt rather than a wrong one.
      ["takeout-2026-05-01T09:00:00Z", 0, "Zone unknown", null],
      ["takeout-2026-05-09T08:00:00Z", 0, "What is in this file?", "2026-05-09T08:00:00.000Z"],
      ["takeout-2026-05-10T06:46:09Z", 0, "Olá, tudo bem?", "2026-05-10T06:46:09.000Z"],
      ["f00dcafe", 0, "Summarise <this> & that", "2026-05-19T22:07:02.000Z"],
      ["takeout-2026-06-19T16:28:51Z", 0, "你好", "2026-06-19T16:28:51.000Z"],
    ]);
    expect(prompts(events).find((p) => p.text === "What is in this file?")!.attachments).toEqual([{ name: "notes.txt", kind: "file" }]);
    expect(skips(events)).toEqual([
      ["not Gemini activity", 1],
      ["other Gemini activity (not a prompt)", 1],
    ]);
    expectWellFormed(events);
  });

  it("leaves the HTML to its JSON copy when both are in the folder", async () => {
    const events = await parse(geminiTakeoutParser, "Takeout/My Activity/Gemini Apps/MyActivity.html", fixture("MyActivity.html"), {
      siblings: { "MyActivity.json": "[]" },
    });
    expect(events).toEqual([{ kind: "skip", reason: "HTML copy of MyActivity.json (the JSON is imported instead)" }]);
  });

  it("gives the JSON and the HTML of one activity the same conversation id", async () => {
    const json = JSON.stringify([{ header: "Gemini Apps", title: "Prompted hello there", time: "2026-09-03T09:15:00.412Z" }]);
    const fromJson = await parse(geminiTakeoutParser, "MyActivity.json", json);
    const fromHtml = await parse(geminiTakeoutParser, "MyActivity.html", sample("gemini/FRAGMENT_MyActivity_minimal_card.html"));
    expect(conversations(fromJson)).toEqual(conversations(fromHtml));
  });

  it("parses localised activity dates", () => {
    const iso = (s: string) => {
      const t = parseActivityDate(s);
      return t ? [new Date(t.ms).toISOString(), t.exact] : null;
    };
    expect(iso("Sep 3, 2026, 9:15:00 AM UTC")).toEqual(["2026-09-03T09:15:00.000Z", true]);
    expect(iso("May 19, 2026, 7:07:02\u202fPM GMT-03:00")).toEqual(["2026-05-19T22:07:02.000Z", true]);
    expect(iso("Dec 1, 2025, 12:05:00\u202fAM GMT+05:30")).toEqual(["2025-11-30T18:35:00.000Z", true]);
    expect(iso("18 Sept 2025, 12:02:52 CET")).toEqual(["2025-09-18T11:02:52.000Z", true]);
    expect(iso("10 de mai. de 2026, 03:46:09 BRT")).toEqual(["2026-05-10T06:46:09.000Z", true]);
    expect(iso("2026年6月20日 00:28:51 CST")).toEqual(["2026-06-19T16:28:51.000Z", true]);
    expect(iso("Jun 20, 2026, 12:28:51 AM CST")).toEqual(["2026-06-20T06:28:51.000Z", true]);
    expect(iso("1. 1. 2026 10:00:00 SEČ")).toEqual(["2026-01-01T09:00:00.000Z", true]);
    expect(iso("12 août 2025, 14:00:00 CEST")).toEqual(["2025-08-12T12:00:00.000Z", true]);
    expect(iso("2026/06/20 0:28:51 JST")).toEqual(["2026-06-19T15:28:51.000Z", true]);
    expect(iso("20.06.2026, 08:00:00 MESZ")).toEqual(["2026-06-20T06:00:00.000Z", true]);
    expect(iso("May 1, 2026, 9:00:00 AM XYZT")).toEqual(["2026-05-01T09:00:00.000Z", false]);
    expect(iso("hello there")).toBeNull();
    expect(iso("Feb 30, 2026, 9:00:00 AM UTC")).toBeNull();
    expect(iso("99:99 2026")).toBeNull();
  });

  it("decodes HTML entities", () => {
    expect(decodeEntities("a&nbsp;b &amp;&lt;&gt;&quot;&#39;&#x1F600;&#128512;&emsp;&unknown; &#xD800; &#0;")).toBe('a\u00a0b &<>"\'😀😀\u2003&unknown; \ufffd \ufffd');
  });
});

describe("Google AI Studio", () => {
  it("reads aistudio_saved_prompt_FROM-MARKDOWN-ARCHIVE.json exactly", async () => {
    const events = await parse(geminiAiStudioParser, "Google AI Studio/Specs on this model", sample("gemini/aistudio_saved_prompt_FROM-MARKDOWN-ARCHIVE.json"));
    const base = {
      conversationId: "aistudio:Specs on this model",
      conversationTitle: "Specs on this model",
      createdAt: null,
      model: "gemma-3n-e4b-it",
      sourceMessageId: null,
      activeBranch: true,
    };
    // The empty pendingInputs box is nothing; the empty systemInstruction is not counted either.
    expect(events).toEqual([
      { kind: "conversation", id: "aistudio:Specs on this model", title: "Specs on this model" },
      { kind: "prompt", prompt: { ...base, text: "Specs on this model please?", position: 0 } },
      { kind: "prompt", prompt: { ...base, text: "Gemma 3n e4b", position: 1 } },
    ]);
  });

  it("reads branches, uploads, drafts, system instructions and thoughts", async () => {
    const events = await parse(geminiAiStudioParser, "Branch of Trip ideas.json", fixture("Branch of Trip ideas.json"));
    const base = { conversationId: "aistudio:Branch of Trip ideas", conversationTitle: "Branch of Trip ideas", model: "gemini-2.5-pro" };
    expect(events).toEqual([
      { kind: "conversation", id: "aistudio:Branch of Trip ideas", title: "Branch of Trip ideas" },
      // Copied from the chat it was branched from (up to the chunk marked branchParent).
      {
        kind: "prompt",
        prompt: { ...base, text: "Ideas for a weekend in Porto?", createdAt: new Date("2025-06-01T10:00:00Z"), position: 0, sourceMessageId: null, activeBranch: false },
      },
      {
        kind: "prompt",
        prompt: {
          ...base,
          text: "Compare with this itinerary\nand this photo",
          createdAt: new Date("2025-06-02T09:00:00Z"),
          position: 1,
          sourceMessageId: "chunk-7",
          activeBranch: true,
          attachments: [
            { name: "drive:1AbCdEfGh", kind: "document" },
            { name: "drive:1ImgXyZ", kind: "image" },
          ],
        },
      },
      { kind: "prompt", prompt: { ...base, text: "Thanks 😀", createdAt: new Date("2025-06-02T09:05:00Z"), position: 2, sourceMessageId: null, activeBranch: true } },
      { kind: "skip", reason: "system instruction", count: 1 },
      { kind: "skip", reason: "empty message", count: 1 },
      { kind: "skip", reason: "attachment-only message", count: 1 },
      { kind: "skip", reason: "unsent draft", count: 1 },
    ]);
    const again = await parse(geminiAiStudioParser, "Branch of Trip ideas.json", fixture("Branch of Trip ideas.json"), { chunkBytes: 7 });
    expect(again).toEqual(events);
  });

  it("tolerates odd chunks and other versions", async () => {
    const file = JSON.stringify({
      systemInstruction: { text: "Be brief." },
      chunkedPrompt: {
        chunks: ["a bare string", null, { role: "USER", text: "upper-case role" }, { role: "user", inlineImage: { mimeType: "image/png", data: "AA==" }, text: "with an inline image" }, { role: "user", youtubeVideo: { id: "dQw4" }, text: "and a video" }],
      },
    });
    const events = await parse(geminiAiStudioParser, "Greeting prompt", file);
    expect(prompts(events).map((p) => [p.text, p.model, p.attachments ?? null])).toEqual([
      ["upper-case role", null, null],
      ["with an inline image", null, [{ name: "inline image/png", kind: "image" }]],
      ["and a video", null, [{ name: "dQw4", kind: "video" }]],
    ]);
    expect(skips(events)).toEqual([
      ["system instruction", 1],
      ["unreadable chunk", 2],
    ]);
    expect(await parse(geminiAiStudioParser, "Empty", JSON.stringify({ chunkedPrompt: {} }))).toEqual([{ kind: "conversation", id: "aistudio:Empty", title: "Empty" }]);
  });

  it("refuses what is not an AI Studio chat", async () => {
    expect((await failure(geminiAiStudioParser, "x.json", "[]")).message).toMatch(/no "chunkedPrompt"/);
    expect((await failure(geminiAiStudioParser, "x.json", '{"runSettings": {}}')).message).toMatch(/no "chunkedPrompt"/);
    expect((await failure(geminiAiStudioParser, "x.json", '{"chunkedPrompt": {"chunks": [')).message).toMatch(/invalid JSON/);
    expect((await failure(geminiAiStudioParser, "x.json", "")).message).toMatch(/empty/);
  });
});

describe("Gemini detection", () => {
  const otherSamples = [
    "chatgpt/soulprint_chatgpt_minimal.json",
    "claude/soulprint_claude_export_sample.json",
    ...readdirSync(`${SAMPLES}/cline`).map((f) => `cline/${f}`),
    ...readdirSync(`${SAMPLES}/cursor`).map((f) => `cursor/${f}`),
    ...readdirSync(`${SAMPLES}/generic`).map((f) => `generic/${f}`),
  ];

  it("recognises its own formats", () => {
    const takeout = sample("gemini/soulprint_gemini_takeout_myactivity.json");
    expect(geminiTakeoutParser.detect(probe("Takeout/My Activity/Gemini Apps/MyActivity.json", takeout))).toBeGreaterThanOrEqual(0.9);
    expect(geminiTakeoutParser.detect(probe("My Activity.json", takeout))).toBeGreaterThanOrEqual(0.9);
    expect(geminiTakeoutParser.detect(probe("MyActivity.html", sample("gemini/FRAGMENT_MyActivity_minimal_card.html")))).toBeGreaterThanOrEqual(0.9);
    expect(geminiTakeoutParser.detect(probe("Takeout/Minha atividade/Apps do Gemini/Minhaatividade.html", fixture("MyActivity.html")))).toBeGreaterThanOrEqual(0.9);
    expect(geminiTakeoutParser.detect(probe("MyActivity.json", fixture("takeout-mixed-MyActivity.json")))).toBeGreaterThanOrEqual(0.9);
    expect(geminiTakeoutParser.detect(probe("Takeout/My Activity/Gemini Apps/MyActivity.json", "[]"))).toBeGreaterThanOrEqual(0.9);
    expect(geminiTakeoutParser.detect(probe("Takeout/My Activity/Search/MyActivity.json", '[{"header": "Search", "title": "Searched for x", "time": "2026-01-01T00:00:00Z"}]'))).toBe(0);

    expect(geminiAiStudioParser.detect(probe("Specs on this model", sample("gemini/aistudio_saved_prompt_FROM-MARKDOWN-ARCHIVE.json")))).toBeGreaterThanOrEqual(0.9);
    expect(geminiAiStudioParser.detect(probe("Branch of Trip ideas.json", fixture("Branch of Trip ideas.json")))).toBeGreaterThanOrEqual(0.9);
  });

  it("does not claim each other's files", () => {
    expect(geminiTakeoutParser.detect(probe("x.json", sample("gemini/aistudio_saved_prompt_FROM-MARKDOWN-ARCHIVE.json")))).toBe(0);
    expect(geminiAiStudioParser.detect(probe("MyActivity.json", sample("gemini/soulprint_gemini_takeout_myactivity.json")))).toBe(0);
    expect(geminiAiStudioParser.detect(probe("MyActivity.html", fixture("MyActivity.html")))).toBe(0);
  });

  it.each(otherSamples)("returns 0 on %s", (file) => {
    const data = sample(file);
    const name = path.basename(file);
    expect(geminiTakeoutParser.detect(probe(name, data))).toBe(0);
    expect(geminiAiStudioParser.detect(probe(name, data))).toBe(0);
  });
});

describe("Gemini fuzzing", () => {
  const parsers: [string, Parser, string][] = [
    ["gemini-takeout", geminiTakeoutParser, "MyActivity.json"],
    ["gemini-takeout", geminiTakeoutParser, "MyActivity.html"],
    ["gemini-aistudio", geminiAiStudioParser, "chat.json"],
  ];
  const seeds = [
    fixture("takeout-mixed-MyActivity.json"),
    fixture("MyActivity.html"),
    fixture("Branch of Trip ideas.json"),
    sample("gemini/soulprint_gemini_takeout_myactivity.json"),
    sample("gemini/aistudio_saved_prompt_FROM-MARKDOWN-ARCHIVE.json"),
  ];

  async function completesOrRefuses(parser: Parser, name: string, data: Uint8Array) {
    expect(() => parser.detect(probe(name, data))).not.toThrow();
    await wellFormedOrRefused(() => parse(parser, name, data, { chunkBytes: 13 }));
  }

  it.each(parsers)("%s (%s) survives arbitrary bytes", async (_id, parser, name) => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (data) => completesOrRefuses(parser, name, data)),
      { numRuns: 150 },
    );
  });

  it.each(parsers)("%s (%s) survives mutated valid files", async (_id, parser, name) => {
    const mutation = fc.record({
      seed: fc.integer({ min: 0, max: seeds.length - 1 }),
      edits: fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), kind: fc.constantFrom("set", "cut", "insert") }), { minLength: 1, maxLength: 6 }),
    });
    await fc.assert(
      fc.asyncProperty(mutation, async ({ seed, edits }) => {
        await completesOrRefuses(parser, name, setCutOrInsertBytes(seeds[seed]!, edits));
      }),
      { numRuns: 200 },
    );
  });
});

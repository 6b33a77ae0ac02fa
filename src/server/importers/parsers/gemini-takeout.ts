import { iterateJsonArray } from "../core/json-stream";
import { titleFromText } from "../core/markdown";
import { cleanPromptText, headText, readText } from "../core/text";
import { toDate } from "../core/time";
import { ImportFormatError, type DetectProbe, type ExtractedPrompt, type ImportEntry, type ParseContext, type ParseEvent, type Parser } from "../types";
import { baseName, countSkip, isRecord, wellFormed } from "./generic-items";
import { scanJsonHead } from "./generic-json-head";
import { isActivityPage, readHtmlActivities, type ActivityTime, type HtmlActivity } from "./gemini-takeout-html";

/**
 * Gemini Apps activity from Google Takeout "My Activity" (formats README §3a): `MyActivity.json` (an array
 * of activity rows, newest first) or `MyActivity.html` (the same rows as cards, gemini-takeout-html.ts),
 * inside a Takeout zip (`Takeout/My Activity/Gemini Apps/MyActivity.json`) or alone.
 *
 * A prompt is a row of a Gemini product (header or products mention Gemini or Bard) whose title starts with
 * the activity verb "Prompted " (or a known localised one); the rest of the title is the prompt. Rows titled
 * with another English verb (Created, Used, Selected preferred draft, Gave feedback, Cleared, Added chat from
 * link…) are other activity. A row with an unknown title that still has a response (a localised export whose
 * verb is not known here) is imported with its whole title, so nothing typed is lost; without a response it
 * is skipped as unrecognised activity.
 *
 * Takeout has no message ids (sourceMessageId is null) and usually no conversation ids. Grouping rule:
 * 1. prompts are taken in time order, oldest first (ties keep the file's chronological order);
 * 2. a prompt whose row links a conversation (`details[].url` in JSON, `<a href>` in HTML:
 *    `https://gemini.google.com/app/<id>`) belongs to conversation `<id>`;
 * 3. every other prompt joins the previous unlinked prompt's conversation when both have the same product
 *    (header) and it came less than 30 minutes later; otherwise it starts a conversation whose id is
 *    `takeout-` + the ISO time of its first prompt to the second (`takeout-2026-03-10T14:00:00Z`; a second
 *    conversation starting in the same second gets `-2`, …), so the JSON and HTML copies of one export give
 *    the same ids;
 * 4. prompts without a readable time form one conversation, `takeout-undated`.
 * Conversations are emitted in the order of their first prompt; positions count from 0 in time order, so a
 * later export of the same account only appends. The title is the first prompt's first line (80 characters).
 * The rows are buffered (prompt text and attachment names only; responses are dropped as they stream by).
 *
 * The HTML is read whole, up to 256 MB. When the same folder also holds the JSON copy (`MyActivity.json`
 * next to `MyActivity.html`), the HTML is skipped: the JSON has exact times.
 */
export const geminiTakeoutParser: Parser = {
  id: "gemini-takeout",
  source: "gemini",
  label: "Gemini Apps activity from Google Takeout (My Activity, JSON or HTML)",
  detect: detectGeminiTakeout,
  parse: parseGeminiTakeout,
};

type Attachment = { name: string; kind?: string };

/** One prompt row, before grouping. */
type PromptRow = {
  text: string;
  /** Sort time in ms (UTC, or local wall time read as UTC when the HTML date has no known zone). */
  time: number | null;
  createdAt: Date | null;
  product: string;
  appId: string | null;
  attachments: Attachment[];
  index: number;
};

const MAX_HTML_BYTES = 256 * 1024 * 1024;
const GAP_MS = 30 * 60 * 1000;
const GEMINI = /gemini|bard/i;
// "Prompted" is the English verb; the others are unverified localisations seen in third-party fixtures.
const PROMPT_VERBS = [/^Prompted(?:[ \t\u00a0]+|$)/, /^Eingegebener Prompt:[ \t\u00a0]*/, /^Pokyn(?:[ \t\u00a0]+|$)/];
const OTHER_ACTIVITY =
  /^(?:Created|Used|Selected|Gave feedback|Cleared|Added chat from link|Shared|Deleted|Edited|Updated|Viewed|Visited|Searched|Opened|Saved|Pinned|Unpinned|Renamed|Exported|Cancell?ed|Stopped|Generated|Listened|Watched|Turned|Connected|Disconnected)\b/;
const IMAGE_NAME = /\.(?:png|jpe?g|gif|webp|heic|heif|bmp|svg|avif)$/i;

function detectGeminiTakeout(probe: DetectProbe): number {
  try {
    const text = headText(probe.head);
    const trimmed = text.trimStart();
    // Takeout keeps each product's activity in a folder named after it ("My Activity/Gemini Apps/").
    const inGeminiFolder = GEMINI.test(probe.name.slice(0, probe.name.lastIndexOf("/") + 1)) && /\.(?:json|html?)$/i.test(probe.name);
    if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
      const head = scanJsonHead(text);
      if (!head) return 0;
      const keys = head.keys;
      if (head.first === "none") return inGeminiFolder ? 0.9 : 0;
      if (!keys.has("header") || !keys.has("title") || !keys.has("time")) return 0;
      if (GEMINI.test(keys.get("header") ?? "") || /"products"\s*:\s*\[\s*"[^"]*(?:Gemini|Bard)/i.test(text.slice(0, 4096))) return 0.95;
      return inGeminiFolder ? 0.8 : 0;
    }
    if (!/\bouter-cell\b/.test(text)) {
      // A page whose first card lies beyond the head (a long inline stylesheet): trust Takeout's layout.
      const html = /<html|<!doctype/i.test(text.slice(0, 1024));
      return html && inGeminiFolder && /\bmdl-/.test(text) ? 0.6 : 0;
    }
    if (GEMINI.test(text)) return /Prompted/.test(text) ? 0.95 : 0.8;
    return inGeminiFolder ? 0.7 : 0;
  } catch {
    return 0;
  }
}

async function* parseGeminiTakeout(entry: ImportEntry, context: ParseContext): AsyncGenerator<ParseEvent> {
  const head = headText(await entry.head(4096)).trimStart();
  const skips = new Map<string, number>();
  const rows: PromptRow[] = [];
  const times: (number | null)[] = [];

  if (head.startsWith("[") || head.startsWith("{") || head === "") {
    let index = 0;
    for await (const item of iterateJsonArray(entry.stream(), { entry: entry.name })) {
      const row = item.value;
      if (!isRecord(row) || !("header" in row || ("title" in row && "time" in row))) {
        if (index === 0) {
          throw new ImportFormatError(`${entry.name}: the item at byte ${item.offset} is not a Google My Activity record (no "header", "title" and "time").`, {
            entry: entry.name,
            offset: item.offset,
          });
        }
        countSkip(skips, "unreadable activity record");
        index++;
        continue;
      }
      const date = toDate(row.time);
      times.push(date ? date.getTime() : null);
      const read = readJsonRow(row, date, index);
      if ("skip" in read) countSkip(skips, read.skip);
      else rows.push(read);
      index++;
    }
  } else {
    const jsonCopy = siblingJson(entry, context);
    if (jsonCopy) {
      yield { kind: "skip", reason: `HTML copy of ${jsonCopy} (the JSON is imported instead)` };
      return;
    }
    const html = await readText(entry, MAX_HTML_BYTES);
    if (!isActivityPage(html)) {
      throw new ImportFormatError(`${entry.name}: this is not a Google Takeout My Activity page (no activity cards found).`, { entry: entry.name });
    }
    let index = 0;
    for (const card of readHtmlActivities(html)) {
      times.push(card.time ? card.time.ms : null);
      const read = readHtmlRow(card, index);
      if ("skip" in read) countSkip(skips, read.skip);
      else rows.push(read);
      index++;
    }
  }

  for (const conversation of groupConversations(rows, newestFirst(times))) {
    yield { kind: "conversation", id: conversation.id, title: conversation.title };
    for (const [position, row] of conversation.rows.entries()) {
      const prompt: ExtractedPrompt = {
        text: row.text,
        conversationId: conversation.id,
        conversationTitle: conversation.title,
        createdAt: row.createdAt,
        model: null,
        position,
        sourceMessageId: null,
      };
      if (row.attachments.length > 0) prompt.attachments = row.attachments;
      yield { kind: "prompt", prompt };
    }
  }
  for (const [reason, count] of skips) yield { kind: "skip", reason, count };
}

type RowResult = PromptRow | { skip: string };

function readJsonRow(row: Record<string, unknown>, date: Date | null, index: number): RowResult {
  const header = typeof row.header === "string" ? row.header : "";
  const products = Array.isArray(row.products) ? row.products.filter((p): p is string => typeof p === "string") : [];
  if (!GEMINI.test(header) && !products.some((p) => GEMINI.test(p))) return { skip: "not Gemini activity" };
  const title = typeof row.title === "string" ? row.title : "";
  const hasResponse = Array.isArray(row.safeHtmlItem) && row.safeHtmlItem.some((h) => isRecord(h) && typeof h.html === "string" && h.html.trim() !== "");
  const appId = detailsAppId(row.details);
  const text = promptOfTitle(title, hasResponse || appId !== null);
  const attachments = jsonAttachments(row);
  if ("skip" in text) return text.skip === "empty prompt" && attachments.length > 0 ? { skip: "attachment-only message" } : text;
  return {
    text: text.prompt,
    time: date ? date.getTime() : null,
    createdAt: date,
    product: header || products[0] || "Gemini",
    appId,
    attachments,
    index,
  };
}

function readHtmlRow(card: HtmlActivity, index: number): RowResult {
  if (!GEMINI.test(card.header) && !GEMINI.test(card.products)) return { skip: "not Gemini activity" };
  const text = promptOfTitle(card.title, card.hasResponse || card.appId !== null);
  if ("skip" in text) return text.skip === "empty prompt" && card.attachments.length > 0 ? { skip: "attachment-only message" } : text;
  const time: ActivityTime | null = card.time;
  return {
    text: text.prompt,
    time: time ? time.ms : null,
    createdAt: time?.exact ? toDate(time.ms) : null,
    product: card.header || "Gemini",
    appId: card.appId,
    attachments: card.attachments.map((name) => ({ name, kind: IMAGE_NAME.test(name) ? "image" : "file" })),
    index,
  };
}

function promptOfTitle(title: string, hasResponse: boolean): { prompt: string } | { skip: string } {
  for (const verb of PROMPT_VERBS) {
    if (!verb.test(title)) continue;
    const prompt = wellFormed(cleanPromptText(title.replace(verb, "")));
    return prompt === "" ? { skip: "empty prompt" } : { prompt };
  }
  if (OTHER_ACTIVITY.test(title)) return { skip: "other Gemini activity (not a prompt)" };
  const whole = wellFormed(cleanPromptText(title));
  if (whole !== "" && hasResponse) return { prompt: whole };
  return { skip: "unrecognised Gemini activity" };
}

function detailsAppId(details: unknown): string | null {
  if (!Array.isArray(details)) return null;
  for (const detail of details) {
    const url = isRecord(detail) && typeof detail.url === "string" ? detail.url : "";
    const id = /^https?:\/\/gemini\.google\.com\/app\/([A-Za-z0-9_-]+)/.exec(url)?.[1];
    if (id) return id;
  }
  return null;
}

/**
 * Names of the files a row says were attached: `subtitles` lists them after "Attached N file(s)." as
 * `{name: "-  image.png", url: "<exported file name>"}`; `imageFile` and `attachedFiles` name the exported
 * files themselves (skipped when a subtitle already named the same file).
 */
function jsonAttachments(row: Record<string, unknown>): Attachment[] {
  const out: Attachment[] = [];
  const known = new Set<string>();
  const add = (name: string, kind?: string) => {
    const clean = name.trim();
    if (clean === "" || known.has(clean)) return;
    known.add(clean);
    out.push({ name: clean, kind: kind ?? (IMAGE_NAME.test(clean) ? "image" : "file") });
  };
  if (Array.isArray(row.subtitles)) {
    for (const subtitle of row.subtitles) {
      if (!isRecord(subtitle) || typeof subtitle.name !== "string" || !/^-\s*\S/.test(subtitle.name)) continue;
      add(subtitle.name.replace(/^-\s*/, ""));
      if (typeof subtitle.url === "string") known.add(subtitle.url.trim());
    }
  }
  if (typeof row.imageFile === "string") add(row.imageFile, "image");
  const files = Array.isArray(row.attachedFiles) ? row.attachedFiles : row.attachedFiles === undefined ? [] : [row.attachedFiles];
  for (const file of files) {
    if (typeof file === "string") add(file);
    else if (isRecord(file)) {
      const name = [file.name, file.fileName, file.title, file.url].find((v): v is string => typeof v === "string" && v.trim() !== "");
      if (name) add(name);
    }
  }
  return out;
}

/** Takeout lists newest first; a hand-made file may not. Decided by the dated rows' adjacent pairs. */
function newestFirst(times: readonly (number | null)[]): boolean {
  let down = 0;
  let up = 0;
  let previous: number | null = null;
  for (const t of times) {
    if (t === null) continue;
    if (previous !== null) {
      if (t < previous) down++;
      else if (t > previous) up++;
    }
    previous = t;
  }
  return down >= up;
}

type Conversation = { id: string; title: string | null; rows: PromptRow[] };

function groupConversations(rows: PromptRow[], newestFirstFile: boolean): Conversation[] {
  // Chronological order: by time, ties (and undated rows) by their order in the file read oldest first.
  const fileOrder = (a: PromptRow, b: PromptRow) => (newestFirstFile ? b.index - a.index : a.index - b.index);
  const sorted = [...rows].sort((a, b) => {
    if (a.time === null || b.time === null) return a.time === null && b.time === null ? fileOrder(a, b) : a.time === null ? 1 : -1;
    return a.time - b.time || fileOrder(a, b);
  });

  const conversations: Conversation[] = [];
  const linked = new Map<string, Conversation>();
  const openByProduct = new Map<string, { conversation: Conversation; last: number }>();
  const usedIds = new Set<string>();
  let undated: Conversation | undefined;
  const open = (baseId: string): Conversation => {
    let id = baseId;
    for (let n = 2; usedIds.has(id); n++) id = `${baseId}-${n}`;
    usedIds.add(id);
    const conversation: Conversation = { id, title: null, rows: [] };
    conversations.push(conversation);
    return conversation;
  };

  for (const row of sorted) {
    let conversation: Conversation;
    if (row.appId !== null) {
      conversation = linked.get(row.appId) ?? open(row.appId);
      linked.set(row.appId, conversation);
    } else if (row.time === null) {
      undated ??= open("takeout-undated");
      conversation = undated;
    } else {
      const current = openByProduct.get(row.product);
      conversation = current && row.time - current.last < GAP_MS ? current.conversation : open(`takeout-${isoSecond(row.time)}`);
      openByProduct.set(row.product, { conversation, last: row.time });
    }
    conversation.rows.push(row);
  }
  for (const conversation of conversations) conversation.title = titleFromText(conversation.rows[0]!.text);
  return conversations;
}

function isoSecond(ms: number): string {
  const date = new Date(Math.floor(ms / 1000) * 1000);
  return Number.isNaN(date.getTime()) ? "invalid" : date.toISOString().replace(".000Z", "Z");
}

/** The JSON copy of this HTML file in the same folder (same name with .json, or MyActivity.json), if any. */
function siblingJson(entry: ImportEntry, context: ParseContext): string | null {
  const name = baseName(entry.name);
  const candidates = [name.replace(/\.html?$/i, ".json"), "MyActivity.json", "My Activity.json"];
  for (const candidate of candidates) {
    if (candidate !== name && context.sibling(candidate)) return candidate;
  }
  return null;
}

import { iterateJsonArray } from "../core/json-stream";
import { headText } from "../core/text";
import { ImportFormatError, type DetectProbe, type ExtractedPrompt, type ImportEntry, type ParseEvent, type Parser } from "../types";
import { scanJsonHead, vendorOfKeys, type HeadRecord } from "./generic-json-head";
import { countSkip, hasVendorSiblings, notAPromptList, PROMPT_KEYS, readPromptItem, refusesFile, type PromptItem } from "./generic-items";

/**
 * A hand-made prompt list in JSON (formats README §6): an array of strings, an array of objects holding the
 * prompt (generic-items.ts says which fields), or the same array under `{prompts: [...]}` (or
 * `{messages: [...]}`, the chat-API shape). A single object holding one prompt is accepted too.
 *
 * The file is one conversation: conversationId is the file name (the entry's path), each prompt's
 * conversationTitle is its own `title`/`act`/`name` (null when absent), position is the item's index in the
 * array (so skipped items leave gaps, and an item keeps its position when another one is edited),
 * sourceMessageId is the item's `id` when it has one. Streamed with iterateJsonArray: memory stays bounded
 * by the largest item.
 *
 * Detection is a fallback: at most 0.3, and 0 for any JSON whose first record has a vendor shape
 * (generic-json-head.ts), so a vendor parser always wins.
 */
export const genericJsonParser: Parser = {
  id: "generic-json",
  source: "generic",
  label: "JSON list of prompts (strings or objects with prompt/text/content)",
  detect: detectGenericJson,
  parse: parseGenericJson,
};

const WRAPPER_KEYS = ["prompts", "messages"] as const;
const JSON_NAME = /\.json$/i;

function detectGenericJson(probe: DetectProbe): number {
  try {
    if (!JSON_NAME.test(probe.name) || hasVendorSiblings(probe.siblings)) return 0;
    const head = scanJsonHead(headText(probe.head), WRAPPER_KEYS);
    if (!head) return 0;
    return promptListConfidence(head);
  } catch {
    return 0;
  }
}

/** How much a scanned head looks like a prompt list; shared with the JSONL parser's first line. */
export function promptListConfidence(head: HeadRecord): number {
  if (vendorOfKeys(head.keys)) return 0;
  const record = head.top === "object" && head.wrapped ? head.wrapped : head;
  if (record !== head && vendorOfKeys(record.keys)) return 0;
  if (record.first === "string") return 0.3;
  if (record.first === "none") return 0.1;
  if (record.first !== "object") return 0;
  if (PROMPT_KEYS.some((k) => record.keys.has(k))) return 0.3;
  return 0;
}

async function* parseGenericJson(entry: ImportEntry): AsyncGenerator<ParseEvent> {
  const conversationId = entry.name;
  const skips = new Map<string, number>();
  let index = 0;
  for await (const item of iterateJsonArray(entry.stream(), { entry: entry.name, wrapperKeys: WRAPPER_KEYS })) {
    const read = readPromptItem(item.value);
    if (index === 0) {
      // The first record decides whether this is a prompt list at all; a stray record later is only counted.
      if (refusesFile(read, item.value)) throw new ImportFormatError(notAPromptList(entry.name, item.value, `the first item (byte ${item.offset})`), { entry: entry.name, offset: item.offset });
      yield { kind: "conversation", id: conversationId, title: null };
    }
    const event = promptEvent(read, conversationId, index, skips);
    if (event) yield event;
    index++;
  }
  if (index === 0) yield { kind: "conversation", id: conversationId, title: null };
  for (const [reason, count] of skips) yield { kind: "skip", reason, count };
}

/** The prompt event for one record, or null after counting why it was skipped. */
export function promptEvent(read: PromptItem, conversationId: string, position: number, skips: Map<string, number>): ParseEvent | null {
  if (read.kind === "unknown") {
    countSkip(skips, "item without prompt text");
    return null;
  }
  if (read.kind === "skip") {
    countSkip(skips, read.reason);
    return null;
  }
  const prompt: ExtractedPrompt = {
    text: read.text,
    conversationId,
    conversationTitle: read.title,
    createdAt: read.createdAt,
    model: read.model,
    position,
    sourceMessageId: read.id,
  };
  if (read.attachments.length > 0) prompt.attachments = read.attachments;
  return { kind: "prompt", prompt };
}

import { isUtf8 } from "node:buffer";
import { headText } from "../core/text";
import { ImportFormatError, type DetectProbe, type ImportEntry, type ParseEvent, type Parser } from "../types";
import { promptEvent, promptListConfidence } from "./generic-json";
import { scanJsonHead, vendorOfKeys } from "./generic-json-head";
import { hasVendorSiblings, notAPromptList, readPromptItem, refusesFile } from "./generic-items";

/**
 * JSON Lines / NDJSON prompt lists (formats README §6): one JSON value per line, each a string or an object
 * read like a generic JSON item (generic-items.ts). Blank lines are ignored.
 *
 * A line that is not valid JSON fails the whole file with its line number and byte offset, rather than being
 * skipped: a corrupt line usually means a truncated or mangled file, and the person should know where.
 *
 * One conversation per file: conversationId is the file name, position is the record's index among the
 * non-blank lines. Read line by line from the stream; one line may be at most 256 MB.
 */
export const genericJsonlParser: Parser = {
  id: "generic-jsonl",
  source: "generic",
  label: "JSON Lines list of prompts (.jsonl, .ndjson)",
  detect: detectGenericJsonl,
  parse: parseGenericJsonl,
};

const JSONL_NAME = /\.(jsonl|ndjson)$/i;
const MAX_LINE_BYTES = 256 * 1024 * 1024;

function detectGenericJsonl(probe: DetectProbe): number {
  try {
    if (!JSONL_NAME.test(probe.name) || hasVendorSiblings(probe.siblings)) return 0;
    const text = headText(probe.head).replace(/^\s+/, "");
    const end = text.indexOf("\n");
    // The first line did not fit in the head (or is the whole file): still ours by name, at the lowest level.
    if (end === -1 && probe.head.length < probe.size) return 0.1;
    const first = end === -1 ? text : text.slice(0, end);
    const head = scanJsonHead(first.trim().startsWith('"') ? `[${first}]` : first);
    if (!head) return 0.1; // not JSON on the first line: parse will say where
    if (vendorOfKeys(head.keys)) return 0;
    return Math.max(promptListConfidence(head), 0.1);
  } catch {
    return 0;
  }
}

async function* parseGenericJsonl(entry: ImportEntry): AsyncGenerator<ParseEvent> {
  const conversationId = entry.name;
  const skips = new Map<string, number>();
  let records = 0;
  let lineNumber = 0;

  const handle = function* (line: Buffer, offset: number): Generator<ParseEvent> {
    lineNumber++;
    let bytes = line;
    if (lineNumber === 1) {
      if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
        throw new ImportFormatError(`${entry.name}: the file is UTF-16 text; save it as UTF-8 and import it again.`, { entry: entry.name, offset: 0 });
      }
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    }
    if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
    if (isBlank(bytes)) return;
    if (!isUtf8(bytes)) {
      throw new ImportFormatError(`${entry.name}: line ${lineNumber} (byte ${offset}) is not valid UTF-8 text; save the file as UTF-8 and import it again.`, {
        entry: entry.name,
        offset,
      });
    }
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString("utf8"));
    } catch {
      throw new ImportFormatError(`${entry.name}: invalid JSON on line ${lineNumber} (byte ${offset}).`, { entry: entry.name, offset });
    }
    const read = readPromptItem(value);
    if (records === 0) {
      if (refusesFile(read, value)) throw new ImportFormatError(notAPromptList(entry.name, value, `line ${lineNumber}`), { entry: entry.name, offset });
      yield { kind: "conversation", id: conversationId, title: null };
    }
    const event = promptEvent(read, conversationId, records, skips);
    if (event) yield event;
    records++;
  };

  let base = 0; // offset of the current chunk in the file
  let lineStart = 0; // offset of the current line in the file
  let parts: Buffer[] = [];
  let partsBytes = 0;
  for await (const raw of entry.stream()) {
    const chunk = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    let from = 0;
    for (let nl = chunk.indexOf(0x0a, from); nl !== -1; nl = chunk.indexOf(0x0a, from)) {
      const tail = chunk.subarray(from, nl);
      const line = parts.length === 0 ? tail : Buffer.concat([...parts, tail], partsBytes + tail.length);
      parts = [];
      partsBytes = 0;
      yield* handle(line, lineStart);
      lineStart = base + nl + 1;
      from = nl + 1;
    }
    if (from < chunk.length) {
      parts.push(Buffer.from(chunk.subarray(from)));
      partsBytes += chunk.length - from;
      if (partsBytes > MAX_LINE_BYTES) {
        throw new ImportFormatError(`${entry.name}: line ${lineNumber + 1} (byte ${lineStart}) is longer than 256 MB.`, { entry: entry.name, offset: lineStart });
      }
    }
    base += chunk.length;
  }
  if (partsBytes > 0) yield* handle(Buffer.concat(parts, partsBytes), lineStart);
  // Every non-blank line either counts as a record or throws: none means nothing but blank lines.
  if (records === 0) throw new ImportFormatError(`${entry.name}: the file is empty.`, { entry: entry.name, offset: 0 });
  for (const [reason, count] of skips) yield { kind: "skip", reason, count };
}

function isBlank(bytes: Buffer): boolean {
  for (const b of bytes) if (b !== 0x20 && b !== 0x09 && b !== 0x0d && b !== 0x0a) return false;
  return true;
}

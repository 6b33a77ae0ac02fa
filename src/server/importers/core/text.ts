import { isUtf8 } from "node:buffer";
import { ImportFormatError, type ImportEntry } from "../types";
import { collect } from "./entries";

/**
 * Text files: UTF-8 (with or without BOM) is read as is; UTF-16 with a BOM is converted; anything else that
 * is not valid UTF-8 is refused with the offset of the first bad byte, rather than silently garbled.
 */
export function decodeText(bytes: Uint8Array, name: string): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes.subarray(2));
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  if (!isUtf8(body)) {
    const offset = firstInvalidUtf8(body) + (body === bytes ? 0 : 3);
    throw new ImportFormatError(`${name}: the text is not valid UTF-8 (first bad byte at offset ${offset}); save the file as UTF-8 and import it again.`, {
      entry: name,
      offset,
    });
  }
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
}

/** The whole entry as text, up to `maxBytes` (text formats are read whole: markdown, HTML, CSV up to this size). */
export async function readText(entry: ImportEntry, maxBytes: number): Promise<string> {
  const bytes = await collect(entry.stream(), maxBytes, entry.name);
  if (bytes.length === 0) throw new ImportFormatError(`${entry.name}: the file is empty.`, { entry: entry.name, offset: 0 });
  return decodeText(bytes, entry.name);
}

/** The head of an entry as text for detection (invalid bytes replaced, never throws). */
export function headText(head: Uint8Array): string {
  let bytes = head;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes.subarray(2));
  return new TextDecoder("utf-8").decode(bytes);
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  // Validity of a prefix (decoded in streaming mode, so a character cut at the end is not an error) is
  // monotonic: binary-search the longest valid prefix. Only runs on the error path.
  let lo = 0;
  let hi = bytes.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid;
    }
  }
  return lo;
}

/** Normalises line endings and trims the edges; keeps the inside as written. */
export function cleanPromptText(text: string): string {
  // Most text has no carriage return: a search (memchr-fast) spares the regular expression.
  return (text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text).trim();
}

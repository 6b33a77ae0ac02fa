import { isUtf8 } from "node:buffer";
import { ImportFormatError } from "../types";

/**
 * Streams the items of a big top-level JSON array (ChatGPT's conversations.json can be 600 MB on one line;
 * whole-file JSON.parse fails past ~512 MB). Bytes are scanned for structure only — strings are skipped with
 * `indexOf`, which is memchr-fast — and each item is handed to JSON.parse on its own, so memory stays around
 * the size of the largest item.
 *
 * A top-level object is accepted too: either a wrapper such as `{ "conversations": [...] }` (its array's items
 * are yielded; the wrapper is read whole, so it is limited to `maxObjectBytes`) or a single item.
 */
export type JsonItem = { value: unknown; offset: number; bytes: number };

export type JsonStreamOptions = {
  /** Name used in error messages (file or zip entry). */
  entry: string;
  /** Keys under which a wrapper object keeps the item array, in order of preference. */
  wrapperKeys?: readonly string[];
  /** Largest top-level object read whole (default 256 MiB). */
  maxObjectBytes?: number;
  /** Largest single array item (default 512 MiB: V8's string limit is about that). */
  maxItemBytes?: number;
};

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

export async function* iterateJsonArray(chunks: AsyncIterable<Uint8Array>, options: JsonStreamOptions): AsyncGenerator<JsonItem> {
  const { entry } = options;
  const maxItemBytes = options.maxItemBytes ?? 512 * 1024 * 1024;
  const maxObjectBytes = options.maxObjectBytes ?? 256 * 1024 * 1024;

  let base = 0; // offset of the current chunk's first byte in the file
  let started = false; // saw the top-level '[' or '{'
  let topIsObject = false;
  let objectParts: Buffer[] = [];
  let objectBytes = 0;
  let finished = false;

  // Array-item scanning state.
  let depth = 0; // 1 = inside the top array
  let inString = false;
  let pendingEscape = false; // a backslash ended the previous chunk
  let itemStart = -1; // index in the current chunk where the item began, or -2 if it began in an earlier chunk
  let itemOffset = 0;
  let itemIsString = false;
  let itemIsPrimitive = false;
  let parts: Buffer[] = [];
  let partsBytes = 0;
  let expectComma = false;
  let firstChunk = true;

  const fail = (message: string, offset: number): never => {
    throw new ImportFormatError(`${entry}: ${message} at byte ${offset}.`, { offset, entry });
  };

  const finishItem = (chunk: Buffer, end: number): JsonItem => {
    const from = itemStart >= 0 ? itemStart : 0;
    const tail = chunk.subarray(from, end);
    const buffer = parts.length === 0 ? tail : Buffer.concat([...parts, tail], partsBytes + tail.length);
    parts = [];
    partsBytes = 0;
    itemStart = -1;
    expectComma = true;
    return { value: parseItem(buffer, entry, itemOffset), offset: itemOffset, bytes: buffer.length };
  };

  for await (const raw of chunks) {
    if (finished) {
      for (const c of raw) if (!isSpace(c)) fail("unexpected data after the end of the JSON document", base);
      base += raw.length;
      continue;
    }
    const chunk = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    let i = 0;
    if (firstChunk) {
      firstChunk = false;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
      if ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff)) {
        throw new ImportFormatError(`${entry}: the file is UTF-16 text; save it as UTF-8 and import it again.`, { entry, offset: 0 });
      }
    }

    if (!started) {
      while (i < chunk.length && isSpace(chunk[i]!)) i++;
      if (i === chunk.length) {
        base += chunk.length;
        continue;
      }
      started = true;
      if (chunk[i] === OPEN_BRACE) topIsObject = true;
      else if (chunk[i] === OPEN_BRACKET) {
        depth = 1;
        i++;
      } else fail("expected a JSON array or object", base + i);
    }

    if (topIsObject) {
      objectParts.push(Buffer.from(chunk.subarray(i)));
      objectBytes += chunk.length - i;
      if (objectBytes > maxObjectBytes) {
        throw new ImportFormatError(
          `${entry}: a JSON object larger than ${Math.round(maxObjectBytes / 1048576)} MB cannot be imported; export the plain array of conversations instead.`,
          { entry, offset: base },
        );
      }
      base += chunk.length;
      continue;
    }

    // Cached positions of the next quote / backslash in this chunk (−1 = none left, −2 = not looked up yet).
    let nextQuote = -2;
    let nextBackslash = -2;
    const len = chunk.length;

    while (i < len) {
      if (inString) {
        if (pendingEscape) {
          pendingEscape = false;
          i++;
          continue;
        }
        if (nextQuote !== -1 && nextQuote < i) nextQuote = chunk.indexOf(QUOTE, i);
        if (nextBackslash !== -1 && nextBackslash < i) nextBackslash = chunk.indexOf(BACKSLASH, i);
        if (nextQuote === -1 && nextBackslash === -1) {
          i = len;
          break;
        }
        if (nextBackslash !== -1 && (nextQuote === -1 || nextBackslash < nextQuote)) {
          if (nextBackslash + 1 >= len) {
            pendingEscape = true;
            i = len;
            break;
          }
          i = nextBackslash + 2;
          continue;
        }
        inString = false;
        i = nextQuote + 1;
        if (depth === 1 && itemIsString) {
          yield finishItem(chunk, i);
        }
        continue;
      }

      const c = chunk[i]!;
      if (isSpace(c)) {
        i++;
        continue;
      }
      if (depth === 1 && itemIsPrimitive && itemStart !== -1 && (c === COMMA || c === CLOSE_BRACKET)) {
        yield finishItem(chunk, i);
        itemIsPrimitive = false;
      }
      if (c === QUOTE) {
        if (depth === 1) {
          if (expectComma) fail("missing comma between array items", base + i);
          startItem(i);
          itemIsString = true;
        }
        inString = true;
        i++;
        continue;
      }
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (depth === 1) {
          if (expectComma) fail("missing comma between array items", base + i);
          startItem(i);
        }
        depth++;
        i++;
        continue;
      }
      if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth--;
        i++;
        if (depth === 1) {
          yield finishItem(chunk, i);
        } else if (depth === 0) {
          if (c !== CLOSE_BRACKET) fail("mismatched brackets", base + i - 1);
          finished = true;
          for (let k = i; k < len; k++) if (!isSpace(chunk[k]!)) fail("unexpected data after the end of the JSON document", base + k);
          i = len;
        } else if (depth < 0) {
          fail("mismatched brackets", base + i - 1);
        }
        continue;
      }
      if (c === COMMA) {
        if (depth === 1) {
          if (!expectComma) fail("unexpected comma", base + i);
          expectComma = false;
        }
        i++;
        continue;
      }
      // A number, true, false or null.
      if (depth === 1 && itemStart === -1) {
        if (expectComma) fail("missing comma between array items", base + i);
        startItem(i);
        itemIsPrimitive = true;
      }
      i++;
    }

    // Carry an unfinished item over to the next chunk.
    if (itemStart !== -1) {
      const from = itemStart >= 0 ? itemStart : 0;
      const piece = Buffer.from(chunk.subarray(from));
      parts.push(piece);
      partsBytes += piece.length;
      itemStart = -2;
      if (partsBytes > maxItemBytes) fail(`one item is larger than ${Math.round(maxItemBytes / 1048576)} MB`, itemOffset);
    }
    base += len;
  }

  if (!started) throw new ImportFormatError(`${entry}: the file is empty.`, { entry, offset: 0 });

  if (topIsObject) {
    const document = parseItem(Buffer.concat(objectParts, objectBytes), entry, 0);
    objectParts = [];
    const wrapped = (options.wrapperKeys ?? []).map((k) => (document as Record<string, unknown>)[k]).find(Array.isArray);
    if (wrapped) {
      for (const value of wrapped) yield { value, offset: 0, bytes: 0 };
    } else {
      yield { value: document, offset: 0, bytes: objectBytes };
    }
    return;
  }
  if (!finished) fail(inString ? "the file ends inside a string (is it truncated?)" : "the file ends before the JSON array is closed (is it truncated?)", base);

  function startItem(index: number) {
    itemStart = index;
    itemOffset = base + index;
    itemIsString = false;
    itemIsPrimitive = false;
  }
}

function parseItem(buffer: Buffer, entry: string, offset: number): unknown {
  if (!isUtf8(buffer)) {
    throw new ImportFormatError(`${entry}: the text is not valid UTF-8 (in the item starting at byte ${offset}); save the file as UTF-8 and import it again.`, {
      entry,
      offset,
    });
  }
  try {
    return JSON.parse(buffer.toString("utf8"));
  } catch {
    throw new ImportFormatError(`${entry}: invalid JSON in the item starting at byte ${offset}.`, { entry, offset });
  }
}

/** Reads a whole (small) JSON document from chunks, with the same error messages. */
export async function readJsonDocument(chunks: AsyncIterable<Uint8Array>, entry: string, maxBytes: number): Promise<unknown> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.length;
    if (total > maxBytes) throw new ImportFormatError(`${entry}: the file is larger than ${Math.round(maxBytes / 1048576)} MB.`, { entry });
    parts.push(Buffer.from(chunk));
  }
  let buffer = Buffer.concat(parts, total);
  if (buffer.length === 0 || buffer.toString("utf8").trim() === "") throw new ImportFormatError(`${entry}: the file is empty.`, { entry, offset: 0 });
  if (buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) buffer = buffer.subarray(3);
  return parseItem(buffer, entry, 0);
}

import { isUtf8 } from "node:buffer";
import { randomBytes } from "node:crypto";
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
  /**
   * Values inside each (object) array item that are not parsed until they are read, as paths of object keys
   * from the item, "*" matching any key: `["mapping", "*", "message", "content"]` is every message's content
   * in a ChatGPT conversation. While scanning, such a value is only checked for structure (strings closed,
   * brackets balanced, valid UTF-8); the rest of the item is parsed as usual, and the value becomes a property
   * that parses its own bytes on first read (and throws the item's ImportFormatError if they are not JSON).
   * Parsers use it for the bulk they never look at (assistant replies), which is most of the bytes.
   */
  deferred?: readonly (readonly string[])[];
};

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
// Strings shorter than this are scanned in JS; longer ones with indexOf (a native memchr, but a call).
const SHORT_STRING = 24;

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
  let pendingEscape = false; // the previous chunk ended inside a string with an odd run of backslashes
  let itemStart = -1; // index in the current chunk where the item began, or -2 if it began in an earlier chunk
  let itemOffset = 0;
  let itemIsString = false;
  let itemIsPrimitive = false;
  let parts: Buffer[] = [];
  let partsBytes = 0;
  let expectComma = false;
  let firstChunk = true;

  // Deferred values (see JsonStreamOptions.deferred): the objects on the way to one are tracked while
  // scanning, level j being the object at depth j + 2 (the item itself is level 0).
  const deferred = compileDeferred(options.deferred ?? []);
  const tracking = deferred !== null;
  let tracked = 0; // tracked levels open
  let trackedDepth = -1; // depth of the innermost tracked level
  const levelPaths: number[] = []; // bit mask of the paths still possible at each level
  const levelExpectKey: boolean[] = []; // the next string at this level is a key
  const levelKeyPaths: number[] = []; // paths whose key at this level matched the current key
  const levelChildPaths: number[] = []; // after the colon: paths to follow into an object value
  let keyStart = -1; // where the key being read began in this chunk, -2 if in an earlier chunk (see keyCarry)
  let keyCarry: Buffer | null = null;
  let spanStart = -1; // file offset where the deferred value being skipped began
  let spans: number[] = []; // start, end pairs (item-relative) of the current item's deferred values

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
    tracked = 0;
    trackedDepth = -1;
    spanStart = -1;
    if (spans.length === 0) return { value: parseItem(buffer, entry, itemOffset), offset: itemOffset, bytes: buffer.length };
    const itemSpans = spans;
    spans = [];
    // The getters read the bytes later: keep a copy that no stream can reuse.
    const owned = parts.length === 0 && buffer === tail ? Buffer.from(tail) : buffer;
    return { value: parseDeferred(owned, itemSpans, deferred!, entry, itemOffset), offset: itemOffset, bytes: buffer.length };
  };

  /** The key just read (ending before `end` in `chunk`) against the paths possible at the innermost level. */
  const matchKey = (chunk: Buffer, end: number) => {
    const j = tracked - 1;
    let key: Buffer;
    if (keyStart >= 0) key = chunk.subarray(keyStart, end);
    else key = Buffer.concat([keyCarry!, chunk.subarray(0, end)]);
    keyStart = -1;
    keyCarry = null;
    let matched = 0;
    const paths = levelPaths[j]!;
    for (let p = 0; p < deferred!.paths.length; p++) {
      if ((paths & (1 << p)) === 0) continue;
      const want = deferred!.keys[p]![j]!;
      if (want === null || want.equals(key)) matched |= 1 << p;
    }
    levelKeyPaths[j] = matched;
    levelExpectKey[j] = false;
  };

  const endSpan = (at: number) => {
    spans.push(spanStart - itemOffset, at - itemOffset);
    spanStart = -1;
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

    const len = chunk.length;
    while (i < len) {
      if (inString) {
        // The closing quote is the next quote not escaped: one preceded by an even run of backslashes
        // (counted back to `from`, before which nothing can escape it).
        let from = i;
        if (pendingEscape) {
          pendingEscape = false;
          from = i + 1;
        }
        let q = -1;
        const stop = from + SHORT_STRING < len ? from + SHORT_STRING : len;
        for (let k = from; k < stop; k++) {
          if (chunk[k] === QUOTE) {
            q = k;
            break;
          }
        }
        if (q === -1 && stop < len) q = chunk.indexOf(QUOTE, stop);
        while (q !== -1) {
          let b = q - 1;
          while (b >= from && chunk[b] === BACKSLASH) b--;
          if (((q - 1 - b) & 1) === 0) break;
          from = q + 1;
          q = from < len ? chunk.indexOf(QUOTE, from) : -1;
        }
        if (q === -1) {
          let b = len - 1;
          while (b >= from && chunk[b] === BACKSLASH) b--;
          pendingEscape = ((len - 1 - b) & 1) === 1;
          if (keyStart !== -1) {
            const piece = chunk.subarray(keyStart >= 0 ? keyStart : 0);
            keyCarry = keyCarry ? Buffer.concat([keyCarry, piece]) : Buffer.from(piece);
            keyStart = -2;
          }
          i = len;
          break;
        }
        inString = false;
        i = q + 1;
        if (keyStart !== -1) matchKey(chunk, q);
        if (depth === 1 && itemIsString) {
          yield finishItem(chunk, i);
        }
        continue;
      }

      const c = chunk[i]!;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
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
        } else if (depth === trackedDepth) {
          const j = tracked - 1;
          if (levelExpectKey[j]) keyStart = i + 1;
          else levelChildPaths[j] = 0;
        }
        inString = true;
        i++;
        continue;
      }
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (depth === 1) {
          if (expectComma) fail("missing comma between array items", base + i);
          startItem(i);
          if (tracking && c === OPEN_BRACE) openLevel(deferred!.all);
        } else if (depth === trackedDepth) {
          const j = tracked - 1;
          const follow = levelChildPaths[j]!;
          levelChildPaths[j] = 0;
          if (follow !== 0 && c === OPEN_BRACE) openLevel(follow);
        }
        depth++;
        i++;
        continue;
      }
      if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (depth === trackedDepth) {
          if (spanStart !== -1) endSpan(base + i);
          tracked--;
          trackedDepth = tracked > 0 ? tracked + 1 : -1;
        }
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
        } else if (depth === trackedDepth) {
          const j = tracked - 1;
          if (spanStart !== -1) endSpan(base + i);
          levelExpectKey[j] = true;
          levelKeyPaths[j] = 0;
          levelChildPaths[j] = 0;
        }
        i++;
        continue;
      }
      // A number, true, false or null (or a colon inside an item).
      if (depth === 1 && itemStart === -1) {
        if (expectComma) fail("missing comma between array items", base + i);
        startItem(i);
        itemIsPrimitive = true;
      } else if (depth === trackedDepth) {
        const j = tracked - 1;
        const matched = levelKeyPaths[j]!;
        if (c === COLON && matched !== 0) {
          levelKeyPaths[j] = 0;
          if ((matched & deferred!.endsAt[j]!) !== 0) {
            if (spanStart === -1) spanStart = base + i + 1;
          } else levelChildPaths[j] = matched;
        } else levelChildPaths[j] = 0;
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

  function openLevel(paths: number) {
    const j = tracked;
    if (j >= deferred!.levels) return; // deeper than any path: nothing to track
    levelPaths[j] = paths;
    levelExpectKey[j] = true;
    levelKeyPaths[j] = 0;
    levelChildPaths[j] = 0;
    tracked++;
    trackedDepth = tracked + 1;
  }
}

type Deferred = {
  paths: readonly (readonly string[])[];
  /** keys[p][j]: the key bytes path p wants at level j, or null for "*". */
  keys: (Buffer | null)[][];
  /** endsAt[j]: paths whose last key is at level j. */
  endsAt: number[];
  /** Every path (the item's level). */
  all: number;
  levels: number;
  /** Placeholder strings are this prefix + the span number; the random part keeps input from forging one. */
  prefix: string;
};

function compileDeferred(paths: readonly (readonly string[])[]): Deferred | null {
  const usable = paths.filter((p) => p.length > 0).slice(0, 30);
  if (usable.length === 0) return null;
  const levels = Math.max(...usable.map((p) => p.length));
  const endsAt = Array.from({ length: levels }, (_, j) => usable.reduce((mask, p, index) => (p.length === j + 1 ? mask | (1 << index) : mask), 0));
  return {
    paths: usable,
    keys: usable.map((p) => p.map((k) => (k === "*" ? null : Buffer.from(k, "utf8")))),
    endsAt,
    all: (1 << usable.length) - 1,
    levels,
    prefix: `\u0000deferred-${randomBytes(8).toString("hex")}-`,
  };
}

/**
 * Parses an item whose deferred values (item-relative byte spans) are replaced by placeholder strings, then
 * turns each placeholder found at a deferred path into a property that parses the span when first read.
 */
function parseDeferred(buffer: Buffer, spans: number[], deferred: Deferred, entry: string, offset: number): unknown {
  if (!isUtf8(buffer)) return parseItem(buffer, entry, offset); // the same error as without deferring
  let text = "";
  let at = 0;
  for (let k = 0; k < spans.length; k += 2) {
    text += `${buffer.toString("utf8", at, spans[k])}"${deferred.prefix}${k >> 1}"`;
    at = spans[k + 1]!;
  }
  text += buffer.toString("utf8", at);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ImportFormatError(`${entry}: invalid JSON in the item starting at byte ${offset}.`, { entry, offset });
  }
  const marker = JSON.parse(`"${deferred.prefix}"`) as string;
  const install = (holder: unknown, path: readonly string[], j: number) => {
    if (typeof holder !== "object" || holder === null || Array.isArray(holder)) return;
    const record = holder as Record<string, unknown>;
    const want = path[j]!;
    const keys = want === "*" ? Object.keys(record) : Object.hasOwn(record, want) ? [want] : [];
    for (const key of keys) {
      const descriptor = Object.getOwnPropertyDescriptor(record, key);
      if (!descriptor || !("value" in descriptor)) continue; // already deferred by another path
      const v = descriptor.value as unknown;
      if (j < path.length - 1) install(v, path, j + 1);
      else if (typeof v === "string" && v.startsWith(marker)) {
        const span = Number(v.slice(marker.length));
        if (Number.isInteger(span) && span >= 0 && 2 * span + 1 < spans.length) defer(record, key, buffer, spans[2 * span]!, spans[2 * span + 1]!, entry, offset);
      }
    }
  };
  for (const path of deferred.paths) install(value, path, 0);
  return value;
}

/** Replaces `record[key]` with a getter that parses buffer[start, end) once, then becomes a plain property. */
function defer(record: Record<string, unknown>, key: string, buffer: Buffer, start: number, end: number, entry: string, offset: number) {
  const settle = (value: unknown) => {
    Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
    return value;
  };
  Object.defineProperty(record, key, {
    enumerable: true,
    configurable: true,
    get() {
      let value: unknown;
      try {
        value = JSON.parse(buffer.toString("utf8", start, end));
      } catch {
        throw new ImportFormatError(`${entry}: invalid JSON in the item starting at byte ${offset}.`, { entry, offset });
      }
      return settle(value);
    },
    set(value: unknown) {
      settle(value);
    },
  });
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

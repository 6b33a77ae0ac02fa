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
export type JsonItem = {
  value: unknown;
  offset: number;
  bytes: number;
  /** A placeholder left by `deferred` → the value it stands for, parsed now; any other value as is. */
  resolve(value: unknown): unknown;
  /** A placeholder left by `deferred` → what was peeked inside it (see DeferredValue); otherwise undefined. */
  peeked(value: unknown): readonly PeekedValue[] | undefined;
};

/** A string or null read from inside a deferred value; undefined where the path does not exist. */
export type PeekedValue = string | null | undefined;

/**
 * A value inside each (object) array item that is not parsed with the rest: a path of object keys from the
 * item, "*" matching any key, e.g. `["mapping", "*", "message"]` for every message of a ChatGPT conversation.
 *
 * Such a value is only checked for structure while scanning (strings closed, brackets balanced, valid
 * UTF-8); in the item's `value` it is an opaque placeholder string that `item.resolve()` turns into the
 * value (throwing the item's ImportFormatError if its bytes are not JSON).
 *
 * In the object form only object values are deferred, and the strings (or nulls) at the `peek` paths inside
 * them are read while scanning, for `item.peeked()`: e.g. `["author", "role"]` tells a message's role without
 * parsing it. A value whose peeks are not certain — a duplicate or escaped key on the way, a string with
 * escapes, a number or a container where a string was expected — is parsed with the rest instead, so a
 * peek always equals what JSON.parse would give.
 *
 * `parseIf` names values that are not deferred after all, by a peek: e.g. `{ peek: 0, equals: "user" }` parses
 * the messages whose role is "user" with the rest of the item (a parser that reads every one of them saves a
 * separate decode and JSON.parse each).
 *
 * Parsers use it for the bulk they never look at (assistant replies, tool output): most of an export's
 * bytes and of JSON.parse's work.
 */
export type DeferredValue =
  | readonly string[]
  | {
      readonly path: readonly string[];
      readonly peek: readonly (readonly string[])[];
      readonly parseIf?: { readonly peek: number; readonly equals: string };
    };

export type JsonStreamOptions = {
  /** Name used in error messages (file or zip entry). */
  entry: string;
  /** Keys under which a wrapper object keeps the item array, in order of preference. */
  wrapperKeys?: readonly string[];
  /** Largest top-level object read whole (default 256 MiB). */
  maxObjectBytes?: number;
  /** Largest single array item (default 512 MiB: V8's string limit is about that). */
  maxItemBytes?: number;
  deferred?: readonly DeferredValue[];
};

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
// The first bytes of a string are searched in JS, the rest with indexOf (a native memchr, but a call).
const SHORT_STRING = 64;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

// Byte classes, for the scanner's dispatch.
const OTHER = 0; // a byte of a number, true, false or null
const SPACE = 1;
const QUOTE_CLASS = 2;
const OPEN = 3;
const CLOSE = 4;
const COMMA_CLASS = 5;
const COLON_CLASS = 6;
const CLASS = new Uint8Array(256);
for (const c of [0x20, 0x0a, 0x0d, 0x09]) CLASS[c] = SPACE;
CLASS[QUOTE] = QUOTE_CLASS;
CLASS[OPEN_BRACE] = OPEN;
CLASS[OPEN_BRACKET] = OPEN;
CLASS[CLOSE_BRACE] = CLOSE;
CLASS[CLOSE_BRACKET] = CLOSE;
CLASS[COMMA] = COMMA_CLASS;
CLASS[COLON] = COLON_CLASS;

/**
 * Where the string whose text starts at `from` ends: the index of its closing quote (the next quote preceded
 * by an even run of backslashes, counted back to `from`, before which nothing can escape it); −1 when it does
 * not end in this chunk, −2 when it does not and the chunk ends with an escaping backslash.
 */
function closingQuote(chunk: Buffer, from: number, len: number): number {
  let q = -1;
  // Four bytes at a time: a word holds a quote when (w ^ 0x22222222) has a zero byte.
  const view = viewOf(chunk);
  let k = from;
  const stop = from + SHORT_STRING < len - 3 ? from + SHORT_STRING : len - 3;
  for (; k < stop; k += 4) {
    const v = view.getUint32(k, true) ^ 0x22222222;
    if (((v - 0x01010101) & ~v & 0x80808080) !== 0) break;
  }
  for (const end = k + 4 < len ? k + 4 : len; k < end; k++) {
    if (chunk[k] === QUOTE) {
      q = k;
      break;
    }
  }
  if (q === -1 && k < len) q = chunk.indexOf(QUOTE, k);
  while (q > from && chunk[q - 1] === BACKSLASH) {
    let b = q - 2;
    while (b >= from && chunk[b] === BACKSLASH) b--;
    if (((q - 1 - b) & 1) === 0) break;
    from = q + 1;
    q = from < len ? chunk.indexOf(QUOTE, from) : -1;
  }
  if (q !== -1) return q;
  let b = len - 1;
  while (b >= from && chunk[b] === BACKSLASH) b--;
  return ((len - 1 - b) & 1) === 1 ? -2 : -1;
}

// A DataView of the chunk being scanned (made once per chunk).
let viewChunk: Buffer | null = null;
let view: DataView = new DataView(new ArrayBuffer(0));
function viewOf(chunk: Buffer): DataView {
  if (chunk !== viewChunk) {
    viewChunk = chunk;
    view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
  return view;
}

export function iterateJsonArray(chunks: AsyncIterable<Uint8Array>, options: JsonStreamOptions): AsyncGenerator<JsonItem> {
  return scan(chunks, options, true);
}

/**
 * The scanner is one large function that V8 optimises once it is hot. Paths that a big file only takes now and
 * then (a string cut by a chunk boundary, an escape at the end of a chunk, the closing bracket) would each throw
 * the optimised code away the first time they run, and the scan would crawl until it is compiled again (~80 ms
 * each, half a dozen times per file). Running it once over a small document cut into tiny chunks, before the
 * first real file, takes every such path while the function is still cold.
 */
let primed = false;
const PRIMER = Buffer.from(
  String.raw`[{"id":"c","title":"t \"q\" \\ \u00e9 \ud83d\ude00","n":[1,-2.5e3,true,false,null,{"x":[]}],"mapping":{` +
    String.raw`"a":{"id":"a","message":null,"parent":null,"children":["b"]},` +
    String.raw`"b":{"id":"b","message":{"author":{"role":"user"},"content":{"parts":["x\\","\"y\""]},"metadata":{"model_slug":"m"}},"parent":"a","children":[]},` +
    String.raw`"c":{"message":{"author":{"role":"tool","name":null},"metadata":{"model_slug":null,"k":1},"content":"s"}},` +
    String.raw`"d":{"message":{"author":{"role":"us\u0065r"},"metadata":{"model_slug":5}}},` +
    String.raw`"e":{"message":[1],"mess\u0061ge":{"author":null}},` +
    String.raw`"f":{"message":{"author":{"role":"assistant","role":"x"},"metadata":{"model_slug":"m","mod\u0065l_slug":"n"}}}}},` +
    String.raw`"item",7,[1,[2]]]`,
);

async function prime(): Promise<void> {
  primed = true;
  // Every byte-level path (a cut string, key, escape or number) is in the scanner's one function whatever the
  // spec, so the tiny chunks that take them all are needed once, with the spec that reaches the most paths
  // (deferred values with peeks): each chunk costs a few microseconds while the scanner is cold.
  const specs: [readonly DeferredValue[] | undefined, number[]][] = [
    [undefined, [7, PRIMER.length]],
    [[["mapping", "*", "message", "content"]], [7, PRIMER.length]],
    [[{ path: ["mapping", "*", "message"], peek: [["author", "role"], ["metadata", "model_slug"]], parseIf: { peek: 0, equals: "user" } }], [1, 2, 3, 7, PRIMER.length]],
  ];
  try {
    for (const [deferred, sizes] of specs) {
      for (const size of sizes) {
        const chunks = (async function* () {
          for (let at = 0; at < PRIMER.length; at += size) yield PRIMER.subarray(at, at + size);
        })();
        for await (const item of scan(chunks, { entry: "primer", deferred })) {
          const mapping = (item.value as { mapping?: Record<string, { message?: unknown }> } | null)?.mapping;
          for (const node of Object.values(mapping ?? {})) {
            item.peeked(node.message);
            item.resolve(node.message);
          }
        }
      }
    }
  } catch {
    // Priming is only an optimisation.
  }
}

async function* scan(chunks: AsyncIterable<Uint8Array>, options: JsonStreamOptions, primeFirst = false): AsyncGenerator<JsonItem> {
  if (primeFirst && !primed) {
    // The first read (a file's open and first chunk) proceeds while the scanner is primed.
    const iterator = chunks[Symbol.asyncIterator]();
    const first = iterator.next();
    first.catch(() => {}); // awaited below; a failure is thrown there, not reported as unhandled meanwhile
    await prime();
    chunks = resumed(first, iterator);
  }
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
  let inString = false; // a string continues from the previous chunk
  let pendingEscape = false; // …and that chunk ended with an escaping backslash
  let itemStart = -1; // index in the current chunk where the item began, or -2 if it began in an earlier chunk
  let itemOffset = 0;
  let itemIsString = false;
  let itemIsPrimitive = false;
  let parts: Buffer[] = [];
  let partsBytes = 0;
  let expectComma = false;
  let firstChunk = true;

  // Deferred values (see DeferredValue): the objects on the way to one (and, inside it, to its peeks) are
  // tracked while scanning, level j being the object at depth j + 2 (the item itself is level 0).
  const deferred = compileDeferred(options.deferred ?? []);
  const levels = deferred?.levels ?? 0;
  let tracked = 0; // tracked levels open
  let trackedDepth = -1; // depth of the innermost one
  const levelPaths = new Int32Array(levels); // bit mask of the paths still possible at each level
  const levelExpectKey = new Uint8Array(levels); // the next string at this level is a key
  const levelKeyPaths = new Int32Array(levels); // paths whose key at this level matched the current key
  const levelChildPaths = new Int32Array(levels); // after the colon: paths to follow into an object value
  const levelSeen = new Int32Array(levels); // inside a deferred value: peek paths whose key this object had
  const namedAt = Int32Array.from(deferred?.named ?? []);
  const peekEndsAt = Int32Array.from(deferred?.peekEnds ?? []);
  const deferEndsAt = Int32Array.from(deferred?.deferEnds ?? []);
  let keyPending = false; // the string continuing from the previous chunk is a key to match…
  let keyCarry: Buffer | null = null; // …whose bytes so far are these
  let spanStart = -1; // file offset where the deferred value being skipped began (just after the colon)
  let spanDepth = -1; // depth of the object holding its key
  let spanAwaitValue = false; // an object is required and the value has not started yet
  let spanUnsure = false; // a peek cannot be read with certainty: parse this value with the rest
  let spanPeeks: PeekedValue[] | null = null;
  let spanPath = 0; // the deferred path it is at
  let captureMask = 0; // peek paths whose value is the next token at captureDepth
  let captureDepth = -1;
  let spans: number[] = []; // start, end pairs (item-relative) of the current item's deferred values
  let peeks: (PeekedValue[] | null)[] = [];

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
    if (spans.length === 0) return { value: parseItem(buffer, entry, itemOffset), offset: itemOffset, bytes: buffer.length, resolve: asIs, peeked: none };
    const item = new DeferringItem(buffer, spans, peeks, deferred!, entry, itemOffset);
    spans = [];
    peeks = [];
    return item;
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
        // A string that began in an earlier chunk.
        const q = closingQuote(chunk, pendingEscape ? i + 1 : i, len);
        if (q < 0) {
          pendingEscape = q === -2;
          if (keyPending) keyCarry = Buffer.concat([keyCarry!, chunk]);
          i = len;
          break;
        }
        inString = false;
        pendingEscape = false;
        if (keyPending) {
          const key = Buffer.concat([keyCarry!, chunk.subarray(0, q)]);
          keyPending = false;
          keyCarry = null;
          levelKeyPaths[tracked - 1] = matchKey(deferred!, levelPaths[tracked - 1]!, tracked - 1, key, 0, key.length);
        }
        i = q + 1;
        if (depth === 1 && itemIsString) yield finishItem(chunk, i);
        continue;
      }

      const c = chunk[i]!;
      const cls = CLASS[c]!;
      if (cls === SPACE) {
        i++;
        continue;
      }

      if (depth > 1) {
        // Inside an item.
        if (cls === QUOTE_CLASS) {
          let isKey = false;
          let capture = false;
          if (depth === trackedDepth) {
            const j = tracked - 1;
            if (levelExpectKey[j] === 1) {
              levelExpectKey[j] = 0;
              // Read the key if some path wants a particular one here (inside a deferred value, every key:
              // an escaped one could spell a peeked key).
              if ((levelPaths[j]! & namedAt[j]!) !== 0 || (spanStart !== -1 && depth > spanDepth)) isKey = true;
              else levelKeyPaths[j] = levelPaths[j]!;
            } else {
              levelChildPaths[j] = 0;
              if (spanAwaitValue && depth === spanDepth) spanStart = -1; // not an object: parse it with the rest
              if (captureMask !== 0 && depth === captureDepth) capture = true;
            }
          }
          // Keys inside a deferred value must not be escaped (one could spell a peeked key): look for the
          // closing quote and a backslash in one pass (keys are short).
          let q: number;
          if (isKey && spanStart !== -1 && depth > spanDepth) {
            q = closingQuote(chunk, i + 1, len);
            if (hasBackslash(chunk, i + 1, q < 0 ? len : q)) spanUnsure = true;
          } else q = closingQuote(chunk, i + 1, len);
          if (q < 0) {
            inString = true;
            pendingEscape = q === -2;
            if (capture) {
              spanUnsure = true;
              captureMask = 0;
            }
            if (isKey) {
              if (spanStart !== -1 && depth > spanDepth) spanUnsure = true;
              else {
                keyPending = true;
                keyCarry = Buffer.from(chunk.subarray(i + 1));
              }
            }
            i = len;
            break;
          }
          if (isKey) levelKeyPaths[tracked - 1] = matchKey(deferred!, levelPaths[tracked - 1]!, tracked - 1, chunk, i + 1, q);
          if (capture) {
            if (hasBackslash(chunk, i + 1, q)) spanUnsure = true;
            else setPeeks(spanPeeks!, captureMask, deferred!, peekText(chunk, i + 1, q));
            captureMask = 0;
          }
          i = q + 1;
          // Outside tracked levels a string is followed by a separator that needs no attention.
          if (depth !== trackedDepth && i < len) {
            const next = chunk[i];
            if (next === COLON || next === COMMA) i++;
          }
          continue;
        }
        if (cls === OTHER) {
          if (depth === trackedDepth) {
            levelChildPaths[tracked - 1] = 0;
            if (spanAwaitValue && depth === spanDepth) spanStart = -1;
            if (captureMask !== 0 && depth === captureDepth) {
              // null is the one other value a peek can hold.
              if (c === 0x6e && i + 4 < len && chunk[i + 1] === 0x75 && chunk[i + 2] === 0x6c && chunk[i + 3] === 0x6c && CLASS[chunk[i + 4]!] !== OTHER) setPeeks(spanPeeks!, captureMask, deferred!, null);
              else spanUnsure = true;
              captureMask = 0;
            }
          }
          i++;
          while (i < len && CLASS[chunk[i]!] === OTHER) i++;
          if (depth !== trackedDepth && i < len && chunk[i] === COMMA) i++;
          continue;
        }
        if (cls === COLON_CLASS) {
          if (depth === trackedDepth) {
            const j = tracked - 1;
            const matched = levelKeyPaths[j]!;
            levelKeyPaths[j] = 0;
            levelChildPaths[j] = 0;
            if (matched !== 0) {
              if (spanStart !== -1 && depth > spanDepth) {
                // Inside a deferred value, on the way to a peek: a key seen twice makes it uncertain.
                const named = matched & namedAt[j]!;
                if ((named & levelSeen[j]!) !== 0) spanUnsure = true;
                levelSeen[j] = levelSeen[j]! | named;
                const ends = matched & peekEndsAt[j]!;
                if (ends !== 0) {
                  captureMask = ends;
                  captureDepth = depth;
                } else levelChildPaths[j] = matched;
              } else if (spanStart === -1 && (matched & deferEndsAt[j]!) !== 0) {
                const p = 31 - Math.clz32(matched & deferEndsAt[j]!);
                spanStart = base + i + 1;
                spanDepth = depth;
                spanUnsure = false;
                spanAwaitValue = deferred!.objectOnly[p]!;
                spanPeeks = deferred!.peekCount[p]! > 0 ? deferred!.noPeeks[p]!.slice() : null;
                spanPath = p;
                captureMask = 0;
                levelChildPaths[j] = matched & deferred!.peeksOf[p]!;
              } else if (spanStart === -1) levelChildPaths[j] = matched;
            }
          }
          i++;
          continue;
        }
        if (cls === COMMA_CLASS) {
          if (depth === trackedDepth) {
            const j = tracked - 1;
            if (spanStart !== -1 && depth === spanDepth) {
              if (!spanUnsure && !spanAwaitValue && !parsedAnyway(deferred!, spanPath, spanPeeks)) {
                spans.push(spanStart - itemOffset, base + i - itemOffset);
                peeks.push(spanPeeks);
              }
              spanStart = -1;
              spanAwaitValue = false;
              spanPeeks = null;
              captureMask = 0;
            }
            if (captureMask !== 0 && depth === captureDepth) {
              captureMask = 0;
              spanUnsure = true;
            }
            levelExpectKey[j] = 1;
            levelKeyPaths[j] = 0;
            levelChildPaths[j] = 0;
          }
          i++;
          continue;
        }
        if (cls === OPEN) {
          if (depth === trackedDepth) {
            const j = tracked - 1;
            const follow = levelChildPaths[j]!;
            levelChildPaths[j] = 0;
            if (spanAwaitValue && depth === spanDepth) {
              if (c === OPEN_BRACE) spanAwaitValue = false;
              else spanStart = -1;
            }
            if (captureMask !== 0 && depth === captureDepth) {
              captureMask = 0;
              spanUnsure = true;
            }
            if (follow !== 0 && c === OPEN_BRACE && tracked < levels) {
              levelPaths[tracked] = follow;
              levelExpectKey[tracked] = 1;
              levelKeyPaths[tracked] = 0;
              levelChildPaths[tracked] = 0;
              levelSeen[tracked] = 0;
              tracked++;
              trackedDepth = depth + 1;
            }
          }
          depth++;
          i++;
          continue;
        }
        // A closing bracket.
        if (depth === trackedDepth) {
          if (spanStart !== -1 && depth === spanDepth) {
            if (!spanUnsure && !spanAwaitValue && !parsedAnyway(deferred!, spanPath, spanPeeks)) {
              spans.push(spanStart - itemOffset, base + i - itemOffset);
              peeks.push(spanPeeks);
            }
            spanStart = -1;
            spanAwaitValue = false;
            spanPeeks = null;
            captureMask = 0;
          }
          tracked--;
          trackedDepth = tracked > 0 ? tracked + 1 : -1;
        }
        depth--;
        i++;
        if (depth === 1) yield finishItem(chunk, i);
        else if (depth !== trackedDepth && i < len && chunk[i] === COMMA) i++;
        continue;
      }

      // Between the items of the top array.
      if (depth === 1 && itemIsPrimitive && itemStart !== -1 && (c === COMMA || c === CLOSE_BRACKET)) {
        yield finishItem(chunk, i);
        itemIsPrimitive = false;
      }
      if (cls === QUOTE_CLASS) {
        if (depth === 1) {
          if (expectComma) fail("missing comma between array items", base + i);
          startItem(i);
          itemIsString = true;
        }
        inString = true;
        i++;
        continue;
      }
      if (cls === OPEN) {
        if (depth === 1) {
          if (expectComma) fail("missing comma between array items", base + i);
          startItem(i);
          spanStart = -1;
          spanAwaitValue = false;
          captureMask = 0;
          if (levels > 0 && c === OPEN_BRACE) {
            levelPaths[0] = deferred!.all;
            levelExpectKey[0] = 1;
            levelKeyPaths[0] = 0;
            levelChildPaths[0] = 0;
            levelSeen[0] = 0;
            tracked = 1;
            trackedDepth = 2;
          }
        }
        depth++;
        i++;
        continue;
      }
      if (cls === CLOSE) {
        depth--;
        i++;
        if (depth === 0) {
          if (c !== CLOSE_BRACKET) fail("mismatched brackets", base + i - 1);
          finished = true;
          for (let k = i; k < len; k++) if (!isSpace(chunk[k]!)) fail("unexpected data after the end of the JSON document", base + k);
          i = len;
        } else if (depth < 0) {
          fail("mismatched brackets", base + i - 1);
        }
        continue;
      }
      if (cls === COMMA_CLASS) {
        if (depth === 1) {
          if (!expectComma) fail("unexpected comma", base + i);
          expectComma = false;
        }
        i++;
        continue;
      }
      // A number, true, false or null (or a stray colon).
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
      for (const value of wrapped) yield { value, offset: 0, bytes: 0, resolve: asIs, peeked: none };
    } else {
      yield { value: document, offset: 0, bytes: objectBytes, resolve: asIs, peeked: none };
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

/** An iterator whose first next() was already called (and returned `first`), as an iterable again. */
function resumed(first: Promise<IteratorResult<Uint8Array>>, rest: AsyncIterator<Uint8Array>): AsyncIterable<Uint8Array> {
  let pending: Promise<IteratorResult<Uint8Array>> | null = first;
  const iterator: AsyncIterator<Uint8Array> = {
    next() {
      const next = pending ?? rest.next();
      pending = null;
      return next;
    },
    return(value?: unknown) {
      return rest.return ? rest.return(value) : Promise.resolve({ done: true as const, value: undefined });
    },
  };
  return { [Symbol.asyncIterator]: () => iterator };
}

function hasBackslash(bytes: Buffer, from: number, end: number): boolean {
  const view = viewOf(bytes);
  let k = from;
  for (; k + 4 <= end; k += 4) {
    const v = view.getUint32(k, true) ^ 0x5c5c5c5c;
    if (((v - 0x01010101) & ~v & 0x80808080) !== 0) return true;
  }
  for (; k < end; k++) if (bytes[k] === BACKSLASH) return true;
  return false;
}

// Peeked strings repeat (a handful of roles and model names): the last ones decoded are kept with their bytes,
// so most peeks cost a byte comparison instead of a decode and a new string.
const PEEK_CACHE_SIZE = 16;
const PEEK_CACHE_MAX_BYTES = 64;
const peekCacheBytes: Buffer[] = [];
const peekCacheText: string[] = [];
let peekCacheNext = 0;

/** chunk[from, end) decoded as UTF-8 (a string seen recently is reused). */
function peekText(chunk: Buffer, from: number, end: number): string {
  const length = end - from;
  if (length > PEEK_CACHE_MAX_BYTES) return chunk.toString("utf8", from, end);
  for (let n = 0; n < peekCacheBytes.length; n++) {
    const bytes = peekCacheBytes[n]!;
    if (bytes.length !== length) continue;
    let k = 0;
    while (k < length && bytes[k] === chunk[from + k]) k++;
    if (k === length) return peekCacheText[n]!;
  }
  const text = chunk.toString("utf8", from, end);
  const slot = peekCacheNext;
  peekCacheNext = (slot + 1) % PEEK_CACHE_SIZE;
  peekCacheBytes[slot] = Buffer.from(chunk.subarray(from, end));
  peekCacheText[slot] = text;
  return text;
}

/** Whether a deferred value (at deferred path p, with these peeks) is to be parsed with the rest (see parseIf). */
function parsedAnyway(deferred: Deferred, p: number, peeks: PeekedValue[] | null): boolean {
  const slot = deferred.parseIfPeek[p]!;
  return slot >= 0 && peeks !== null && peeks[slot] === deferred.parseIfEquals[p];
}

/** Stores a peeked value in the slots of every peek path in `mask`. */
function setPeeks(peeks: PeekedValue[], mask: number, deferred: Deferred, value: PeekedValue) {
  for (; mask !== 0; mask &= mask - 1) peeks[deferred.slot[31 - Math.clz32(mask & -mask)]!] = value;
}

/** The paths (of those in `paths`) whose key at level `j` is bytes[from, end). */
function matchKey(deferred: Deferred, paths: number, j: number, bytes: Buffer, from: number, end: number): number {
  let matched = paths & deferred.wildcards[j]!;
  const named = deferred.namedKeys[j]!;
  const length = end - from;
  for (let n = 0; n < named.length; n++) {
    const { bit, key } = named[n]!;
    if ((paths & bit) === 0 || key.length !== length || key[0] !== bytes[from]) continue;
    let k = 1;
    while (k < length && key[k] === bytes[from + k]) k++;
    if (k === length) matched |= bit;
  }
  return matched;
}

/**
 * Deferred values and their peeks compiled into one set of key paths (a bit each): a deferred path, then for
 * each of its peeks the deferred path followed by the peek's keys.
 */
type Deferred = {
  /** deferEnds[j] / peekEnds[j]: deferred / peek paths whose last key is at level j. */
  deferEnds: number[];
  peekEnds: number[];
  /** named[j]: paths that want a particular key (not "*") at level j; namedKeys[j]: those keys; wildcards[j]: the others. */
  named: number[];
  namedKeys: { bit: number; key: Buffer }[][];
  wildcards: number[];
  /** Every path (the item's level). */
  all: number;
  levels: number;
  /** For each deferred path: whether only objects are deferred, its peek paths, and how many. */
  objectOnly: boolean[];
  peeksOf: number[];
  peekCount: number[];
  /** For each deferred path: the peek (index) whose value `parseIfEquals` keeps the value from being deferred, or −1. */
  parseIfPeek: number[];
  parseIfEquals: string[];
  /** For each deferred path: an array of `undefined`, one per peek (copied for each value). */
  noPeeks: PeekedValue[][];
  /** For each peek path: its index in its deferred value's peek list. */
  slot: number[];
  /** A placeholder is a JSON string of this prefix + the span number; the random part keeps input from forging one. */
  prefix: string;
  /** `"` + prefix, as bytes (what parseDeferred writes before each span number). */
  opening: Buffer;
  /** The prefix as JSON.parse decodes it. */
  marker: string;
};

function compileDeferred(specs: readonly DeferredValue[]): Deferred | null {
  const paths: string[][] = [];
  const isPeek: boolean[] = [];
  const owner: number[] = [];
  const slot: number[] = [];
  const objectOnly: boolean[] = [];
  const peekCount: number[] = [];
  const parseIfPeek: number[] = [];
  const parseIfEquals: string[] = [];
  for (const spec of specs) {
    const path = isPathList(spec) ? spec : spec.path;
    const peek = isPathList(spec) ? [] : spec.peek;
    if (path.length === 0) continue;
    const d = paths.length;
    paths.push([...path]);
    isPeek.push(false);
    owner.push(d);
    slot.push(-1);
    objectOnly[d] = !isPathList(spec);
    peekCount[d] = peek.length;
    const parseIf = isPathList(spec) ? undefined : spec.parseIf;
    parseIfPeek[d] = parseIf && parseIf.peek >= 0 && parseIf.peek < peek.length && peek[parseIf.peek]!.length > 0 ? parseIf.peek : -1;
    parseIfEquals[d] = parseIf?.equals ?? "";
    peek.forEach((sub, k) => {
      if (sub.length === 0) return;
      paths.push([...path, ...sub]);
      isPeek.push(true);
      owner.push(d);
      slot.push(k);
    });
  }
  if (paths.length === 0) return null;
  if (paths.length > 30) throw new Error("iterateJsonArray: at most 30 deferred and peeked paths");
  const levels = Math.max(...paths.map((p) => p.length));
  const maskAt = (j: number, test: (p: number) => boolean) => paths.reduce((mask, path, p) => (path.length > j && test(p) ? mask | (1 << p) : mask), 0);
  // Starts with an escaped NUL, which no text begins with by accident.
  const prefix = `\\u0000${randomBytes(4).toString("hex")}:`;
  return {
    deferEnds: Array.from({ length: levels }, (_, j) => maskAt(j, (p) => !isPeek[p] && paths[p]!.length === j + 1)),
    peekEnds: Array.from({ length: levels }, (_, j) => maskAt(j, (p) => isPeek[p]! && paths[p]!.length === j + 1)),
    named: Array.from({ length: levels }, (_, j) => maskAt(j, (p) => paths[p]![j] !== "*")),
    namedKeys: Array.from({ length: levels }, (_, j) =>
      paths.flatMap((path, p) => (path.length > j && path[j] !== "*" ? [{ bit: 1 << p, key: Buffer.from(path[j]!, "utf8") }] : [])),
    ),
    wildcards: Array.from({ length: levels }, (_, j) => maskAt(j, (p) => paths[p]![j] === "*")),
    all: (1 << paths.length) - 1,
    levels,
    objectOnly: paths.map((_, p) => objectOnly[p] ?? false),
    peeksOf: paths.map((_, d) => paths.reduce((mask, __, p) => (isPeek[p] && owner[p] === d ? mask | (1 << p) : mask), 0)),
    peekCount: paths.map((_, p) => peekCount[p] ?? 0),
    parseIfPeek: paths.map((_, p) => parseIfPeek[p] ?? -1),
    parseIfEquals: paths.map((_, p) => parseIfEquals[p] ?? ""),
    noPeeks: paths.map((_, p) => new Array<PeekedValue>(peekCount[p] ?? 0).fill(undefined)),
    slot,
    prefix,
    opening: Buffer.from(`"${prefix}`, "latin1"),
    marker: JSON.parse(`"${prefix}"`) as string,
  };
}

function isPathList(spec: DeferredValue): spec is readonly string[] {
  return Array.isArray(spec);
}

const asIs = (value: unknown) => value;
const none = () => undefined;

/** An item with deferred values: `value` is parsed from its bytes with a placeholder in place of each. */
class DeferringItem implements JsonItem {
  readonly value: unknown;
  readonly bytes: number;

  constructor(
    private readonly buffer: Buffer, // read again by resolve(): a chunk is never reused once yielded (as with any stream)
    private readonly spans: number[],
    private readonly peeks: (PeekedValue[] | null)[],
    private readonly deferred: Deferred,
    private readonly entry: string,
    readonly offset: number,
  ) {
    this.bytes = buffer.length;
    this.value = parseDeferred(buffer, spans, deferred, entry, offset);
  }

  resolve = (value: unknown): unknown => {
    const span = this.spanOf(value);
    if (span < 0) return value;
    try {
      return JSON.parse(this.buffer.toString("utf8", this.spans[2 * span], this.spans[2 * span + 1]));
    } catch {
      throw new ImportFormatError(`${this.entry}: invalid JSON in the item starting at byte ${this.offset}.`, { entry: this.entry, offset: this.offset });
    }
  };

  peeked = (value: unknown): readonly PeekedValue[] | undefined => {
    const span = this.spanOf(value);
    return span < 0 ? undefined : (this.peeks[span] ?? []);
  };

  private spanOf(value: unknown): number {
    const { marker } = this.deferred;
    if (typeof value !== "string" || !value.startsWith(marker)) return -1;
    // The span number, in decimal digits (what parseDeferred wrote; anything else is not a placeholder).
    const end = value.length;
    let at = marker.length;
    if (at === end || end - at > 9) return -1;
    let span = 0;
    for (; at < end; at++) {
      const digit = value.charCodeAt(at) - 0x30;
      if (digit < 0 || digit > 9) return -1;
      span = span * 10 + digit;
    }
    return 2 * span + 1 < this.spans.length ? span : -1;
  }
}

// The reduced text of an item is assembled here (grown as needed), then decoded once.
let scratch = Buffer.allocUnsafe(1 << 20);

/** Parses an item whose deferred values (item-relative byte spans) are replaced by placeholder strings. */
function parseDeferred(buffer: Buffer, spans: number[], deferred: Deferred, entry: string, offset: number): unknown {
  if (!isUtf8(buffer)) return parseItem(buffer, entry, offset); // the same error as without deferring
  let size = buffer.length;
  for (let k = 0; k < spans.length; k += 2) size += deferred.prefix.length + 12 - (spans[k + 1]! - spans[k]!);
  if (scratch.length < size) scratch = Buffer.allocUnsafe(Math.max(size, scratch.length * 2));
  const { opening } = deferred;
  let length = 0;
  let at = 0;
  for (let k = 0; k < spans.length; k += 2) {
    length += buffer.copy(scratch, length, at, spans[k]);
    // `"${prefix}${k >> 1}"`
    for (let n = 0; n < opening.length; n++) scratch[length++] = opening[n]!;
    length = writeDigits(scratch, length, k >> 1);
    scratch[length++] = QUOTE;
    at = spans[k + 1]!;
  }
  length += buffer.copy(scratch, length, at);
  try {
    return JSON.parse(scratch.toString("utf8", 0, length));
  } catch {
    throw new ImportFormatError(`${entry}: invalid JSON in the item starting at byte ${offset}.`, { entry, offset });
  }
}

/** Writes n (≥ 0) in decimal at `at`; returns the index after it. */
function writeDigits(out: Buffer, at: number, n: number): number {
  let digits = 1;
  for (let m = n; m >= 10; m = Math.floor(m / 10)) digits++;
  for (let k = at + digits - 1; k >= at; k--) {
    out[k] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  }
  return at + digits;
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

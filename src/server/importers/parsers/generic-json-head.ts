/**
 * Cheap structural look at the first 64 KiB of a JSON file, for `detect`: the keys of the first record
 * (the first item of a top-level array, the top-level object itself, or the first item of an array kept under
 * one of `wrapperKeys`), with string values kept short. Only structure counts, so a key quoted inside a
 * message (`"\"mapping\""`) or nested deeper never matches. Truncated input just stops the scan; nothing here
 * throws.
 */
export type HeadRecord = {
  /** Whether the head opens with an array or an object. */
  top: "array" | "object";
  /** What the first record is: for an array, its first item; for an object, the object itself. */
  first: "string" | "object" | "array" | "primitive" | "none";
  /** Keys of the first record when it is an object, with short string values (other values map to null). */
  keys: Map<string, string | null>;
  /** For an object with a wrapper array (e.g. `{prompts: [...]}`): the same description of its first item. */
  wrapped?: { key: string; first: HeadRecord["first"]; keys: Map<string, string | null> };
};

const MAX_VALUE = 200;

/**
 * The keys of the first record the head shows (and of the first item of a wrapper array such as
 * `{conversations: [...]}`), as a set; null when the head is not JSON-like. What the conversation-export
 * detectors look at.
 */
export function firstRecordKeys(text: string, wrapperKeys: readonly string[] = []): Set<string> | null {
  const head = scanJsonHead(text, wrapperKeys);
  if (!head) return null;
  return new Set([...head.keys.keys(), ...(head.wrapped?.keys.keys() ?? [])]);
}

export function scanJsonHead(text: string, wrapperKeys: readonly string[] = []): HeadRecord | null {
  let i = skipSpace(text, text.charCodeAt(0) === 0xfeff ? 1 : 0);
  const c = text[i];
  if (c === "[") {
    const item = describeItem(text, skipSpace(text, i + 1));
    return { top: "array", first: item.first, keys: item.keys };
  }
  if (c !== "{") return null;
  const record: HeadRecord = { top: "object", first: "object", keys: new Map() };
  readObject(text, i, (key, valueStart) => {
    const at = valueStart;
    const v = text[at];
    if (v === '"') {
      const end = skipString(text, at);
      record.keys.set(key, end === -1 ? null : decodeString(text.slice(at, Math.min(end, at + MAX_VALUE * 2))));
    } else {
      record.keys.set(key, null);
    }
    if (v === "[" && !record.wrapped && wrapperKeys.includes(key)) {
      const item = describeItem(text, skipSpace(text, at + 1));
      record.wrapped = { key, first: item.first, keys: item.keys };
    }
  });
  return record;
}

function describeItem(text: string, at: number): { first: HeadRecord["first"]; keys: Map<string, string | null> } {
  const keys = new Map<string, string | null>();
  const c = text[at];
  if (c === undefined || c === "]") return { first: "none", keys };
  if (c === '"') return { first: "string", keys };
  if (c === "[") return { first: "array", keys };
  if (c !== "{") return { first: "primitive", keys };
  readObject(text, at, (key, valueStart) => {
    if (text[valueStart] === '"') {
      const end = skipString(text, valueStart);
      keys.set(key, end === -1 ? null : decodeString(text.slice(valueStart, Math.min(end, valueStart + MAX_VALUE * 2))));
    } else keys.set(key, null);
  });
  return { first: "object", keys };
}

/** Walks the members of the object opening at `at`, calling `onMember` with each key and its value's start. */
function readObject(text: string, at: number, onMember: (key: string, valueStart: number) => void): void {
  let i = skipSpace(text, at + 1);
  for (let guard = 0; guard < 100_000 && i < text.length; guard++) {
    if (text[i] === "}") return;
    if (text[i] !== '"') return;
    const keyEnd = skipString(text, i);
    if (keyEnd === -1) return;
    const key = decodeString(text.slice(i, keyEnd));
    i = skipSpace(text, keyEnd);
    if (text[i] !== ":") return;
    i = skipSpace(text, i + 1);
    if (i >= text.length) return;
    onMember(key, i);
    const valueEnd = skipValue(text, i);
    if (valueEnd === -1) return;
    i = skipSpace(text, valueEnd);
    if (text[i] === ",") i = skipSpace(text, i + 1);
  }
}

/** Index just past the string opening at `at`, or −1 when the head ends inside it. */
function skipString(text: string, at: number): number {
  for (let i = at + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i + 1;
  }
  return -1;
}

function skipValue(text: string, at: number): number {
  const c = text[at];
  if (c === '"') return skipString(text, at);
  if (c === "{" || c === "[") {
    let depth = 0;
    for (let i = at; i < text.length; i++) {
      const d = text[i];
      if (d === '"') {
        const end = skipString(text, i);
        if (end === -1) return -1;
        i = end - 1;
      } else if (d === "{" || d === "[") depth++;
      else if (d === "}" || d === "]") {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return -1;
  }
  let i = at;
  while (i < text.length && !",}] \t\r\n".includes(text[i]!)) i++;
  return i < text.length ? i : -1;
}

function skipSpace(text: string, at: number): number {
  let i = at;
  while (i < text.length && (text[i] === " " || text[i] === "\n" || text[i] === "\r" || text[i] === "\t")) i++;
  return i;
}

/** A JSON string literal (possibly cut short) to its value; undecodable text is returned raw. */
function decodeString(literal: string): string {
  const body = literal.endsWith('"') && literal.length > 1 ? literal : `${literal.replace(/\\+$/, "")}"`;
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === "string" ? value.slice(0, MAX_VALUE) : "";
  } catch {
    return literal.slice(1, 1 + MAX_VALUE);
  }
}

/**
 * The vendor a record's keys belong to, when they match a known export shape (formats README §7): generic
 * parsers must yield to these, and tell the person which import to use instead.
 */
export function vendorOfKeys(keys: ReadonlyMap<string, string | null> | Record<string, unknown>): string | null {
  const has = (k: string) => (keys instanceof Map ? keys.has(k) : Object.prototype.hasOwnProperty.call(keys, k));
  const value = (k: string) => (keys instanceof Map ? keys.get(k) : (keys as Record<string, unknown>)[k]);
  if (has("mapping")) return "a ChatGPT export";
  if (has("chat_messages")) return "a Claude export";
  if (has("chunkedPrompt")) return "a Google AI Studio chat";
  if (has("header") && has("title") && has("time")) return "a Google Takeout My Activity file";
  if (has("ts") && has("type") && (value("type") === "say" || value("type") === "ask")) return "a Cline task (ui_messages.json)";
  return null;
}

import { expect } from "vitest";
import { bufferEntry } from "../../src/server/importers/core/entries";
import { cleanPromptText } from "../../src/server/importers/core/text";
import { ImportFormatError, type DetectProbe, type ExtractedPrompt, type ImportEntry, type ParseEvent, type Parser } from "../../src/server/importers/types";

/** Every event a parser yields for `entry`; `siblings` are the other entries of the same upload, by name. */
export async function drainEntry(parser: Parser, entry: ImportEntry, siblings: Record<string, ImportEntry> = {}): Promise<ParseEvent[]> {
  const events: ParseEvent[] = [];
  for await (const event of parser.parse(entry, { sibling: (name) => (Object.hasOwn(siblings, name) ? siblings[name] : undefined) })) events.push(event);
  return events;
}

export type DrainOptions = { chunkBytes?: number; siblings?: Record<string, Uint8Array | string> };

/** Every event a parser yields for the bytes `data` named `name`, streamed in chunks of `chunkBytes`. */
export function drain(parser: Parser, name: string, data: Uint8Array | string, options: DrainOptions = {}): Promise<ParseEvent[]> {
  const siblings = Object.fromEntries(Object.entries(options.siblings ?? {}).map(([n, bytes]) => [n, bufferEntry(n, bytes)]));
  return drainEntry(parser, bufferEntry(name, data, options.chunkBytes), siblings);
}

/** The ImportFormatError the parser throws for this input (and fails the test when it throws nothing, or something else). */
export async function failureOf(parser: Parser, name: string, data: Uint8Array | string, options: DrainOptions = {}): Promise<ImportFormatError> {
  try {
    await drain(parser, name, data, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ImportFormatError);
    return error as ImportFormatError;
  }
  throw new Error("expected an ImportFormatError");
}

/** `parse` completes with events that pass `check`, or fails with ImportFormatError — nothing else. */
export async function completesOrRefuses(parse: () => Promise<ParseEvent[]>, check: (events: ParseEvent[]) => void = expectWellFormed): Promise<void> {
  try {
    check(await parse());
  } catch (error) {
    if (!(error instanceof ImportFormatError)) throw error;
  }
}

/** Completes with non-blank prompts at whole, non-negative positions, or fails with ImportFormatError — nothing else. */
export function parsesSafely(parser: Parser, entry: ImportEntry): Promise<void> {
  return completesOrRefuses(
    () => drainEntry(parser, entry),
    (events) => {
      for (const event of events) {
        if (event.kind !== "prompt") continue;
        expect(event.prompt.text.trim()).not.toBe("");
        expect(Number.isInteger(event.prompt.position) && event.prompt.position >= 0).toBe(true);
      }
    },
  );
}

/** What `detect` sees for these bytes. */
export function probe(name: string, data: Uint8Array | string, siblings: string[] = []): DetectProbe {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  return { name, size: bytes.length, head: bytes.subarray(0, 64 * 1024), siblings };
}

export const prompts = (events: ParseEvent[]): ExtractedPrompt[] => events.flatMap((e) => (e.kind === "prompt" ? [e.prompt] : []));
/** Skips in order, as [reason, count]. */
export const skips = (events: ParseEvent[]) => events.flatMap((e) => (e.kind === "skip" ? [[e.reason, e.count ?? 1] as const] : []));
/** Skips as { reason: count } (a reason given twice keeps its last count). */
export const skipCounts = (events: ParseEvent[]): Record<string, number> =>
  Object.fromEntries(events.flatMap((e) => (e.kind === "skip" ? [[e.reason, e.count ?? 1]] : [])));
export const conversations = (events: ParseEvent[]) => events.flatMap((e) => (e.kind === "conversation" ? [{ id: e.id, title: e.title }] : []));

/**
 * Every event well-formed: what any caller of a parser may rely on.
 * Positions run 0, 1, 2… within the conversation announced just before (`consecutive`, the default),
 * or only grow within it (`increasing`: generic lists keep gaps for skipped rows).
 */
export function expectWellFormed(events: ParseEvent[], options: { positions?: "consecutive" | "increasing" } = {}) {
  const consecutive = (options.positions ?? "consecutive") === "consecutive";
  const next = new Map<string | null, number>();
  let conversation: string | null | undefined;
  let last = -1;
  for (const event of events) {
    if (event.kind === "conversation") {
      expect(event.id === null || typeof event.id === "string").toBe(true);
      next.set(event.id, 0);
      conversation = event.id;
      last = -1;
    } else if (event.kind === "skip") {
      expect(event.reason.length).toBeGreaterThan(0);
      if (event.count !== undefined) expect(event.count).toBeGreaterThan(0);
    } else {
      const p = event.prompt;
      expect(p.conversationId).toBe(conversation);
      expect(typeof p.text).toBe("string");
      expect(p.text).not.toBe("");
      expect(p.text).toBe(cleanPromptText(p.text));
      expect(p.text.isWellFormed()).toBe(true);
      expect(p.conversationTitle === null || p.conversationTitle.isWellFormed()).toBe(true);
      expect(p.createdAt === null || (p.createdAt instanceof Date && !Number.isNaN(p.createdAt.getTime()))).toBe(true);
      expect(p.model === null || typeof p.model === "string").toBe(true);
      if (consecutive) {
        expect(next.get(p.conversationId)).toBe(p.position);
        next.set(p.conversationId, p.position + 1);
      } else {
        expect(p.position).toBeGreaterThan(last);
      }
      last = p.position;
      for (const a of p.attachments ?? []) expect(typeof a.name).toBe("string");
    }
  }
}

/** Replaces the `at`-th (mod count) value inside a JSON tree (not the root). */
export function replaceAt(root: unknown, at: number, value: unknown) {
  const slots: [Record<string, unknown> | unknown[], string | number][] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach((child, i) => (slots.push([node, i]), walk(child)));
    else if (node && typeof node === "object") for (const [k, child] of Object.entries(node)) slots.push([node as Record<string, unknown>, k]), walk(child);
  };
  walk(root);
  if (slots.length === 0) return;
  const [parent, key] = slots[at % slots.length]!;
  (parent as Record<string | number, unknown>)[key] = value;
}

// ——— byte mutations for fuzzing: mostly-valid input is where parsers break ———

/** Deletes (insert false) or inserts (insert true) one byte per edit, at `at` mod the length; returns a new Buffer. */
export function insertOrDeleteBytes(data: Uint8Array, edits: [at: number, value: number, insert: boolean][]): Buffer {
  let bytes = Buffer.from(data);
  for (const [at, value, insert] of edits) {
    const i = at % bytes.length;
    bytes = insert ? Buffer.concat([bytes.subarray(0, i), Buffer.from([value]), bytes.subarray(i)]) : Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + 1)]);
  }
  return bytes;
}

/** Per edit, at `at` mod the length: sets a byte, cuts everything from there on, or inserts a byte; returns a copy. */
export function setCutOrInsertBytes(data: Uint8Array, edits: { at: number; byte: number; kind: "set" | "cut" | "insert" }[]): Uint8Array {
  let bytes: Uint8Array = Uint8Array.from(data);
  for (const edit of edits) {
    const at = edit.at % Math.max(1, bytes.length);
    if (edit.kind === "set") bytes[at] = edit.byte;
    else if (edit.kind === "cut") bytes = bytes.subarray(0, at);
    else bytes = Uint8Array.from([...bytes.subarray(0, at), edit.byte, ...bytes.subarray(at)]);
  }
  return bytes;
}

/**
 * Flips (kind 0), deletes 1–16 (kind 1) or inserts (kind 2) bytes at `at` mod the length; with `halveOver`,
 * more than that many edits also cut the result to its first half (a truncation).
 */
export function mutateBytes(data: Uint8Array, edits: [at: number, kind: number, value: number][], options: { halveOver?: number } = {}): Uint8Array {
  let bytes = Array.from(data);
  for (const [at, kind, value] of edits) {
    const i = at % Math.max(1, bytes.length);
    if (kind === 0) bytes[i] = value;
    else if (kind === 1) bytes.splice(i, 1 + (value % 16));
    else bytes.splice(i, 0, value);
  }
  if (options.halveOver !== undefined && edits.length > options.halveOver) bytes = bytes.slice(0, Math.floor(bytes.length / 2));
  return Uint8Array.from(bytes);
}

/**
 * The importer's contract. Parsers are pure adapters: bytes in, extracted prompts out — no database, no
 * HTTP, no storage. The import service (src/server/services/imports/) owns every write.
 */
export const IMPORT_SOURCES = ["chatgpt", "claude", "gemini", "cline", "cursor", "generic"] as const;
export type ImportSource = (typeof IMPORT_SOURCES)[number];

/** One user-authored prompt found in an export. */
export type ExtractedPrompt = {
  text: string;
  /** Stable id of the conversation in its export (or a derived one when the format has none). */
  conversationId: string | null;
  conversationTitle: string | null;
  createdAt: Date | null;
  model: string | null;
  /** Order of this prompt within its conversation, from 0. */
  position: number;
  /** The message's id in the export, when the format has one (used for idempotent re-imports). */
  sourceMessageId: string | null;
  /** False for prompts on abandoned branches (an edited prompt's earlier text, a retried turn). */
  activeBranch?: boolean;
  /** Files that were attached to the message: noted, never imported. */
  attachments?: { name: string; kind?: string }[];
};

export type ParseEvent =
  /** A conversation (chat, task, composer…) was read; counted in the import summary. */
  | { kind: "conversation"; id: string | null; title: string | null }
  | { kind: "prompt"; prompt: ExtractedPrompt }
  /** Something user-like that is deliberately not imported, with a reason a person understands. */
  | { kind: "skip"; reason: string; count?: number };

/** One logical file a parser reads: a file on disk, an upload, or an entry inside a zip. */
export interface ImportEntry {
  /** File name, or the entry's path inside its zip (always `/`-separated, never `..`). */
  readonly name: string;
  /** Size in bytes (uncompressed). */
  readonly size: number;
  /** The first `n` bytes (fewer if the file is shorter). */
  head(n: number): Promise<Uint8Array>;
  /** The whole content as chunks, read lazily: memory stays bounded by the chunk size. */
  stream(): AsyncIterable<Uint8Array>;
  /**
   * The whole content in memory, for formats that cannot be streamed (SQLite). Refuses (ImportFormatError)
   * when the entry is larger than `maxBytes`.
   */
  bytes(maxBytes: number): Promise<Uint8Array>;
}

export type ParseContext = {
  /** Other entries next to this one (same folder of the same zip, or other files of the same upload). */
  sibling(name: string): ImportEntry | undefined;
  signal?: AbortSignal;
};

/** What `detect` sees: enough to recognise a format without reading the whole file. */
export type DetectProbe = {
  name: string;
  size: number;
  /** The first 64 KiB. */
  head: Uint8Array;
  /** Names of the other entries in the same container (zip) or upload; empty for a lone file. */
  siblings: readonly string[];
};

export interface Parser {
  /** Stable id, e.g. `chatgpt`, `cursor-vscdb`; the user can pick it to override detection. */
  readonly id: string;
  readonly source: ImportSource;
  /** What it reads, for people: "ChatGPT data export (conversations.json)". */
  readonly label: string;
  /** 0 = not mine, 1 = certainly mine. */
  detect(probe: DetectProbe): number;
  /** Yields events in file order; throws ImportFormatError (only) when the input is not what it should be. */
  parse(entry: ImportEntry, context: ParseContext): AsyncIterable<ParseEvent>;
  /**
   * Names of the files next to an entry that belong to it (read through `context.sibling`, or redundant with
   * it): a zip's plan does not list them as ignored files when this parser reads an entry in their folder.
   */
  readonly companions?: readonly string[];
}

/** The one error a parser or container throws on bad input; the message is written for a person. */
export class ImportFormatError extends Error {
  readonly offset?: number;
  readonly entry?: string;

  constructor(message: string, details: { offset?: number; entry?: string } = {}) {
    super(message);
    this.name = "ImportFormatError";
    this.offset = details.offset;
    this.entry = details.entry;
  }
}

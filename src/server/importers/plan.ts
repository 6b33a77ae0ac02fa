import path from "node:path";
import { fileEntry } from "./core/entries";
import { DEFAULT_ZIP_LIMITS, isZip, openZip, type ZipLimits } from "./core/zip";
import { ImportFormatError, type DetectProbe, type ImportEntry, type ParseContext, type Parser } from "./types";

/**
 * Turns an uploaded file into the list of (entry, parser) pairs to read: the file itself, or the entries of
 * a zip. Detection runs on the name, the first 64 KiB and the names next to it; the person can override the
 * guess with a parser id.
 */
export type PlannedEntry = { entry: ImportEntry; parser: Parser; confidence: number; context: ParseContext };
export type ImportPlan = {
  entries: PlannedEntry[];
  ignored: { name: string; reason: string }[];
  close(): Promise<void>;
};

export const HEAD_BYTES = 64 * 1024;
/** Below this, a guess is not trusted. */
const MIN_CONFIDENCE = 0.1;

// Inside a zip, only these can hold chats; everything else (images, audio, PDFs…) is skipped unread.
const READABLE = /\.(json|jsonl|ndjson|md|markdown|txt|html?|csv|tsv|vscdb|db|sqlite3?)$/i;

export type PlanOptions = {
  parsers: readonly Parser[];
  /** A parser id chosen by the person, used instead of detection. */
  override?: string;
  zipLimits?: ZipLimits;
  /**
   * The other files of the same upload in this file's folder (a dropped Cline task folder arrives as separate
   * files), named by their base names: seen by detection and readable through `context.sibling`, as in a zip.
   */
  siblings?: readonly ImportEntry[];
};

export function describeAccepted(parsers: readonly Parser[]): string {
  return parsers.map((p) => p.label).join("; ");
}

function safeDetect(parser: Parser, probe: DetectProbe): number {
  try {
    return parser.detect(probe);
  } catch {
    return 0; // a detector must never take an import down
  }
}

export function bestParser(parsers: readonly Parser[], probe: DetectProbe): { parser: Parser; confidence: number } | undefined {
  let best: { parser: Parser; confidence: number } | undefined;
  for (const parser of parsers) {
    const confidence = safeDetect(parser, probe);
    if (confidence >= MIN_CONFIDENCE && (!best || confidence > best.confidence)) best = { parser, confidence };
  }
  return best;
}

/** The file names some parser reads along with an entry of its folder (see Parser.companions). */
export function companionNames(parsers: readonly Parser[]): Set<string> {
  return new Set(parsers.flatMap((parser) => parser.companions ?? []));
}

/**
 * For a file uploaded next to `siblings` (other files of its folder, by base name): the name of the sibling
 * whose parser reads this file along with it (see Parser.companions), if any. Such a file is not imported on
 * its own: a Cline task's task_metadata.json belongs to its ui_messages.json.
 */
export async function companionOf(fileName: string, siblings: readonly ImportEntry[], parsers: readonly Parser[]): Promise<string | undefined> {
  const base = path.posix.basename(fileName);
  if (!companionNames(parsers).has(base)) return undefined;
  for (const sibling of siblings) {
    const names = [base, ...siblings.filter((s) => s !== sibling).map((s) => s.name)];
    const head = sibling.size === 0 ? new Uint8Array() : await sibling.head(HEAD_BYTES);
    const detected = bestParser(parsers, { name: sibling.name, size: sibling.size, head, siblings: names });
    if (detected?.parser.companions?.includes(base)) return sibling.name;
  }
  return undefined;
}

export async function planFile(filePath: string, fileName: string, options: PlanOptions): Promise<ImportPlan> {
  const file = await fileEntry(filePath, fileName);
  if (file.size === 0) throw new ImportFormatError(`${fileName}: the file is empty.`, { entry: fileName, offset: 0 });
  const head = await file.head(HEAD_BYTES);
  const override = options.override ? options.parsers.find((p) => p.id === options.override) : undefined;
  if (options.override && !override) throw new ImportFormatError(`Unknown format "${options.override}".`);

  if (!isZip(head)) {
    const siblings = new Map((options.siblings ?? []).map((entry) => [entry.name, entry]));
    const probe = { name: fileName, size: file.size, head, siblings: [...siblings.keys()] };
    const chosen = override ? { parser: override, confidence: 1 } : bestParser(options.parsers, probe);
    if (!chosen) throw unrecognised(fileName, options.parsers);
    return { entries: [{ entry: file, ...chosen, context: { sibling: (name) => siblings.get(name) } }], ignored: [], close: async () => {} };
  }

  const zip = await openZip(filePath, fileName, options.zipLimits ?? DEFAULT_ZIP_LIMITS);
  try {
    const byName = new Map(zip.entries.map((e) => [e.name, e]));
    const planned: PlannedEntry[] = [];
    const candidates: { entry: ImportEntry; probe: DetectProbe; detected: { parser: Parser; confidence: number } }[] = [];
    const ignored = [...zip.ignored];
    for (const entry of zip.entries) {
      // AI Studio saves chats to Drive without an extension: those are looked at too.
      if (!READABLE.test(entry.name) && path.posix.extname(entry.name) !== "") {
        ignored.push({ name: entry.name, reason: "not a chat file" });
        continue;
      }
      const dir = path.posix.dirname(entry.name);
      const siblings = zip.entries.filter((e) => e !== entry && path.posix.dirname(e.name) === dir).map((e) => path.posix.basename(e.name));
      const probe = { name: entry.name, size: entry.size, head: entry.size === 0 ? new Uint8Array() : await entry.head(HEAD_BYTES), siblings };
      const detected = bestParser(options.parsers, probe);
      if (!detected) {
        ignored.push({ name: entry.name, reason: "not a recognised chat export" });
        continue;
      }
      candidates.push({ entry, probe, detected });
    }
    // An override applies to the entries the chosen parser itself recognises at all; when it recognises
    // none, to every entry that looked like a chat export.
    const overridden = override ? candidates.filter((c) => safeDetect(override, c.probe) > 0) : [];
    for (const { entry, detected } of candidates) {
      const chosen = override ? (overridden.length === 0 || overridden.some((c) => c.entry === entry) ? { parser: override, confidence: 1 } : undefined) : detected;
      if (!chosen) {
        ignored.push({ name: entry.name, reason: `not a ${override!.label} file` });
        continue;
      }
      const dir = path.posix.dirname(entry.name);
      const context: ParseContext = { sibling: (name) => byName.get(dir === "." ? name : `${dir}/${name}`) };
      planned.push({ entry, ...chosen, context });
    }
    if (planned.length === 0) throw unrecognised(fileName, options.parsers, true);
    // A task folder's other files (Cline's metadata next to its messages) are part of the entry read there.
    const belongs = new Set(planned.flatMap(({ entry, parser }) => (parser.companions ?? []).map((name) => path.posix.join(path.posix.dirname(entry.name), name))));
    return { entries: planned, ignored: ignored.filter((i) => !belongs.has(i.name)), close: zip.close };
  } catch (error) {
    await zip.close();
    throw error;
  }
}

function unrecognised(fileName: string, parsers: readonly Parser[], zip = false): ImportFormatError {
  return new ImportFormatError(
    `${fileName}: ${zip ? "nothing in this zip looks" : "this file does not look"} like a chat export PromptVault can read. Accepted: ${describeAccepted(parsers)}.`,
    { entry: fileName },
  );
}

import Papa from "papaparse";
import { ImportFormatError } from "../types";

/**
 * CSV records from text already in memory (RFC 4180: quoted fields, `""` for a quote, line breaks inside
 * quotes). Papa Parse's low-level parser does the quoting; this module feeds it slices of the text the way
 * Papa's own streamers do (parse, keep the unfinished last record, prepend it to the next slice), so only the
 * records of one slice are alive at a time and the caller can yield between slices.
 *
 * Line endings are normalised to `\n` per slice (a `\r` never ends a slice, so `\r\n` is never cut in two).
 * That also rewrites line breaks inside quoted fields, which is what cleanPromptText would do anyway.
 */
export type CsvRecord = { fields: string[]; line: number };

export type CsvOptions = {
  /** Name used in error messages. */
  entry: string;
  delimiter: string;
  /** Characters handed to the parser at a time (grows when one record is larger). */
  sliceChars?: number;
};

const DEFAULT_SLICE = 1 << 20;

export function* iterateCsvRecords(text: string, options: CsvOptions): Generator<CsvRecord> {
  const parser = new Papa.Parser({ delimiter: options.delimiter, newline: "\n", quoteChar: '"' });
  let slice = options.sliceChars ?? DEFAULT_SLICE;
  let at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let pending = "";
  let line = 1; // line on which `pending` starts

  while (at < text.length || pending !== "") {
    let end = Math.min(text.length, at + slice);
    if (end < text.length && text.charCodeAt(end - 1) === 0x0d) end++;
    const last = end >= text.length;
    const input = pending + text.slice(at, end).replace(/\r\n?/g, "\n");
    at = end;

    const result = parser.parse(input, 0, !last) as PapaResult;
    const missing = result.errors.find((e) => e.code === "MissingQuotes");
    if (missing) {
      const where = line + countNewlines(input, 0, Math.max(0, (missing.index ?? 1) - 1));
      throw new ImportFormatError(`${options.entry}: a quoted field that starts on line ${where} is never closed (a missing " character).`, {
        entry: options.entry,
      });
    }
    let completed = 0;
    for (const fields of result.data) {
      yield { fields, line };
      // Papa does not say where each record ends: advance past it by counting its line breaks.
      const breaks = fields.reduce((sum, field) => sum + countNewlines(field, 0, field.length), 0);
      line += breaks + 1;
      completed++;
    }
    const consumed = last ? input.length : result.meta.cursor;
    pending = input.slice(consumed);
    // A record longer than the slice: read more at once next time instead of re-parsing many small steps.
    if (!last && completed === 0) slice *= 2;
    if (last) break;
  }
}

type PapaResult = {
  data: string[][];
  errors: { code: string; index?: number }[];
  meta: { cursor: number };
};

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf("\n", from); i !== -1 && i < to; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

const CANDIDATES = [",", "\t", ";"] as const;

/**
 * The delimiter of a CSV from its header line: the most frequent of `,` tab `;` outside quotes (ties in that
 * order; `.tsv` files start from tab). A header without any of them is a one-column file: then the delimiter
 * is NUL, which no text contains, so commas inside unquoted prompts stay part of the prompt.
 */
export function sniffDelimiter(text: string, fileName: string): string {
  const counts = new Map<string, number>(CANDIDATES.map((c) => [c, 0]));
  let inQuotes = false;
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let i = start; i < text.length && i < start + 65536; i++) {
    const c = text[i]!;
    if (c === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (c === "\n" || c === "\r")) break;
    else if (!inQuotes && counts.has(c)) counts.set(c, counts.get(c)! + 1);
  }
  const preferred = /\.tsv$/i.test(fileName) ? ["\t", ",", ";"] : [...CANDIDATES];
  let best = "";
  let bestCount = 0;
  for (const c of preferred) {
    const n = counts.get(c)!;
    if (n > bestCount) {
      best = c;
      bestCount = n;
    }
  }
  return bestCount > 0 ? best : "\u0000";
}

/** The header row's cells (for detection: the first line of the head, quotes removed). */
export function headerCells(text: string, delimiter: string): string[] {
  const parser = new Papa.Parser({ delimiter, newline: "\n", quoteChar: '"' });
  const firstLine = text.replace(/^\ufeff/, "").replace(/\r\n?/g, "\n");
  const result = parser.parse(firstLine.slice(0, 65536), 0, false) as PapaResult;
  return (result.data[0] ?? []).map((cell) => cell.trim());
}

import { headerCells, iterateCsvRecords, sniffDelimiter } from "../core/csv";
import { cleanPromptText, headText, readText } from "../core/text";
import { ImportFormatError, type DetectProbe, type ExtractedPrompt, type ImportEntry, type ParseEvent, type Parser } from "../types";
import { countSkip, hasVendorSiblings, wellFormed } from "./generic-items";

/**
 * A CSV of prompts with a header row (formats README §6), e.g. awesome-chatgpt-prompts' `prompts.csv`
 * (`act,prompt,for_devs,type,contributor`). The prompt column is `prompt`, else the first of `text`,
 * `content`, `question`, `input`, `message` (case-insensitive, in that order of preference); the title column
 * is `act`, else `title`, else `name`. Other columns are ignored. `${Var:Default}` placeholders are kept as
 * written: they are the prompt's template variables.
 *
 * Delimiter: `,`, tab or `;`, sniffed from the header line (core/csv.ts). Quoting follows RFC 4180.
 * One conversation per file: conversationId is the file name (the entry's path), title null; each prompt's
 * conversationTitle is its row's title cell; position is the data row's index (0 = the row after the header),
 * so a skipped empty row leaves a gap and every other row keeps its position. Blank lines are not rows.
 *
 * The text is read whole, up to 256 MB, then parsed slice by slice (only one slice's rows are alive).
 */
export const genericCsvParser: Parser = {
  id: "generic-csv",
  source: "generic",
  label: "CSV of prompts with a header row (prompt / text / content column)",
  detect: detectGenericCsv,
  parse: parseGenericCsv,
};

const MAX_TEXT_BYTES = 256 * 1024 * 1024;
const CSV_NAME = /\.(csv|tsv)$/i;
export const PROMPT_COLUMNS = ["prompt", "text", "content", "question", "input", "message"] as const;
const TITLE_COLUMNS = ["act", "title", "name"] as const;

function detectGenericCsv(probe: DetectProbe): number {
  try {
    if (!CSV_NAME.test(probe.name) || hasVendorSiblings(probe.siblings)) return 0;
    const text = headText(probe.head);
    const cells = headerCells(text, sniffDelimiter(text, probe.name));
    return pickColumn(cells, PROMPT_COLUMNS) === -1 ? 0.1 : 0.3;
  } catch {
    return 0;
  }
}

function pickColumn(header: readonly string[], names: readonly string[]): number {
  const normalised = header.map((h) => h.trim().toLowerCase());
  for (const name of names) {
    const index = normalised.indexOf(name);
    if (index !== -1) return index;
  }
  return -1;
}

async function* parseGenericCsv(entry: ImportEntry): AsyncGenerator<ParseEvent> {
  const text = await readText(entry, MAX_TEXT_BYTES);
  if (!/\S/.test(text)) throw new ImportFormatError(`${entry.name}: the file is empty.`, { entry: entry.name, offset: 0 });
  const delimiter = sniffDelimiter(text, entry.name);
  const conversationId = entry.name;
  const skips = new Map<string, number>();

  let header: string[] | null = null;
  let promptColumn = -1;
  let titleColumn = -1;
  let row = 0;
  for (const record of iterateCsvRecords(text, { entry: entry.name, delimiter })) {
    const { fields } = record;
    if (fields.length === 1 && fields[0]!.trim() === "") continue; // a blank line
    if (header === null) {
      header = fields.map((f) => f.trim());
      promptColumn = pickColumn(header, PROMPT_COLUMNS);
      titleColumn = pickColumn(header, TITLE_COLUMNS);
      if (promptColumn === -1) throw noPromptColumn(entry.name, header);
      yield { kind: "conversation", id: conversationId, title: null };
      continue;
    }
    const position = row++;
    const promptText = wellFormed(cleanPromptText(fields[promptColumn] ?? ""));
    if (promptText === "") {
      countSkip(skips, "empty row");
      continue;
    }
    const title = titleColumn === -1 ? "" : wellFormed((fields[titleColumn] ?? "").trim());
    const prompt: ExtractedPrompt = {
      text: promptText,
      conversationId,
      conversationTitle: title === "" ? null : title,
      createdAt: null,
      model: null,
      position,
      sourceMessageId: null,
    };
    yield { kind: "prompt", prompt };
  }
  if (header === null) throw new ImportFormatError(`${entry.name}: the file is empty.`, { entry: entry.name, offset: 0 });
  for (const [reason, count] of skips) yield { kind: "skip", reason, count };
}

function noPromptColumn(name: string, header: readonly string[]): ImportFormatError {
  const shown = header.slice(0, 20).map((h) => `"${h.slice(0, 40)}"`);
  const found = shown.length === 0 ? "no columns" : `the columns ${shown.join(", ")}${header.length > 20 ? ", …" : ""}`;
  return new ImportFormatError(
    `${name}: no prompt column in the header row (found ${found}); name the column with the prompts one of: ${PROMPT_COLUMNS.join(", ")}.`,
    { entry: name },
  );
}

import { chatGptParser } from "./parsers/chatgpt";
import { claudeParser } from "./parsers/claude";
import { clineMarkdownParser } from "./parsers/cline-markdown";
import { clineTaskParser } from "./parsers/cline-task";
import { cursorMarkdownParser } from "./parsers/cursor-markdown";
import { cursorVscdbParser } from "./parsers/cursor-vscdb";
import { geminiAiStudioParser } from "./parsers/gemini-aistudio";
import { geminiTakeoutParser } from "./parsers/gemini-takeout";
import { genericCsvParser } from "./parsers/generic-csv";
import { genericJsonParser } from "./parsers/generic-json";
import { genericJsonlParser } from "./parsers/generic-jsonl";
import { genericTextParser } from "./parsers/generic-text";
import type { Parser } from "./types";

/**
 * Every parser the importer knows. Detection picks the highest confidence (vendor parsers answer 0.8–1 for
 * their own shapes; the generic ones are low-confidence fallbacks by extension), and the person can
 * override it by id. Adding a source = one module in parsers/ plus one line here.
 */
export const PARSERS: readonly Parser[] = [
  chatGptParser,
  claudeParser,
  geminiTakeoutParser,
  geminiAiStudioParser,
  clineTaskParser,
  clineMarkdownParser,
  cursorVscdbParser,
  cursorMarkdownParser,
  genericCsvParser,
  genericJsonParser,
  genericJsonlParser,
  genericTextParser,
];

export function parserById(id: string): Parser | undefined {
  return PARSERS.find((p) => p.id === id);
}

/**
 * Generic inputs (formats README §6): prompt lists a person made or exported from another tool. Each parser
 * is a fallback chosen by file extension with low confidence (at most 0.3), so any vendor parser that
 * recognises a file wins. This module only gathers them for the registry.
 */
export { genericCsvParser } from "./generic-csv";
export { genericJsonParser } from "./generic-json";
export { genericJsonlParser } from "./generic-jsonl";
export { genericTextParser } from "./generic-text";

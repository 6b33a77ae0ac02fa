/** Small checks on parsed JSON values and names, shared by the parsers. */

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A non-blank string, or a finite number as a string (ids are written either way); otherwise null. */
export function nonEmptyString(value: unknown): string | null {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return typeof value === "string" && value.trim() !== "" ? value : null;
}

/** JSON may carry lone surrogates ("\ud83d" alone); they would not survive UTF-8 storage unchanged. */
export function wellFormed(text: string): string {
  return text.isWellFormed() ? text : text.toWellFormed();
}

/** The last segment of a path inside a zip or folder ("a/b/c.json" → "c.json"). */
export function baseName(name: string): string {
  return name.slice(name.lastIndexOf("/") + 1);
}

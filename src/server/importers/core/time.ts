/**
 * Timestamps in exports come as float Unix seconds (ChatGPT), ms epoch (Cline, Cursor), ISO 8601 strings
 * (Claude, Takeout) or null. Anything unreadable or absurd becomes null rather than a wrong date.
 */
const MIN = Date.UTC(2000, 0, 1);
const MAX = Date.UTC(2100, 0, 1);

export function toDate(value: unknown): Date | null {
  let ms: number | undefined;
  if (typeof value === "number" && Number.isFinite(value)) {
    // Seconds until ~2286 are < 1e10; milliseconds are larger.
    ms = Math.abs(value) < 1e11 ? value * 1000 : value;
  } else if (typeof value === "string" && value.trim() !== "") {
    const trimmed = value.trim();
    if (/^-?\d+(\.\d+)?$/.test(trimmed)) return toDate(Number(trimmed));
    ms = Date.parse(trimmed);
  } else if (value instanceof Date) {
    ms = value.getTime();
  }
  if (ms === undefined || !Number.isFinite(ms) || ms < MIN || ms > MAX) return null;
  return new Date(ms);
}

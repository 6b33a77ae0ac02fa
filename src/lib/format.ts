const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

/** "3 hours ago", "yesterday"… for dates given as ISO strings or Dates. */
export function timeAgo(value: string | Date, now = Date.now()): string {
  const seconds = (new Date(value).getTime() - now) / 1000;
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return rtf.format(Math.round(seconds / size), unit);
  }
  return "just now";
}

export function formatDateTime(value: string | Date): string {
  return new Date(value).toLocaleString("en", { dateStyle: "medium", timeStyle: "short" });
}

export const SOURCE_LABELS: Record<string, string> = {
  manual: "Manual",
  chatgpt: "ChatGPT",
  claude: "Claude",
  gemini: "Gemini",
  cline: "Cline",
  cursor: "Cursor",
  generic: "File import",
  api: "API",
  share: "Shared link",
  starter: "Starter",
};

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

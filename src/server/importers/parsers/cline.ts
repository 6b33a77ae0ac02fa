import { cleanPromptText } from "../core/text";
import { toDate } from "../core/time";

/**
 * What Cline (and its forks Roo Code, Kilo Code, IBM Bob) writes around a person's words in the model-facing
 * history — api_conversation_history.json and the "Export task" markdown made from it (formats README §4).
 * The parsers live in cline-task.ts and cline-markdown.ts; this module is the text knowledge they share.
 *
 * A user turn there is mostly machinery: the first one wraps the prompt in `<task>…</task>` and appends
 * `<environment_details>` (open tabs, file list, the current time); later ones carry tool results
 * (`[read_file for 'x'] Result:`, `[Tool]`), error nudges and resumption notices. The person's own words
 * only appear inside `<task>`, `<feedback>` (a denied tool or a completion rejected with a comment),
 * `<answer>` (a reply to a follow-up question) and `<user_message>` (a message sent on resuming a task) —
 * the tags Cline's `formatResponse` uses.
 */

export type ClineUserTurn = {
  /** The person's words, in order (cleaned, never empty). */
  prompts: string[];
  /** Why there is no prompt, when there is none. */
  reason: "tool result" | "automated message" | "empty message" | null;
  /** Whether the turn had a prompt wrapper at all (an empty `<feedback>` is an empty message, not a tool result). */
  tagged: boolean;
  /** From `<environment_details>`: when the turn was sent. */
  time: Date | null;
  /** From `<environment_details>` (Roo Code writes the model in its "Current Mode" section). */
  model: string | null;
};

const ENVIRONMENT = /<environment_details>[\s\S]*?(?:<\/environment_details>|$)/g;
const TASK = /<task>\n?([\s\S]*?)\n?<\/task>/;
// The reply tags start a line in everything Cline writes; requiring that keeps a tag quoted mid-sentence
// (or inside a file a tool read) from passing for the person's words.
const REPLY = /(?:^|\n)[ \t]*<(feedback|answer|user_message)>\n?([\s\S]*?)\n?<\/\1>/g;
const TOOL_RESULT = /^\s*(?:\[[^\]\n]+\] Result:|\[Tool(?: \(Error\))?\])/;
// Text Cline itself writes into a user turn: tool results, error nudges, resumption and truncation notices.
const MACHINE_TEXT = /^\s*\[(?:[^\]\n]+\] Result:|Tool\b|ERROR\]|TASK RESUMPTION\]|NOTE\])/;
const IMAGE_PLACEHOLDER = /^\[Image\]$/gm;

export function readClineUserText(text: string, firstTurn: boolean): ClineUserTurn {
  const environment = /<environment_details>([\s\S]*?)(?:<\/environment_details>|$)/.exec(text)?.[1] ?? "";
  const time = environmentTime(environment);
  const model = /<model>\s*([^<\n]+?)\s*<\/model>/.exec(environment)?.[1] ?? null;
  let rest = text.replace(ENVIRONMENT, "");

  const found: string[] = [];
  let tagged = false;
  if (firstTurn) {
    const task = TASK.exec(rest);
    if (task) {
      tagged = true;
      found.push(task[1]!);
      rest = rest.slice(0, task.index) + rest.slice(task.index + task[0].length);
    }
  }
  for (const reply of rest.matchAll(REPLY)) {
    tagged = true;
    found.push(reply[2]!);
  }
  // A fork that sends the first prompt without the <task> wrapper: the prompt is what is left.
  if (!tagged && firstTurn && !MACHINE_TEXT.test(rest)) found.push(rest.replace(IMAGE_PLACEHOLDER, ""));

  const prompts = found.map(cleanPromptText).filter((p) => p !== "");
  let reason: ClineUserTurn["reason"] = null;
  if (prompts.length === 0) {
    if (tagged || cleanPromptText(rest.replace(IMAGE_PLACEHOLDER, "")) === "") reason = "empty message";
    else reason = TOOL_RESULT.test(rest) ? "tool result" : "automated message";
  }
  return { prompts, reason, tagged, time, model };
}

/** `[Image]` lines: how the markdown export renders an image block. */
export function countImagePlaceholders(text: string): number {
  return text.match(IMAGE_PLACEHOLDER)?.length ?? 0;
}

/**
 * Cline writes the time in one of two ways: an explicit UTC line (2025 on), or an en-US local time with its
 * UTC offset (`1/5/2025, 3:07:09 PM (America/New_York, UTC-5:00)`). Other locales' renderings are not
 * guessed at: the prompt then has no date.
 */
function environmentTime(environment: string): Date | null {
  const iso = /Current time in ISO 8601 UTC format:\s*(\S+)/.exec(environment);
  if (iso) return toDate(iso[1]);
  const local = /^(\d{1,2})\/(\d{1,2})\/(\d{4}),\s*(\d{1,2}):(\d{2}):(\d{2})\s*([AP]M)\s*\([^()\n]*?UTC([+-])(\d{1,2}):(\d{2})\)/m.exec(environment);
  if (!local) return null;
  const [, month, day, year, hour, minute, second, half, sign, offsetHours, offsetMinutes] = local.map(String);
  const hour24 = (Number(hour) % 12) + (half === "PM" ? 12 : 0);
  const offset = (sign === "-" ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes));
  return toDate(Date.UTC(Number(year), Number(month) - 1, Number(day), hour24, Number(minute), Number(second)) - offset * 60_000);
}

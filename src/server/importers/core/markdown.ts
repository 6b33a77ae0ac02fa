/**
 * Transcript-style markdown: Cursor "Export Chat", SpecStory histories and Cline-family "Export task" files are
 * a list of turns, each opened by a bold role line and closed by a `---` separator. Bodies are free markdown —
 * code, pasted logs, quoted transcripts — so two rules keep the split honest:
 *
 * - a role line or `---` inside a fenced code block is content, never structure (fences follow CommonMark:
 *   up to 3 spaces of indent, ``` or ~~~, closed by the same character at least as long, with no info string);
 * - a role line only opens a turn when it is the first one, or when the previous non-blank line is `---`.
 *
 * An unterminated fence (a pasted snippet that lost its closing ```) would otherwise swallow every later turn,
 * so a fence with no closing line anywhere after it is treated as plain text.
 */

export type TranscriptTurn<Role extends string> = {
  role: Role;
  /** The role line as written (SpecStory puts timestamps and models in it). */
  header: string;
  /** The body with its surrounding blank lines and closing `---` separator(s) removed. */
  body: string;
};

export type Transcript<Role extends string> = {
  /** Lines before the first turn (title, header comments, "Exported on …"). */
  preamble: string[];
  turns: TranscriptTurn<Role>[];
};

const SEPARATOR = /^ {0,3}-{3,}[ \t]*$/;
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;

export function splitLines(text: string): string[] {
  return text.replace(/\r\n?/g, "\n").split("\n");
}

/** For each line: is it part of a fenced code block (delimiters included)? */
export function fencedLines(lines: readonly string[]): boolean[] {
  const n = lines.length;
  // Longest closing fence at or after each line, per fence character: tells in O(1) whether an opener is
  // ever closed, which keeps the scan linear even on adversarial input.
  const longestBacktickCloser = new Int32Array(n + 1);
  const longestTildeCloser = new Int32Array(n + 1);
  for (let i = n - 1; i >= 0; i--) {
    longestBacktickCloser[i] = longestBacktickCloser[i + 1]!;
    longestTildeCloser[i] = longestTildeCloser[i + 1]!;
    const close = FENCE_CLOSE.exec(lines[i]!);
    if (!close) continue;
    const fence = close[1]!;
    if (fence[0] === "`") longestBacktickCloser[i] = Math.max(longestBacktickCloser[i]!, fence.length);
    else longestTildeCloser[i] = Math.max(longestTildeCloser[i]!, fence.length);
  }

  const fenced = new Array<boolean>(n).fill(false);
  let i = 0;
  while (i < n) {
    const open = FENCE_OPEN.exec(lines[i]!);
    const fence = open?.[1];
    // A backtick fence's info string may not contain backticks (``` `x` ``` is inline code, not a fence).
    if (!open || !fence || (fence[0] === "`" && open[2]!.includes("`"))) {
      i++;
      continue;
    }
    const longest = fence[0] === "`" ? longestBacktickCloser : longestTildeCloser;
    if (longest[i + 1]! < fence.length) {
      i++; // never closed: plain text
      continue;
    }
    fenced[i] = true;
    let j = i + 1;
    for (; j < n; j++) {
      fenced[j] = true;
      const close = FENCE_CLOSE.exec(lines[j]!);
      if (close && close[1]![0] === fence[0] && close[1]!.length >= fence.length) break;
    }
    i = j + 1;
  }
  return fenced;
}

export function isSeparator(line: string): boolean {
  return SEPARATOR.test(line);
}

/**
 * Splits a transcript into turns. `roleOf` recognises a role line (it sees the raw line) and returns its role,
 * or null for any other line.
 */
export function splitTranscript<Role extends string>(text: string, roleOf: (line: string) => Role | null): Transcript<Role> {
  const lines = splitLines(text);
  const fenced = fencedLines(lines);
  const preamble: string[] = [];
  const turns: TranscriptTurn<Role>[] = [];
  let current: { role: Role; header: string; from: number } | undefined;
  let lastContent = -1; // index of the previous non-blank line

  const close = (end: number) => {
    if (current) turns.push({ role: current.role, header: current.header, body: trimBody(lines, fenced, current.from, end) });
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!fenced[i]) {
      const role = roleOf(line);
      const afterSeparator = lastContent >= 0 && !fenced[lastContent] && SEPARATOR.test(lines[lastContent]!);
      if (role !== null && (!current || afterSeparator)) {
        if (current) close(i);
        else preamble.push(...lines.slice(0, i));
        current = { role, header: line, from: i + 1 };
        lastContent = i;
        continue;
      }
    }
    if (line.trim() !== "") lastContent = i;
  }
  if (current) close(lines.length);
  else preamble.push(...lines);
  return { preamble, turns };
}

/** Drops leading/trailing blank lines and the trailing `---` separators that end every exported turn. */
function trimBody(lines: readonly string[], fenced: readonly boolean[], from: number, to: number): string {
  let end = to;
  while (end > from) {
    const line = lines[end - 1]!;
    if (line.trim() === "" || (!fenced[end - 1] && SEPARATOR.test(line))) end--;
    else break;
  }
  let start = from;
  while (start < end && lines[start]!.trim() === "") start++;
  return lines.slice(start, end).join("\n");
}

/** A conversation title from a prompt: its first non-blank line, whitespace collapsed, at most `max` characters. */
export function titleFromText(text: string, max = 80): string | null {
  const first = /\S[^\n]*/.exec(text)?.[0];
  if (!first) return null;
  const head = first.slice(0, max * 4);
  const chars = Array.from(head.replace(/\s+/g, " ").trim());
  if (chars.length <= max && head.length === first.length) return chars.join("");
  // Cut on a code-point boundary so an emoji is never halved.
  return `${chars.slice(0, max - 1).join("").trimEnd()}…`;
}

import { splitTranscript, titleFromText } from "../core/markdown";
import { cleanPromptText, headText, readText } from "../core/text";
import { ImportFormatError, type DetectProbe, type ExtractedPrompt, type ImportEntry, type ParseEvent, type Parser } from "../types";
import { hasSpecStoryTurns, looksLikeSpecStory, readSpecStory } from "./specstory";

/**
 * Cursor chats saved as markdown (formats README §5b–c): Cursor's own "Export Chat" file, and SpecStory's
 * `.specstory/history/*.md` (read by specstory.ts). Both are transcripts split with core/markdown.ts, so a
 * role line or `---` inside a code block never splits a turn.
 *
 * Export Chat: `# <title>`, `_Exported on <date> at <time> <TZ> from Cursor (<version>)_`, then `**User**` /
 * `**Cursor**` turns. conversationId is the file name without its folder (the file has no id). createdAt is
 * null: the only date is when the file was exported — after every prompt in it — and it is written in the
 * exporter's locale (`7/8/2025` and `28/9/2026` both occur), so it would be a wrong date, not an approximate one.
 * Files are read whole, up to 256 MB.
 */
export const cursorMarkdownParser: Parser = {
  id: "cursor-markdown",
  source: "cursor",
  label: "Cursor chat as markdown (Cursor \"Export Chat\", SpecStory .specstory/history)",
  detect: detectCursorMarkdown,
  parse: parseCursorMarkdown,
};

/** One markdown chat, read: what both flavours hand back to be emitted. */
export type ChatTranscript = {
  id: string;
  title: string | null;
  prompts: Pick<ExtractedPrompt, "text" | "createdAt" | "model" | "sourceMessageId">[];
  skips: Map<string, number>;
  /** Turns of any role found: 0 means the file is not a transcript at all. */
  turns: number;
};

const MAX_TEXT_BYTES = 256 * 1024 * 1024;
const EXPORT_LINE = /^_Exported on [^\n]*\bfrom Cursor\b[^\n]*_[ \t]*$/m;
const EXPORT_ROLES: Record<string, "user" | "assistant"> = { "**User**": "user", "**Cursor**": "assistant", "**Assistant**": "assistant" };

function exportRoleOf(line: string): "user" | "assistant" | null {
  return EXPORT_ROLES[line.trimEnd()] ?? null;
}

function detectCursorMarkdown(probe: DetectProbe): number {
  try {
    const name = (probe.name.split("/").pop() ?? probe.name).toLowerCase();
    // SpecStory's own files next to the history: not chats.
    if (name === ".what-is-this.md" || /\.(?:json|jsonl|csv|html?|vscdb)$/i.test(name)) return 0;
    const head = headText(probe.head);
    const top = head.slice(0, 4096);
    const exportRoles = /^\*\*(?:User|Cursor)\*\*[ \t]*$/m.test(head);
    if (EXPORT_LINE.test(top)) return exportRoles ? 0.95 : 0.85;
    if (looksLikeSpecStory(top)) return 0.95;
    const specTurns = hasSpecStoryTurns(head);
    if (/(?:^|\/)\.specstory\/history\/[^/]+\.(?:md|markdown)$/i.test(probe.name)) return specTurns ? 0.95 : 0.8;
    if (specTurns) return 0.7;
    // An Export Chat whose header lines were cut off.
    if (exportRoles && /^\*\*Cursor\*\*[ \t]*$/m.test(head)) return 0.6;
    return 0;
  } catch {
    return 0;
  }
}

async function* parseCursorMarkdown(entry: ImportEntry): AsyncGenerator<ParseEvent> {
  const text = await readText(entry, MAX_TEXT_BYTES);
  const fileName = entry.name.split("/").pop() ?? entry.name;
  const top = text.slice(0, 4096);
  // The header decides; without one, SpecStory's `_**User**_` markers are the more specific sign.
  const specStoryFirst = !EXPORT_LINE.test(top) && (looksLikeSpecStory(top) || hasSpecStoryTurns(text));
  const readers = specStoryFirst ? [readSpecStory, readExportChat] : [readExportChat, readSpecStory];
  let chat = readers[0]!(text, fileName);
  if (chat.turns === 0) chat = readers[1]!(text, fileName);
  if (chat.turns === 0) {
    throw new ImportFormatError(`${entry.name}: no chat turns found (no "**User**" / "**Cursor**" or "_**User**_" lines); is this a Cursor or SpecStory chat export?`, {
      entry: entry.name,
    });
  }

  yield { kind: "conversation", id: chat.id, title: chat.title };
  for (const [position, prompt] of chat.prompts.entries()) {
    yield { kind: "prompt", prompt: { ...prompt, conversationId: chat.id, conversationTitle: chat.title, position } };
  }
  for (const [reason, count] of chat.skips) yield { kind: "skip", reason, count };
}

function readExportChat(text: string, fileName: string): ChatTranscript {
  const { preamble, turns } = splitTranscript(text, exportRoleOf);
  const skips = new Map<string, number>();
  const prompts: ChatTranscript["prompts"] = [];
  for (const turn of turns) {
    if (turn.role !== "user") continue;
    const body = cleanPromptText(turn.body);
    if (body === "") skips.set("empty message", (skips.get("empty message") ?? 0) + 1);
    else prompts.push({ text: body, createdAt: null, model: null, sourceMessageId: null });
  }
  const heading = preamble.map((l) => /^#\s+(.+?)\s*$/.exec(l)?.[1]).find((t) => t !== undefined);
  const title = heading ?? (prompts[0] ? titleFromText(prompts[0].text) : null);
  return { id: fileName, title, prompts, skips, turns: turns.length };
}

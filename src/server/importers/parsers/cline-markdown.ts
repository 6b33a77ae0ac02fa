import { splitTranscript, titleFromText } from "../core/markdown";
import { headText, readText } from "../core/text";
import { ImportFormatError, type DetectProbe, type ExtractedPrompt, type ImportEntry, type ParseEvent, type Parser } from "../types";
import { countImagePlaceholders, readClineUserText } from "./cline";

/**
 * Cline's "Export task" markdown (formats README §4), also written by Roo Code (`roo_task_…`), Kilo Code and
 * IBM Bob (`bob_task_…`): `**User:**` / `**Assistant:**` turns separated by `---`, rendered from the
 * model-facing API history. So a user turn is unwrapped like that history (cline.ts): the `<task>` of the
 * first turn, then `<feedback>`, `<answer>` and `<user_message>` replies; tool results are not prompts.
 *
 * The file carries no ids: conversationId is the file name without its folder (`cline_task_jan-5-2025_3-07-09-pm.md`
 * — unique per export, as it holds the export's second), the title is the task's first line. The whole file is
 * read as text, up to 256 MB.
 */
export const clineMarkdownParser: Parser = {
  id: "cline-markdown",
  source: "cline",
  label: "Cline task exported as markdown (cline_task_….md; also Roo Code, Kilo Code, IBM Bob)",
  detect: detectClineMarkdown,
  parse: parseClineMarkdown,
};

const MAX_TEXT_BYTES = 256 * 1024 * 1024;
const EXPORT_NAME = /^(?:cline|roo|kilo|kilocode|bob)_task_.*\.(?:md|markdown)$/i;
const ROLE_LINES: Record<string, "user" | "assistant"> = { "**User:**": "user", "**Assistant:**": "assistant" };

function roleOf(line: string): "user" | "assistant" | null {
  return ROLE_LINES[line.trimEnd()] ?? null;
}

function detectClineMarkdown(probe: DetectProbe): number {
  try {
    const name = probe.name.split("/").pop() ?? probe.name;
    if (/\.json$/i.test(name)) return 0;
    const head = headText(probe.head);
    const hasUser = /^\*\*User:\*\*[ \t]*$/m.test(head);
    if (EXPORT_NAME.test(name)) return hasUser || head.trim() === "" ? 0.95 : 0.6;
    if (!hasUser) return 0;
    if (/^\*\*User:\*\*[ \t]*\r?\n\s*<task>/.test(head)) return 0.9;
    return /^\*\*Assistant:\*\*[ \t]*$/m.test(head) ? 0.7 : 0.5;
  } catch {
    return 0;
  }
}

async function* parseClineMarkdown(entry: ImportEntry): AsyncGenerator<ParseEvent> {
  const text = await readText(entry, MAX_TEXT_BYTES);
  const { turns } = splitTranscript(text, roleOf);
  if (turns.length === 0) {
    throw new ImportFormatError(`${entry.name}: no "**User:**" / "**Assistant:**" turns found; is this a Cline "Export task" file?`, { entry: entry.name });
  }

  const conversationId = entry.name.split("/").pop() ?? entry.name;
  const prompts: Omit<ExtractedPrompt, "conversationTitle">[] = [];
  const skips = new Map<string, number>();
  let userTurns = 0;
  for (const turn of turns) {
    if (turn.role !== "user") continue;
    const read = readClineUserText(turn.body, userTurns++ === 0);
    const images = countImagePlaceholders(turn.body);
    if (read.prompts.length === 0) {
      const reason = read.reason === "empty message" && images > 0 ? "attachment-only message" : (read.reason ?? "empty message");
      skips.set(reason, (skips.get(reason) ?? 0) + 1);
      continue;
    }
    read.prompts.forEach((promptText, k) => {
      const prompt: Omit<ExtractedPrompt, "conversationTitle"> = {
        text: promptText,
        conversationId,
        createdAt: read.time,
        model: read.model,
        position: prompts.length,
        sourceMessageId: null,
      };
      if (k === 0 && images > 0) prompt.attachments = Array.from({ length: images }, (_, i) => ({ name: `image ${i + 1}`, kind: "image" }));
      prompts.push(prompt);
    });
  }

  const title = prompts[0] ? titleFromText(prompts[0].text) : null;
  yield { kind: "conversation", id: conversationId, title };
  for (const prompt of prompts) yield { kind: "prompt", prompt: { ...prompt, conversationTitle: title } };
  for (const [reason, count] of skips) yield { kind: "skip", reason, count };
}

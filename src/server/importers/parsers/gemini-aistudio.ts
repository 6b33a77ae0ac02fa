import { readJsonDocument } from "../core/json-stream";
import { cleanPromptText, headText } from "../core/text";
import { toDate } from "../core/time";
import { ImportFormatError, type DetectProbe, type ExtractedPrompt, type ImportEntry, type ParseEvent, type Parser } from "../types";
import { baseName, countSkip, isRecord, wellFormed } from "./generic-items";
import { scanJsonHead } from "./generic-json-head";

/**
 * A Google AI Studio chat saved to Drive (formats README §3b): one JSON object per chat with `runSettings`,
 * `systemInstruction` and `chunkedPrompt: {chunks, pendingInputs}`. The file name is the chat's title and
 * may have no extension; the file has no id, title or creation time of its own.
 *
 * - Prompts are the `role: "user"` chunks with text (`text`, or `parts[].text`); `createTime` when present.
 * - A user chunk that only carries a file (`driveDocument`, `driveImage`, `driveVideo`, `driveAudio`,
 *   `inlineFile`, `inlineImage`, `youtubeVideo`) is how AI Studio records an upload: its name is attached to
 *   the next user text chunk; uploads followed by no text are skipped as "attachment-only message".
 * - `systemInstruction` is not a prompt the person sent: skipped ("system instruction") when it has text.
 * - `pendingInputs` is the unsent text box: skipped ("unsent draft") when it holds text; an empty box (the
 *   usual `[{"text": "", "role": "user"}]`) is nothing and is not counted.
 * - Branches: "Branch from here" saves a new chat that copies the history up to the chunk it branched from,
 *   and marks that chunk with `branchParent`. Those copied prompts are imported (the parent chat may not be
 *   in the import) but flagged `activeBranch: false`: they are the parent chat's, not this branch's own.
 *   Every other prompt has `activeBranch: true`.
 * - Model reasoning (`isThought`) and model chunks are not prompts.
 *
 * conversationId is `aistudio:` + the file's base name without `.json` (the chat title Drive shows), which is
 * also the title; model is `runSettings.model` without its `models/` prefix, sourceMessageId is a chunk's
 * `id` when it has one. The file is read whole (up to 256 MB: inline files are base64 inside it).
 */
export const geminiAiStudioParser: Parser = {
  id: "gemini-aistudio",
  source: "gemini",
  label: "Google AI Studio chat saved to Drive (chunkedPrompt JSON)",
  detect: detectAiStudio,
  parse: parseAiStudio,
};

type Json = Record<string, unknown>;
type Attachment = { name: string; kind?: string };

const MAX_BYTES = 256 * 1024 * 1024;
const FILE_KINDS: Record<string, string> = {
  driveDocument: "document",
  driveImage: "image",
  driveVideo: "video",
  driveAudio: "audio",
  inlineFile: "file",
  inlineImage: "image",
  youtubeVideo: "video",
};

function detectAiStudio(probe: DetectProbe): number {
  try {
    const head = scanJsonHead(headText(probe.head));
    if (!head || head.top !== "object") return 0;
    if (head.keys.has("chunkedPrompt")) return 0.95;
    // The chat may start beyond the head behind a very long system instruction.
    if (head.keys.has("runSettings") && head.keys.has("systemInstruction")) return 0.6;
    return 0;
  } catch {
    return 0;
  }
}

async function* parseAiStudio(entry: ImportEntry): AsyncGenerator<ParseEvent> {
  const document = await readJsonDocument(entry.stream(), entry.name, MAX_BYTES);
  const chunked = isRecord(document) ? document.chunkedPrompt : undefined;
  if (!isRecord(document) || !isRecord(chunked)) {
    throw new ImportFormatError(`${entry.name}: this is not a Google AI Studio chat (no "chunkedPrompt" object).`, { entry: entry.name, offset: 0 });
  }
  const name = baseName(entry.name);
  const title = wellFormed(name.replace(/\.json$/i, "").trim()) || null;
  // Drive keeps the chat under its title, with or without `.json` once downloaded: the id ignores the extension.
  const conversationId = `aistudio:${title ?? name}`;
  const runSettings = isRecord(document.runSettings) ? document.runSettings : {};
  const model = typeof runSettings.model === "string" && runSettings.model.trim() !== "" ? runSettings.model.trim().replace(/^models\//, "") : null;
  const chunks = Array.isArray(chunked.chunks) ? chunked.chunks : [];
  const skips = new Map<string, number>();

  yield { kind: "conversation", id: conversationId, title };
  if (instructionText(document.systemInstruction) !== "") countSkip(skips, "system instruction");

  let branchPoint = -1;
  chunks.forEach((chunk, i) => {
    if (isRecord(chunk) && chunk.branchParent !== undefined && chunk.branchParent !== null && chunk.branchParent !== false) branchPoint = i;
  });

  let position = 0;
  let uploads: Attachment[] = [];
  for (const [i, chunk] of chunks.entries()) {
    if (!isRecord(chunk)) {
      countSkip(skips, "unreadable chunk");
      continue;
    }
    const role = typeof chunk.role === "string" ? chunk.role.toLowerCase() : "";
    if (role !== "user" || chunk.isThought === true) {
      if (uploads.length > 0) countSkip(skips, "attachment-only message");
      uploads = [];
      continue;
    }
    const files = chunkFiles(chunk);
    const text = wellFormed(cleanPromptText(chunkText(chunk)));
    if (text === "") {
      if (files.length > 0) uploads.push(...files);
      else countSkip(skips, "empty message");
      continue;
    }
    const attachments = [...uploads, ...files];
    uploads = [];
    const prompt: ExtractedPrompt = {
      text,
      conversationId,
      conversationTitle: title,
      createdAt: toDate(chunk.createTime),
      model,
      position: position++,
      sourceMessageId: typeof chunk.id === "string" && chunk.id !== "" ? chunk.id : null,
      activeBranch: i > branchPoint,
    };
    if (attachments.length > 0) prompt.attachments = attachments;
    yield { kind: "prompt", prompt };
  }
  if (uploads.length > 0) countSkip(skips, "attachment-only message");

  const pending = Array.isArray(chunked.pendingInputs) ? chunked.pendingInputs : [];
  for (const draft of pending) {
    if (isRecord(draft) && (cleanPromptText(chunkText(draft)) !== "" || chunkFiles(draft).length > 0)) countSkip(skips, "unsent draft");
  }
  for (const [reason, count] of skips) yield { kind: "skip", reason, count };
}

function chunkText(chunk: Json): string {
  if (typeof chunk.text === "string" && chunk.text !== "") return chunk.text;
  if (!Array.isArray(chunk.parts)) return "";
  return chunk.parts
    .map((part) => (isRecord(part) && typeof part.text === "string" && part.thought !== true ? part.text : ""))
    .filter((t) => t !== "")
    .join("\n");
}

/** Names of the files a chunk carries: the Drive id, or the inline file's name or MIME type (never its data). */
function chunkFiles(chunk: Json): Attachment[] {
  const out: Attachment[] = [];
  for (const [key, kind] of Object.entries(FILE_KINDS)) {
    const file = chunk[key];
    if (!isRecord(file)) continue;
    const label = [file.name, file.displayName, file.fileName, file.title, file.id, file.videoId, file.url].find(
      (v): v is string => typeof v === "string" && v.trim() !== "",
    );
    const mime = typeof file.mimeType === "string" ? file.mimeType : null;
    const name = label ?? (mime ? `inline ${mime}` : key);
    out.push({ name: key.startsWith("drive") && label === file.id ? `drive:${label}` : name, kind: mime ? kindOfMime(mime, kind) : kind });
  }
  return out;
}

function kindOfMime(mime: string, fallback: string): string {
  const major = mime.split("/")[0]?.toLowerCase();
  return major === "image" || major === "audio" || major === "video" ? major : fallback;
}

function instructionText(value: unknown): string {
  if (typeof value === "string") return cleanPromptText(value);
  if (!isRecord(value)) return "";
  return cleanPromptText(chunkText(value));
}

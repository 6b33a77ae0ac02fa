import { iterateJsonArray, readJsonDocument } from "../core/json-stream";
import { titleFromText } from "../core/markdown";
import { cleanPromptText, headText } from "../core/text";
import { toDate } from "../core/time";
import { baseName, isRecord } from "../core/values";
import { ImportFormatError, type DetectProbe, type ExtractedPrompt, type ImportEntry, type ParseContext, type ParseEvent, type Parser } from "../types";
import { readClineUserText } from "./cline";

/**
 * A Cline task folder (formats README §4): `tasks/<taskId>/` with ui_messages.json, api_conversation_history.json
 * and task_metadata.json, zipped or dropped as files. Roo Code and Kilo Code write the same files.
 *
 * ui_messages.json is the source: it holds the prompts exactly as typed (the first record, `say: "task"` —
 * or `say: "text"` with `conversationHistoryIndex: -1` in Cline 3.51 — and each `say: "user_feedback"`), with
 * millisecond timestamps. api_conversation_history.json is read only when there is no ui_messages.json next
 * to it (detection returns 0 otherwise, so a task is never imported twice); its user turns are unwrapped
 * with the rules in cline.ts.
 *
 * Ids: conversationId is the task id, which is the task's folder name; a lone file falls back to its first
 * record's `ts` (Cline's task id is that same millisecond clock), then to the file name. sourceMessageId is
 * the record's `ts` as a string. Both files are streamed: a long task's ui_messages.json holds every tool
 * output and inline images, tens of MB.
 */
export const clineTaskParser: Parser = {
  id: "cline-task",
  source: "cline",
  label: "Cline task (ui_messages.json / api_conversation_history.json; also Roo Code, Kilo Code)",
  // Read with the task's messages (metadata: the model; the API history: only when there is no ui_messages.json).
  companions: ["task_metadata.json", "api_conversation_history.json"],
  detect: detectClineTask,
  parse: parseClineTask,
};

type Json = Record<string, unknown>;
type ModelUse = { ts: number; model: string };

const UI_FILES = new Set(["ui_messages.json", "claude_messages.json"]); // claude_messages.json: pre-2024 name
const API_FILE = "api_conversation_history.json";
const METADATA_FILE = "task_metadata.json";
const MAX_METADATA_BYTES = 32 * 1024 * 1024;

function detectClineTask(probe: DetectProbe): number {
  try {
    const name = baseName(probe.name).toLowerCase();
    const siblings = new Set(probe.siblings.map((s) => baseName(s).toLowerCase()));
    const head = headText(probe.head.subarray(0, 16 * 1024));
    if (UI_FILES.has(name)) {
      if (siblings.has(API_FILE) || siblings.has(METADATA_FILE)) return 0.95;
      return looksLikeUiMessages(head) ? 0.9 : 0.5;
    }
    if (name === API_FILE) {
      if ([...UI_FILES].some((ui) => siblings.has(ui))) return 0;
      if (!looksLikeApiHistory(head)) return 0.4;
      return head.includes("<task>") ? 0.9 : 0.75;
    }
    if (!/\.json$/i.test(name)) return 0;
    if (looksLikeUiMessages(head)) return 0.85;
    // A renamed API history: only with Cline's unmistakable <task> wrapper (plain role/content JSON is generic).
    if (looksLikeApiHistory(head) && /"<task>\\n/.test(head)) return 0.6;
    return 0;
  } catch {
    return 0;
  }
}

function looksLikeUiMessages(head: string): boolean {
  return /^\s*\[\s*\{/.test(head) && /"ts"\s*:\s*\d/.test(head) && /"type"\s*:\s*"(?:say|ask)"/.test(head) && /"(?:say|ask)"\s*:\s*"[a-z_]+"/.test(head);
}

function looksLikeApiHistory(head: string): boolean {
  return /^\s*\[\s*\{/.test(head) && /"role"\s*:\s*"(?:user|assistant)"/.test(head);
}

async function* parseClineTask(entry: ImportEntry, context: ParseContext): AsyncGenerator<ParseEvent> {
  const head = headText(await entry.head(16 * 1024));
  if (!/^\s*\[/.test(head)) {
    const what = head.trim() === "" ? "the file is empty" : "expected a JSON array of Cline messages";
    throw new ImportFormatError(`${entry.name}: ${what}.`, { entry: entry.name, offset: 0 });
  }
  const name = baseName(entry.name).toLowerCase();
  const usage = await readModelUsage(context);
  const api = name === API_FILE || (!UI_FILES.has(name) && !looksLikeUiMessages(head) && looksLikeApiHistory(head));
  yield* api ? parseApiHistory(entry, usage) : parseUiMessages(entry, usage);
}

async function* parseUiMessages(entry: ImportEntry, usage: ModelUse[]): AsyncGenerator<ParseEvent> {
  const skips = new Map<string, number>();
  let conversation: { id: string; title: string | null } | undefined;
  let firstTs: unknown;
  let index = 0;
  let recognised = 0;
  let position = 0;
  let lastModel: string | null = null; // records carry modelInfo from Cline 3.x on; the latest one is in use

  for await (const item of iterateJsonArray(entry.stream(), { entry: entry.name })) {
    const first = index++ === 0;
    const record = item.value;
    if (!isRecord(record) || (record.type !== "say" && record.type !== "ask")) continue;
    recognised++;
    if (first) firstTs = record.ts;
    const ownModel = modelInfoId(record);
    if (ownModel) lastModel = ownModel;
    const isTask = record.type === "say" && (record.say === "task" || (first && record.say === "text" && record.conversationHistoryIndex === -1));
    if (!isTask && !(record.type === "say" && record.say === "user_feedback")) continue;
    // Streaming leftovers: the final record with the same ts follows.
    if (record.partial === true) {
      tally(skips, "incomplete message");
      continue;
    }
    const text = cleanPromptText(typeof record.text === "string" ? record.text : "");
    const attachments = uiAttachments(record);
    if (text === "") {
      tally(skips, attachments.length > 0 ? "attachment-only message" : "empty message");
      continue;
    }
    if (!conversation) {
      conversation = { id: taskId(entry.name, firstTs ?? record.ts), title: titleFromText(text) };
      yield { kind: "conversation", ...conversation };
    }
    const createdAt = toDate(record.ts);
    const prompt: ExtractedPrompt = {
      text,
      conversationId: conversation.id,
      conversationTitle: conversation.title,
      createdAt,
      model: ownModel ?? modelAt(usage, createdAt) ?? lastModel,
      position: position++,
      sourceMessageId: typeof record.ts === "number" || typeof record.ts === "string" ? String(record.ts) : null,
    };
    if (attachments.length > 0) prompt.attachments = attachments;
    yield { kind: "prompt", prompt };
  }

  if (index > 0 && recognised === 0) {
    throw new ImportFormatError(`${entry.name}: this JSON array does not hold Cline messages (no records with "type": "say" or "ask").`, { entry: entry.name });
  }
  if (!conversation) yield { kind: "conversation", id: taskId(entry.name, firstTs), title: null };
  yield* skipEvents(skips);
}

async function* parseApiHistory(entry: ImportEntry, usage: ModelUse[]): AsyncGenerator<ParseEvent> {
  const skips = new Map<string, number>();
  const id = taskId(entry.name, undefined);
  let conversation: { id: string; title: string | null } | undefined;
  let index = 0;
  let recognised = 0;
  let userTurns = 0;
  let position = 0;

  for await (const item of iterateJsonArray(entry.stream(), { entry: entry.name })) {
    index++;
    const message = item.value;
    if (!isRecord(message) || (message.role !== "user" && message.role !== "assistant")) continue;
    recognised++;
    if (message.role !== "user") continue;

    const content = flattenContent(message.content);
    const firstTurn = userTurns++ === 0;
    const turn = readClineUserText(content.text, firstTurn);
    if (turn.prompts.length === 0) {
      const reason = content.toolResults > 0 && !turn.tagged ? "tool result" : (turn.reason ?? "empty message");
      tally(skips, reason === "empty message" && content.images.length > 0 ? "attachment-only message" : reason);
      continue;
    }
    if (!conversation) {
      conversation = { id, title: titleFromText(turn.prompts[0]!) };
      yield { kind: "conversation", ...conversation };
    }
    // The history has no per-message time (forks add `ts`); <environment_details> usually does, and the
    // task id is the creation time of the first turn.
    const createdAt = toDate(message.ts) ?? turn.time ?? (firstTurn && /^\d{13}$/.test(id) ? toDate(Number(id)) : null);
    const model = modelInfoId(message) ?? turn.model ?? modelAt(usage, createdAt);
    for (const [k, text] of turn.prompts.entries()) {
      const sourceId = typeof message.ts === "number" ? String(message.ts) : null;
      const prompt: ExtractedPrompt = {
        text,
        conversationId: conversation.id,
        conversationTitle: conversation.title,
        createdAt,
        model,
        position: position++,
        sourceMessageId: sourceId && k > 0 ? `${sourceId}#${k}` : sourceId,
      };
      if (k === 0 && content.images.length > 0) prompt.attachments = content.images.map((kind, i) => ({ name: `image ${i + 1}`, kind }));
      yield { kind: "prompt", prompt };
    }
  }

  if (index > 0 && recognised === 0) {
    throw new ImportFormatError(`${entry.name}: this JSON array does not hold a Cline conversation (no messages with "role": "user" or "assistant").`, {
      entry: entry.name,
    });
  }
  if (!conversation) yield { kind: "conversation", id, title: null };
  yield* skipEvents(skips);
}

/** Text of a user message's blocks; tool results are included because feedback on a tool arrives inside them. */
function flattenContent(content: unknown): { text: string; images: string[]; toolResults: number } {
  if (typeof content === "string") return { text: content, images: [], toolResults: 0 };
  const texts: string[] = [];
  const images: string[] = [];
  let toolResults = 0;
  if (!Array.isArray(content)) return { text: "", images, toolResults };
  for (const block of content) {
    if (!isRecord(block)) continue;
    if (block.type === "text" && typeof block.text === "string") texts.push(block.text);
    else if (block.type === "image") images.push(stringOr(isRecord(block.source) ? block.source.media_type : undefined, "image"));
    else if (block.type === "tool_result") {
      toolResults++;
      if (typeof block.content === "string") texts.push(block.content);
      else if (Array.isArray(block.content)) {
        for (const part of block.content) if (isRecord(part) && typeof part.text === "string") texts.push(part.text);
      }
    }
  }
  return { text: texts.join("\n\n"), images, toolResults };
}

function uiAttachments(record: Json): { name: string; kind?: string }[] {
  const out: { name: string; kind?: string }[] = [];
  if (Array.isArray(record.images)) {
    record.images.forEach((image, i) => {
      // Data URLs: only the media type is worth keeping.
      const kind = typeof image === "string" ? /^data:([\w.+-]+\/[\w.+-]+)[;,]/.exec(image)?.[1] : undefined;
      out.push({ name: `image ${i + 1}`, kind: kind ?? "image" });
    });
  }
  if (Array.isArray(record.files)) {
    for (const file of record.files) if (typeof file === "string" && file.trim() !== "") out.push({ name: baseName(file.trim()), kind: "file" });
  }
  return out;
}

/** task_metadata.json's `model_usage`: which model the task used from when. Unreadable metadata is ignored. */
async function readModelUsage(context: ParseContext): Promise<ModelUse[]> {
  const metadata = context.sibling(METADATA_FILE);
  if (!metadata) return [];
  let document: unknown;
  try {
    document = await readJsonDocument(metadata.stream(), metadata.name, MAX_METADATA_BYTES);
  } catch (error) {
    if (error instanceof ImportFormatError) return []; // the prompts are still good without a model name
    throw error;
  }
  const usage = isRecord(document) && Array.isArray(document.model_usage) ? document.model_usage : [];
  return usage
    .filter(isRecord)
    .flatMap((u) => (typeof u.model_id === "string" && u.model_id !== "" ? [{ ts: typeof u.ts === "number" ? u.ts : 0, model: u.model_id }] : []))
    .sort((a, b) => a.ts - b.ts);
}

/** The model in use at `time`: the last switch before it, else the first one recorded. */
function modelAt(usage: ModelUse[], time: Date | null): string | null {
  if (usage.length === 0) return null;
  if (!time) return usage[0]!.model;
  let model = usage[0]!.model;
  for (const use of usage) if (use.ts <= time.getTime()) model = use.model;
  return model;
}

function modelInfoId(record: Json): string | null {
  const info = record.modelInfo;
  return isRecord(info) && typeof info.modelId === "string" && info.modelId !== "" ? info.modelId : null;
}

/** The task folder's name; a lone file falls back to its first record's ts, then to its own name. */
function taskId(entryName: string, firstTs: unknown): string {
  const parts = entryName.split("/").filter((p) => p !== "");
  if (parts.length >= 2) return parts[parts.length - 2]!;
  if (typeof firstTs === "number" || (typeof firstTs === "string" && firstTs !== "")) return String(firstTs);
  return baseName(entryName);
}

function tally(skips: Map<string, number>, reason: string): void {
  skips.set(reason, (skips.get(reason) ?? 0) + 1);
}

function* skipEvents(skips: Map<string, number>): Generator<ParseEvent> {
  for (const [reason, count] of skips) yield { kind: "skip", reason, count };
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === "string" && value !== "" ? value : fallback;
}


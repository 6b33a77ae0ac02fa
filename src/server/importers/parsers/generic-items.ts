import { cleanPromptText } from "../core/text";
import { toDate } from "../core/time";
import { vendorOfKeys } from "./generic-json-head";

/**
 * One record of a generic JSON or JSONL prompt list (formats README §6): a string, or an object holding the
 * prompt under `prompt`, `text`, `content`, `question`, `input` or `message` (first present, in that order).
 * `content` may also be a chat-API block list (`[{type: "text", text}]`), and an object whose only text is a
 * nested `message: {role, content}` is read through it. Items written by someone else than the person
 * (role assistant/model, system/developer, tool/function) are skipped with a reason.
 */
export type PromptItem =
  | {
      kind: "prompt";
      text: string;
      title: string | null;
      createdAt: Date | null;
      model: string | null;
      id: string | null;
      attachments: { name: string; kind?: string }[];
    }
  | { kind: "skip"; reason: string }
  /** Nothing prompt-like: not a prompt list at all (decided on the first record). */
  | { kind: "unknown" };

type Json = Record<string, unknown>;

export const PROMPT_KEYS = ["prompt", "text", "content", "question", "input", "message"] as const;
const ASSISTANT_ROLES = new Set(["assistant", "model", "bot", "ai", "chatbot", "gpt", "gemini", "claude", "chatgpt"]);
const SYSTEM_ROLES = new Set(["system", "developer"]);
const TOOL_ROLES = new Set(["tool", "function", "ipython"]);
const ATTACHMENT_BLOCKS: Record<string, string> = {
  image: "image",
  image_url: "image",
  input_image: "image",
  file: "file",
  input_file: "file",
  document: "file",
  audio: "audio",
  input_audio: "audio",
};

export function readPromptItem(value: unknown, nested = false): PromptItem {
  if (typeof value === "string") {
    const text = wellFormed(cleanPromptText(value));
    return text === "" ? { kind: "skip", reason: "empty prompt" } : { kind: "prompt", text, title: null, createdAt: null, model: null, id: null, attachments: [] };
  }
  if (!isRecord(value)) return value === null ? { kind: "skip", reason: "empty item" } : { kind: "unknown" };

  const role = roleOf(value);
  if (role !== null) {
    if (ASSISTANT_ROLES.has(role)) return { kind: "skip", reason: "assistant message" };
    if (SYSTEM_ROLES.has(role)) return { kind: "skip", reason: "system message" };
    if (TOOL_ROLES.has(role)) return { kind: "skip", reason: "tool message" };
  }

  const attachments: { name: string; kind?: string }[] = [];
  const flags = { tool: false };
  let raw: string | null = null;
  for (const key of PROMPT_KEYS) {
    if (!(key in value)) continue;
    const candidate = value[key];
    // `message: {role, content}` (chat logs such as Claude Code's JSONL): read the inner message.
    if (key === "message" && isRecord(candidate) && !nested && ("content" in candidate || "role" in candidate)) {
      const inner = readPromptItem(candidate, true);
      if (inner.kind === "prompt") return { ...inner, ...itemMeta(value, inner) };
      return inner;
    }
    raw = contentText(candidate, attachments, flags);
    if (raw !== null) break;
  }
  if (raw === null) return attachments.length > 0 ? { kind: "skip", reason: "attachment-only message" } : role !== null ? { kind: "skip", reason: "message without text" } : { kind: "unknown" };

  const text = wellFormed(cleanPromptText(raw));
  if (text === "") {
    if (attachments.length > 0) return { kind: "skip", reason: "attachment-only message" };
    return { kind: "skip", reason: flags.tool ? "tool result" : "empty prompt" };
  }
  return { kind: "prompt", text, attachments, ...itemMeta(value, null) };
}

function itemMeta(value: Json, inner: { title: string | null; createdAt: Date | null; model: string | null; id: string | null } | null) {
  const hasRole = roleOf(value) !== null;
  const title = stringField(value, "title") ?? stringField(value, "act") ?? (hasRole ? null : stringField(value, "name")) ?? inner?.title ?? null;
  const time = ["created_at", "createdAt", "create_time", "timestamp", "time", "date"].map((k) => value[k]).find((v) => v !== undefined && v !== null);
  return {
    title: title === null ? null : wellFormed(title.trim()) || null,
    createdAt: toDate(time) ?? inner?.createdAt ?? null,
    model: stringField(value, "model") ?? inner?.model ?? null,
    id: stringField(value, "id") ?? stringField(value, "uuid") ?? inner?.id ?? null,
  };
}

function roleOf(value: Json): string | null {
  const raw = value.role ?? value.sender ?? (typeof value.author === "string" ? value.author : isRecord(value.author) ? value.author.role : undefined) ?? value.from;
  return typeof raw === "string" ? raw.trim().toLowerCase() : null;
}

/** The text of a prompt field: a string, a list of chat-API blocks, or `{text}` / `{parts}`; null when none. */
function contentText(value: unknown, attachments: { name: string; kind?: string }[], flags: { tool: boolean }): string | null {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    const pieces: string[] = [];
    let readable = false;
    for (const block of value) {
      if (typeof block === "string") {
        pieces.push(block);
        readable = true;
      } else if (isRecord(block)) {
        const type = typeof block.type === "string" ? block.type : "text";
        if ((type === "text" || type === "input_text") && typeof block.text === "string") {
          pieces.push(block.text);
          readable = true;
        } else if (type === "tool_result" || type === "tool_use" || type === "function_call" || type === "function_call_output") {
          flags.tool = true;
          readable = true;
        } else if (ATTACHMENT_BLOCKS[type]) {
          const kind = ATTACHMENT_BLOCKS[type];
          attachments.push({ name: stringField(block, "name") ?? stringField(block, "file_name") ?? stringField(block, "filename") ?? kind, kind });
          readable = true;
        }
      }
    }
    return readable ? pieces.join("\n") : null;
  }
  if (isRecord(value)) {
    if (typeof value.text === "string") return value.text;
    if (Array.isArray(value.parts)) return contentText(value.parts, attachments, flags);
  }
  return null;
}

/** Whether the first record of a file rules the file out: nothing prompt-like, or a vendor export's record. */
export function refusesFile(read: PromptItem, value: unknown): boolean {
  return read.kind === "unknown" || (isRecord(value) && vendorOfKeys(value) !== null);
}

/** A message for the person when the first record is not a prompt: names the vendor import when it is one. */
export function notAPromptList(entryName: string, value: unknown, where: string): string {
  const vendor = isRecord(value) ? vendorOfKeys(value) : null;
  if (vendor) return `${entryName}: ${where} is not a prompt list item: it looks like ${vendor}; import it with that format instead.`;
  return `${entryName}: ${where} is not a prompt: expected a string or an object with one of the fields ${PROMPT_KEYS.join(", ")}.`;
}

function stringField(value: Json, key: string): string | null {
  const v = value[key];
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return typeof v === "string" && v.trim() !== "" ? v : null;
}

export function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON may carry lone surrogates ("\ud83d" alone); they would not survive UTF-8 storage unchanged. */
export function wellFormed(text: string): string {
  return text.isWellFormed() ? text : text.toWellFormed();
}

/** Adds one to a skip reason's count. */
export function countSkip(skips: Map<string, number>, reason: string, n = 1): void {
  skips.set(reason, (skips.get(reason) ?? 0) + n);
}

/** Zip entries that only vendor exports put next to a file: a generic parser must leave such folders alone. */
export const VENDOR_SIBLINGS = new Set([
  "conversations.json",
  "user.json",
  "users.json",
  "chat.html",
  "message_feedback.json",
  "shared_conversations.json",
  "projects.json",
  "memories.json",
  "ui_messages.json",
  "api_conversation_history.json",
  "task_metadata.json",
  "myactivity.json",
  "myactivity.html",
  "state.vscdb",
]);

export function hasVendorSiblings(siblings: readonly string[]): boolean {
  return siblings.some((s) => VENDOR_SIBLINGS.has((s.split("/").pop() ?? s).toLowerCase()));
}

export function baseName(name: string): string {
  return name.slice(name.lastIndexOf("/") + 1);
}

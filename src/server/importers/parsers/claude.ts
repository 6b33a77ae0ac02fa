import { createHash } from "node:crypto";
import { iterateJsonArray } from "../core/json-stream";
import { cleanPromptText, headText } from "../core/text";
import { toDate } from "../core/time";
import { baseName, isRecord, nonEmptyString, wellFormed } from "../core/values";
import { ImportFormatError, type DetectProbe, type ExtractedPrompt, type ImportEntry, type ParseEvent, type Parser } from "../types";
import { firstRecordKeys } from "./generic-json-head";

/**
 * claude.ai "Export data" (formats README §2): `conversations.json`, a bare array of conversations whose
 * `chat_messages` is a flat list holding every branch. Also reads one conversation object, and the JSON of
 * browser-extension exporters (same shape plus `model` and `current_leaf_message_uuid`). `projects.json` and
 * its `prompt_template` are out of scope.
 */
export const claudeParser: Parser = {
  id: "claude",
  source: "claude",
  label: "Claude data export (conversations.json)",
  detect: detectClaude,
  parse: parseClaude,
};

type Json = Record<string, unknown>;
type Attachment = { name: string; kind?: string };

/** `parent_message_uuid` of a conversation's first message. */
const ROOT_SENTINEL = "00000000-0000-4000-8000-000000000000";
const HUMAN_SENDERS = new Set(["human", "user"]);
// Files that only a claude.ai export puts next to conversations.json (ChatGPT has user.json, singular).
const CLAUDE_SIBLINGS = new Set(["users.json", "projects.json", "memories.json", "projects", "memories"]);

function detectClaude(probe: DetectProbe): number {
  try {
    const keys = firstRecordKeys(headText(probe.head), ["conversations"]);
    if (!keys) return 0;
    // ChatGPT's conversations.json: its items carry a message tree instead.
    if (keys.has("mapping")) return 0;
    if (keys.has("chat_messages")) return keys.has("uuid") ? 0.95 : 0.85;
    const name = baseName(probe.name).toLowerCase();
    const siblings = probe.siblings.some((s) => CLAUDE_SIBLINGS.has(s.toLowerCase().split("/")[0]!) || CLAUDE_SIBLINGS.has(baseName(s).toLowerCase()));
    // No messages seen in the head (an empty array, or a huge first record): trust the zip layout.
    if (name === "conversations.json" && siblings) return 0.9;
    if (keys.size === 0 && name === "conversations.json") return 0.25;
    return 0;
  } catch {
    return 0;
  }
}

async function* parseClaude(entry: ImportEntry): AsyncGenerator<ParseEvent> {
  let ordinal = 0;
  for await (const item of iterateJsonArray(entry.stream(), { entry: entry.name, wrapperKeys: ["conversations"] })) {
    const conversation = item.value;
    if (!isRecord(conversation) || !("chat_messages" in conversation)) {
      // The first item decides whether this is a Claude file at all; a stray record later on is only counted.
      if (ordinal === 0) throw notClaude(entry.name, conversation, item.offset);
      yield { kind: "skip", reason: "unreadable conversation record" };
      continue;
    }
    yield* readConversation(conversation, ordinal);
    ordinal++;
  }
}

function notClaude(entryName: string, value: unknown, offset: number): ImportFormatError {
  let hint = "";
  if (isRecord(value) && "mapping" in value) hint = " It looks like a ChatGPT export; import it as ChatGPT instead.";
  else if (isRecord(value) && "prompt_template" in value) hint = " This is projects.json; import conversations.json instead.";
  return new ImportFormatError(`${entryName}: the item at byte ${offset} is not a Claude conversation (no "chat_messages").${hint}`, {
    entry: entryName,
    offset,
  });
}

function* readConversation(conversation: Json, ordinal: number): Generator<ParseEvent> {
  const messages = Array.isArray(conversation.chat_messages) ? conversation.chat_messages.filter(isRecord) : [];
  const id = conversationId(conversation, messages, ordinal);
  const raw = nonEmptyString(conversation.name);
  const title = raw === null ? null : wellFormed(raw);
  yield { kind: "conversation", id, title };

  const model = nonEmptyString(conversation.model);
  const active = activeBranch(messages, conversation.current_leaf_message_uuid);
  const skips = new Map<string, number>();
  let position = 0;

  const visit = function* (message: Json, onActive: boolean): Generator<ParseEvent> {
    const found = readHumanMessage(message);
    if (!found) return;
    if ("skip" in found) {
      skips.set(found.skip, (skips.get(found.skip) ?? 0) + 1);
      return;
    }
    const prompt: ExtractedPrompt = {
      text: found.text,
      conversationId: id,
      conversationTitle: title,
      createdAt: toDate(message.created_at),
      model,
      position: position++,
      sourceMessageId: nonEmptyString(message.uuid),
      activeBranch: onActive,
    };
    if (found.attachments.length > 0) prompt.attachments = found.attachments;
    yield { kind: "prompt", prompt };
  };

  // The shown branch in conversation order, then the abandoned ones (edits, retries) in file order.
  for (const index of active) yield* visit(messages[index]!, true);
  const onActive = new Set(active);
  for (let i = 0; i < messages.length; i++) if (!onActive.has(i)) yield* visit(messages[i]!, false);

  for (const [reason, count] of skips) yield { kind: "skip", reason, count };
}

/**
 * Indexes of the messages on the shown branch, root first. With `parent_message_uuid` links: walk up from
 * `current_leaf_message_uuid` (browser exporters) or else from the most recent leaf (latest `created_at`; the
 * later one in the file on a tie or without dates). Older exports have no links: every message is on one
 * linear branch. A visited set guards against cycles in malformed files.
 */
function activeBranch(messages: Json[], currentLeaf: unknown): number[] {
  const linked = messages.some((m) => typeof m.parent_message_uuid === "string" && m.parent_message_uuid !== "");
  if (!linked) return messages.map((_, i) => i);

  const byId = new Map<string, number>();
  messages.forEach((m, i) => {
    const uuid = nonEmptyString(m.uuid);
    if (uuid && !byId.has(uuid)) byId.set(uuid, i);
  });
  const parentOf = (i: number): number | undefined => {
    const parent = messages[i]?.parent_message_uuid;
    return typeof parent === "string" && parent !== ROOT_SENTINEL ? byId.get(parent) : undefined;
  };

  let leaf = typeof currentLeaf === "string" ? byId.get(currentLeaf) : undefined;
  if (leaf === undefined) {
    const parents = new Set(messages.map((m) => m.parent_message_uuid).filter((p): p is string => typeof p === "string"));
    let best = -Infinity;
    for (let i = 0; i < messages.length; i++) {
      const uuid = nonEmptyString(messages[i]!.uuid);
      if (uuid && parents.has(uuid)) continue;
      const time = toDate(messages[i]!.created_at)?.getTime() ?? -1;
      if (time >= best) {
        best = time;
        leaf = i;
      }
    }
    // Every message is some message's parent (a cycle): start from the last one.
    if (leaf === undefined && messages.length > 0) leaf = messages.length - 1;
  }

  const path: number[] = [];
  const seen = new Set<number>();
  for (let at = leaf; at !== undefined && !seen.has(at); at = parentOf(at)) {
    seen.add(at);
    path.push(at);
  }
  return path.reverse();
}

type HumanMessage = { text: string; attachments: Attachment[] } | { skip: string };

/** A human-typed prompt, a reason to skip a human message, or null for turns that are not the person's. */
function readHumanMessage(message: Json): HumanMessage | null {
  if (typeof message.sender !== "string" || !HUMAN_SENDERS.has(message.sender.toLowerCase())) return null;
  const attachments = readAttachments(message);
  let text = typeof message.text === "string" ? cleanPromptText(message.text) : "";
  let onlyTools = false;
  if (text === "" && Array.isArray(message.content)) {
    // Older and newer exports differ: `text` may be "" while the text blocks hold the prompt. Thinking and
    // tool blocks are the model's, never the person's.
    const blocks = message.content.filter(isRecord);
    const pieces = blocks.filter((b) => b.type === "text" && typeof b.text === "string").map((b) => b.text as string);
    text = cleanPromptText(pieces.join("\n"));
    onlyTools = blocks.length > 0 && blocks.every((b) => b.type === "tool_use" || b.type === "tool_result");
  }
  text = wellFormed(text);
  if (text !== "") return { text, attachments };
  if (attachments.length > 0) return { skip: "attachment-only message" };
  // A human turn that only carries a tool result was not typed by the person: not counted at all.
  if (onlyTools) return null;
  return { skip: "empty message" };
}

/**
 * Names only: `attachments` are pasted or uploaded text documents (their text is inline, a paste may have no
 * name), `files`/`files_v2` are images and PDFs whose binaries are not in the export. The same file listed in
 * both `files` and `files_v2` is noted once.
 */
function readAttachments(message: Json): Attachment[] {
  const out: Attachment[] = [];
  if (Array.isArray(message.attachments)) {
    for (const a of message.attachments) {
      if (!isRecord(a)) continue;
      const name = nonEmptyString(a.file_name) ?? (typeof a.extracted_content === "string" ? "pasted text" : null);
      if (name) out.push({ name, kind: kindOf(name, a.file_type) });
    }
  }
  const seen = new Set<string>();
  for (const list of [message.files, message.files_v2]) {
    if (!Array.isArray(list)) continue;
    for (const f of list) {
      if (!isRecord(f)) continue;
      const name = nonEmptyString(f.file_name);
      if (!name) continue;
      const key = nonEmptyString(f.file_uuid) ?? name;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ name, kind: kindOf(name, f.file_kind ?? f.file_type) });
    }
  }
  return out;
}

const IMAGE_EXTENSIONS = /\.(png|jpe?g|gif|webp|heic|bmp|svg)$/i;

function kindOf(name: string, type: unknown): string {
  const hint = typeof type === "string" ? type.toLowerCase() : "";
  if (hint.startsWith("image") || IMAGE_EXTENSIONS.test(name)) return "image";
  if (hint.startsWith("audio")) return "audio";
  if (hint.startsWith("video")) return "video";
  return "file";
}

/**
 * Conversations without a `uuid` get `claude-<hash>` from their name, created_at and message uuids, so the
 * same conversation maps to the same id on every import; the file position is mixed in only when none of
 * those exist.
 */
function conversationId(conversation: Json, messages: Json[], ordinal: number): string {
  const own = nonEmptyString(conversation.uuid);
  if (own) return own;
  const ids = messages.map((m) => nonEmptyString(m.uuid)).filter((x) => x !== null).slice(0, 64);
  const material: unknown[] = [conversation.name ?? null, conversation.created_at ?? null, ids];
  if (ids.length === 0 && material[0] === null && material[1] === null) material.push(ordinal);
  return `claude-${createHash("sha256").update(JSON.stringify(material)).digest("hex").slice(0, 24)}`;
}

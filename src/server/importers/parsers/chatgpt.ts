import { createHash } from "node:crypto";
import { iterateJsonArray, type DeferredValue, type JsonItem, type PeekedValue } from "../core/json-stream";
import { cleanPromptText, headText } from "../core/text";
import { toDate } from "../core/time";
import { baseName, isRecord, nonEmptyString, wellFormed } from "../core/values";
import { ImportFormatError, type DetectProbe, type ExtractedPrompt, type ImportEntry, type ParseEvent, type Parser } from "../types";
import { firstRecordKeys } from "./generic-json-head";

/**
 * ChatGPT "Export data" (formats README §1): `conversations.json`, its 2026 shards `conversations-NNN.json`,
 * a `{conversations: [...]}` wrapper written by third-party tools, or one conversation object saved by a
 * browser exporter. Each conversation keeps its messages as a tree (`mapping`), not a list: edits and retries
 * are sibling branches, and `current_node` marks the leaf the UI showed.
 */
export const chatGptParser: Parser = {
  id: "chatgpt",
  source: "chatgpt",
  label: "ChatGPT data export (conversations.json)",
  detect: detectChatGpt,
  parse: parseChatGpt,
};

type Json = Record<string, unknown>;
type Attachment = { name: string; kind?: string };

const EXPORT_NAME = /^conversations(-\d+)?\.json$/i;
const SHARD_NAME = /^conversations-\d+\.json$/i;
// Files that only an OpenAI export puts next to conversations.json.
const CHATGPT_SIBLINGS = new Set(["user.json", "chat.html", "message_feedback.json", "shared_conversations.json", "model_comparisons.json", "group_chats.json"]);

function detectChatGpt(probe: DetectProbe): number {
  try {
    const keys = firstRecordKeys(headText(probe.head), ["conversations"]);
    if (!keys) return 0;
    // Claude's export is also a conversations.json array: its items carry chat_messages instead of a tree.
    if (keys.has("chat_messages")) return 0;
    const name = baseName(probe.name);
    const siblings = probe.siblings.some((s) => CHATGPT_SIBLINGS.has(baseName(s).toLowerCase()));
    if (keys.has("mapping")) return EXPORT_NAME.test(name) ? 0.95 : 0.9;
    // No tree seen in the head (an empty array, or a first conversation with no mapping): trust the zip layout.
    if (EXPORT_NAME.test(name) && siblings) return 0.9;
    if (keys.size > 0) return 0;
    if (SHARD_NAME.test(name)) return 0.6;
    if (EXPORT_NAME.test(name)) return 0.3;
    return 0;
  } catch {
    return 0;
  }
}

// Only user messages are parsed: the others (assistant replies, tool output, reasoning traces — most of an
// export's bytes) are only scanned, their role and model read on the way (see iterateJsonArray's `deferred`).
// A message whose role is seen to be "user" is parsed with the rest of its conversation (every one is read).
const DEFERRED: readonly DeferredValue[] = [
  {
    path: ["mapping", "*", "message"],
    peek: [
      ["author", "role"],
      ["metadata", "model_slug"],
    ],
    parseIf: { peek: 0, equals: "user" },
  },
];

async function* parseChatGpt(entry: ImportEntry): AsyncGenerator<ParseEvent> {
  let ordinal = 0;
  for await (const item of iterateJsonArray(entry.stream(), { entry: entry.name, wrapperKeys: ["conversations"], deferred: DEFERRED })) {
    const conversation = item.value;
    if (!isConversation(conversation)) {
      // The first item decides whether this is a ChatGPT file at all; a stray record later on is only counted.
      if (ordinal === 0) throw notChatGpt(entry.name, conversation, item.offset);
      yield { kind: "skip", reason: "unreadable conversation record" };
      continue;
    }
    for (const event of readConversation(conversation, ordinal, item)) yield event;
    ordinal++;
  }
}

function isConversation(value: unknown): value is Json {
  if (!isRecord(value)) return false;
  return "mapping" in value || "current_node" in value || "conversation_id" in value || ("id" in value && ("title" in value || "create_time" in value));
}

function notChatGpt(entryName: string, value: unknown, offset: number): ImportFormatError {
  const hint = isRecord(value) && "chat_messages" in value ? " It looks like a Claude export; import it as Claude instead." : "";
  return new ImportFormatError(`${entryName}: the item at byte ${offset} is not a ChatGPT conversation (no "mapping" tree).${hint}`, {
    entry: entryName,
    offset,
  });
}

/** A message the scanner left unparsed (see DEFERRED), with the two fields read on the way. */
class LazyMessage {
  constructor(
    readonly placeholder: string,
    readonly role: PeekedValue,
    readonly modelSlug: PeekedValue,
  ) {}
}

type Message = Json | LazyMessage;
/** A mapping node; `active` marks the nodes of the branch the UI showed (set by activeBranch), `walked` those depthFirst has listed. */
type Node = { id: string; parent: string | null; children: string[]; message: Message | null; active: boolean; walked: boolean };

function* readConversation(conversation: Json, ordinal: number, item: JsonItem): Generator<ParseEvent> {
  const nodes = readNodes(conversation.mapping, item);
  const id = conversationId(conversation, nodes, ordinal);
  const raw = nonEmptyString(conversation.title);
  const title = raw === null ? null : wellFormed(raw);
  yield { kind: "conversation", id, title };

  const activePath = activeBranch(nodes, conversation.current_node);
  // Only user messages give events: the abandoned branches are walked only when one of them holds one (most
  // conversations have no branch, or only retried replies). Counted before any message is resolved.
  let offPathUsers = 0;
  for (const node of nodes.values()) if (!node.active && node.message !== null && role(node.message) === "user") offPathUsers++;
  const defaultModel = nonEmptyString(conversation.default_model_slug);
  const skips = new Map<string, number>();
  let position = 0;

  const visit = (node: Node, active: boolean, nextOnPath: string | undefined): ParseEvent | null => {
    if (!node.message || role(node.message) !== "user") return null;
    const message = userMessage(node, item);
    const found = message ? readUserMessage(message) : null;
    if (!message || !found) return null;
    if ("skip" in found) {
      skips.set(found.skip, (skips.get(found.skip) ?? 0) + 1);
      return null;
    }
    const prompt: ExtractedPrompt = {
      text: found.text,
      conversationId: id,
      conversationTitle: title,
      createdAt: toDate(message.create_time),
      model: messageModel(node, nodes, nextOnPath) ?? defaultModel,
      position: position++,
      sourceMessageId: nonEmptyString(message.id) ?? node.id,
      activeBranch: active,
    };
    if (found.attachments.length > 0) prompt.attachments = found.attachments;
    return { kind: "prompt", prompt };
  };

  for (let i = 0; i < activePath.length; i++) {
    const event = visit(activePath[i]!, true, activePath[i + 1]?.id);
    if (event) yield event;
  }
  // Abandoned branches (earlier versions of edited prompts, retried turns) in depth-first tree order.
  if (offPathUsers > 0) {
    for (const node of depthFirst(nodes)) {
      if (node.active) continue;
      const event = visit(node, false, undefined);
      if (event) yield event;
    }
  }

  for (const [reason, count] of skips) yield { kind: "skip", reason, count };
}

/** A user node's message, parsed now if the scanner left it (null if it is not an object after all). */
function userMessage(node: Node, item: JsonItem): Json | null {
  if (node.message instanceof LazyMessage) {
    const parsed = item.resolve(node.message.placeholder);
    node.message = isRecord(parsed) ? parsed : null;
  }
  return node.message;
}

/** The mapping as a map (never indexed as a plain object: a node id like "constructor" must not hit the prototype). */
function readNodes(mapping: unknown, item: JsonItem): Map<string, Node> {
  const nodes = new Map<string, Node>();
  if (!isRecord(mapping)) return nodes;
  for (const key of Object.keys(mapping)) {
    const raw = mapping[key];
    if (!isRecord(raw)) continue;
    const children = stringsOf(raw.children);
    nodes.set(key, { id: key, parent: typeof raw.parent === "string" ? raw.parent : null, children, message: readMessage(raw.message, item), active: false, walked: false });
  }
  // Some exporters write only parent links (no `children`): derive the missing child links so both walks agree.
  // Children lists are short; a long one is checked through a set.
  let sets: Map<Node, Set<string>> | undefined;
  for (const node of nodes.values()) {
    const parent = node.parent === null ? undefined : nodes.get(node.parent);
    if (!parent) continue;
    let linked: boolean;
    if (parent.children.length <= 16) linked = parent.children.includes(node.id);
    else {
      sets ??= new Map();
      let set = sets.get(parent);
      if (!set) sets.set(parent, (set = new Set(parent.children)));
      linked = set.has(node.id);
      if (!linked) set.add(node.id);
    }
    if (!linked) parent.children.push(node.id);
  }
  return nodes;
}

/** The strings of an array (the array itself when it holds nothing else: it is this parser's own copy). */
function stringsOf(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  for (const v of value) if (typeof v !== "string") return value.filter((c): c is string => typeof c === "string");
  return value as string[];
}

function readMessage(value: unknown, item: JsonItem): Message | null {
  if (isRecord(value)) return value;
  const peeked = item.peeked(value);
  return peeked ? new LazyMessage(value as string, peeked[0], peeked[1]) : null;
}

/**
 * The branch the UI showed (its nodes marked `active`): from `current_node` up the parent links, reversed. When
 * `current_node` is missing or unknown, the newest branch is assumed: from the first root, follow the last child
 * (ChatGPT appends new edits and retries after the older ones). Visited sets guard against cycles in malformed
 * files.
 */
function activeBranch(nodes: Map<string, Node>, currentNode: unknown): Node[] {
  let leaf = typeof currentNode === "string" ? nodes.get(currentNode) : undefined;
  if (leaf === undefined) {
    const root = roots(nodes)[0];
    if (root === undefined) return [];
    const seen = new Set<string>([root]);
    let tip: string = root;
    for (;;) {
      const next: string | undefined = [...(nodes.get(tip)?.children ?? [])].reverse().find((c) => nodes.has(c) && !seen.has(c));
      if (next === undefined) break;
      seen.add(next);
      tip = next;
    }
    leaf = nodes.get(tip)!;
  }
  const path: Node[] = [];
  for (let at: Node | undefined = leaf; at !== undefined && !at.active; at = at.parent === null ? undefined : nodes.get(at.parent)) {
    at.active = true;
    path.push(at);
  }
  return path.reverse();
}

/** Nodes whose parent is absent or unknown, in mapping order. */
function roots(nodes: Map<string, Node>): string[] {
  return [...nodes.values()].filter((n) => n.parent === null || !nodes.has(n.parent)).map((n) => n.id);
}

/**
 * Every node once, pre-order from each root in mapping order; nodes only reachable through a cycle are
 * visited afterwards in mapping order, so nothing is lost and nothing loops.
 */
function depthFirst(nodes: Map<string, Node>): Node[] {
  const order: Node[] = [];
  const stack: Node[] = [];
  const walk = (start: Node) => {
    stack.push(start);
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.walked) continue;
      node.walked = true;
      order.push(node);
      const children = node.children;
      for (let i = children.length - 1; i >= 0; i--) {
        const child = nodes.get(children[i]!);
        if (child !== undefined && !child.walked) stack.push(child);
      }
    }
  };
  // The roots (see roots()), then whatever they do not reach.
  for (const node of nodes.values()) if (node.parent === null || !nodes.has(node.parent)) walk(node);
  for (const node of nodes.values()) if (!node.walked) walk(node);
  return order;
}

/** The model that answered: the message's own slug, else the assistant reply's (the one on the shown branch first). */
function messageModel(node: Node, nodes: Map<string, Node>, nextOnPath: string | undefined): string | null {
  const own = modelSlug(node.message);
  if (own) return own;
  if (nextOnPath !== undefined) {
    const slug = replyModel(nodes.get(nextOnPath));
    if (slug) return slug;
  }
  for (const childId of node.children) {
    const slug = replyModel(nodes.get(childId));
    if (slug) return slug;
  }
  return null;
}

/** The model slug of an assistant reply, or null. */
function replyModel(node: Node | undefined): string | null {
  const message = node?.message;
  return message && role(message) === "assistant" ? modelSlug(message) : null;
}

function modelSlug(message: Message | null): string | null {
  if (message instanceof LazyMessage) return nonEmptyString(message.modelSlug);
  return message && isRecord(message.metadata) ? nonEmptyString(message.metadata.model_slug) : null;
}

function role(message: Message): string | null {
  if (message instanceof LazyMessage) return typeof message.role === "string" ? message.role : null;
  return isRecord(message.author) && typeof message.author.role === "string" ? message.author.role : null;
}

type UserMessage = { text: string; attachments: Attachment[] } | { skip: string };

/** A user-typed prompt, a reason to skip a user-role message, or null for turns that are not the user's. */
function readUserMessage(message: Json): UserMessage | null {
  if (role(message) !== "user") return null;
  const metadata = isRecord(message.metadata) ? message.metadata : {};
  const content = isRecord(message.content) ? message.content : {};
  const contentType = typeof content.content_type === "string" ? content.content_type : "text";
  if (contentType === "user_editable_context" || metadata.is_user_system_message === true) return { skip: "custom instructions" };
  if (metadata.is_visually_hidden_from_conversation === true) return { skip: "hidden message" };
  if (contentType !== "text" && contentType !== "multimodal_text") return { skip: `unsupported message type (${contentType.slice(0, 40)})` };

  const attachments = metadataAttachments(metadata.attachments);
  // The file ids already listed (made when the first pointer part is met: most prompts have none).
  let known: Set<string> | undefined;
  const pieces: string[] = [];
  const parts = Array.isArray(content.parts) ? content.parts : typeof content.text === "string" ? [content.text] : [];
  for (const part of parts) {
    if (typeof part === "string") {
      if (part !== "") pieces.push(part);
    } else if (isRecord(part)) {
      const partType = typeof part.content_type === "string" ? part.content_type : "";
      if (partType === "audio_transcription" && typeof part.text === "string") {
        if (part.text !== "") pieces.push(part.text);
        continue;
      }
      const kind = POINTER_KINDS[partType];
      const pointer = typeof part.asset_pointer === "string" ? part.asset_pointer : "";
      if (!kind || !pointer) continue;
      const fileId = pointer.replace(/^[a-z-]+:\/\//i, "");
      known ??= new Set(attachments.map((a) => a.id).filter((x) => x !== undefined));
      if (known.has(fileId)) continue;
      known.add(fileId);
      attachments.push({ name: fileId, kind });
    }
  }
  const text = wellFormed(cleanPromptText(pieces.join("\n")));
  const names = attachments.length === 0 ? [] : attachments.map(({ name, kind }) => (kind ? { name, kind } : { name }));
  if (text === "") return { skip: names.length > 0 ? "attachment-only message" : "empty message" };
  return { text, attachments: names };
}

const POINTER_KINDS: Record<string, string | undefined> = {
  image_asset_pointer: "image",
  audio_asset_pointer: "audio",
  real_time_user_audio_video_asset_pointer: "video",
};

function metadataAttachments(value: unknown): (Attachment & { id?: string })[] {
  if (!Array.isArray(value)) return [];
  const out: (Attachment & { id?: string })[] = [];
  for (const item of value) {
    if (!isRecord(item)) continue;
    const id = nonEmptyString(item.id) ?? undefined;
    const name = nonEmptyString(item.name) ?? id;
    if (!name) continue;
    out.push({ name, kind: kindOfMime(item.mime_type), id });
  }
  return out;
}

function kindOfMime(mime: unknown): string {
  if (typeof mime !== "string") return "file";
  const major = mime.split("/")[0]?.toLowerCase();
  return major === "image" || major === "audio" || major === "video" ? major : "file";
}

/**
 * Conversations without `id`/`conversation_id` (hand-made or truncated files) get `chatgpt-<hash>` from their
 * title, create_time and node ids, so the same conversation maps to the same id on every import; the file
 * position is mixed in only when none of those exist.
 */
function conversationId(conversation: Json, nodes: Map<string, Node>, ordinal: number): string {
  const own = nonEmptyString(conversation.id) ?? nonEmptyString(conversation.conversation_id);
  if (own) return own;
  const ids = [...nodes.keys()].sort().slice(0, 64);
  const material = [conversation.title ?? null, conversation.create_time ?? null, ids];
  if (ids.length === 0 && material[0] === null && material[1] === null) material.push(ordinal);
  return `chatgpt-${createHash("sha256").update(JSON.stringify(material)).digest("hex").slice(0, 24)}`;
}

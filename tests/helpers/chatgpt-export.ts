/**
 * Synthetic ChatGPT exports of the real shape (formats README §1): each conversation is a `mapping` tree
 * (root → hidden system message → user → assistant → user …), times are float seconds, models come from the
 * assistant replies' `model_slug`, and `current_node` is the last reply.
 */
export type ChatPrompt = string | { text: string; id?: string; time?: number; model?: string };
export type ChatConversation = { id: string; title: string; createTime: number; model?: string; prompts: ChatPrompt[] };

export function chatGptConversation(conversation: ChatConversation): Record<string, unknown> {
  const mapping: Record<string, unknown> = {};
  const rootId = `${conversation.id}-root`;
  const systemId = `${conversation.id}-sys`;
  mapping[rootId] = { id: rootId, message: null, parent: null, children: [systemId] };
  let parent = systemId;
  const system = {
    id: systemId,
    author: { role: "system", name: null, metadata: {} },
    create_time: null,
    content: { content_type: "text", parts: [""] },
    metadata: { is_visually_hidden_from_conversation: true },
  };
  const nodes: { id: string; message: Record<string, unknown> }[] = [{ id: systemId, message: system }];
  conversation.prompts.forEach((raw, i) => {
    const prompt = typeof raw === "string" ? { text: raw } : raw;
    const time = prompt.time ?? conversation.createTime + i * 60 + 0.25;
    const userId = prompt.id ?? `${conversation.id}-u${i}`;
    const replyId = `${conversation.id}-a${i}`;
    nodes.push({
      id: userId,
      message: { id: userId, author: { role: "user", name: null, metadata: {} }, create_time: time, content: { content_type: "text", parts: [prompt.text] }, metadata: {} },
    });
    nodes.push({
      id: replyId,
      message: {
        id: replyId,
        author: { role: "assistant", name: null, metadata: {} },
        create_time: time + 5,
        content: { content_type: "text", parts: [`Reply ${i}.`] },
        metadata: { model_slug: prompt.model ?? conversation.model ?? "gpt-4o" },
      },
    });
  });
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    mapping[node.id] = { id: node.id, message: node.message, parent, children: i + 1 < nodes.length ? [nodes[i + 1]!.id] : [] };
    parent = node.id;
  }
  return {
    title: conversation.title,
    create_time: conversation.createTime,
    update_time: conversation.createTime + conversation.prompts.length * 60,
    mapping,
    current_node: nodes[nodes.length - 1]!.id,
    conversation_id: conversation.id,
    id: conversation.id,
    default_model_slug: "auto",
  };
}

export function chatGptExport(conversations: ChatConversation[]): string {
  return JSON.stringify(conversations.map(chatGptConversation));
}

// ---- large synthetic exports ------------------------------------------------------------------------------

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ["ka", "lo", "mi", "ren", "tas", "vu", "po", "shi", "dar", "el", "quo", "ny", "fe", "gri", "zo", "bel", "an", "tor"];

export type SyntheticExport = {
  json: string;
  /** Prompts in the export, and how many of them were written as exact or near copies of earlier ones. */
  prompts: number;
  exactCopies: number;
  nearCopies: number;
  conversations: number;
};

/**
 * `prompts` prompts in conversations of `perConversation`: mostly new long prompts (~60 words), some short
 * ones, and copies of earlier prompts — exact (case and spacing changed) and near (one word changed) — spread
 * across the whole file, so duplicates cross the writer's batch boundaries.
 */
export function syntheticChatGptExport(options: { prompts: number; perConversation?: number; seed?: number }): SyntheticExport {
  const random = mulberry32(options.seed ?? 42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const word = () => Array.from({ length: 2 + Math.floor(random() * 2) }, () => pick(SYLLABLES)).join("");
  const sentence = (words: number) => Array.from({ length: words }, word).join(" ");
  const perConversation = options.perConversation ?? 10;
  const originals: string[] = [];
  const longOriginals: string[] = [];
  const conversations: ChatConversation[] = [];
  let exactCopies = 0;
  let nearCopies = 0;
  for (let i = 0; i < options.prompts; i++) {
    const roll = random();
    let text: string;
    if (roll < 0.1 && originals.length > 0) {
      const original = pick(originals);
      text = `  ${original.toUpperCase().replace(/ /g, random() < 0.5 ? "\n" : "   ")} `;
      exactCopies++;
    } else if (roll < 0.2 && longOriginals.length > 0) {
      const words = pick(longOriginals).split(" ");
      const at = 20 + Math.floor(random() * 20);
      words[at] = `${words[at]}x`;
      text = words.join(" ");
      nearCopies++;
    } else if (roll < 0.3) {
      text = sentence(3 + Math.floor(random() * 5));
      originals.push(text);
    } else {
      text = `${sentence(55 + Math.floor(random() * 10))}.`;
      originals.push(text);
      longOriginals.push(text);
    }
    const c = Math.floor(i / perConversation);
    if (!conversations[c]) {
      conversations[c] = {
        id: `synthetic-${String(c).padStart(5, "0")}`,
        title: `Conversation ${c}`,
        createTime: 1_700_000_000 + c * 3600,
        model: pick(["gpt-4o", "o3", "gpt-4o-mini"]),
        prompts: [],
      };
    }
    conversations[c]!.prompts.push(text);
  }
  return { json: chatGptExport(conversations), prompts: options.prompts, exactCopies, nearCopies, conversations: conversations.length };
}

import { zodResponseFormat } from "openai/helpers/zod";
import { z } from "zod";
import { AiEngineError, type EngineUsage } from "./engine";
import { OpenAiAdapter, usageOf } from "./openai-engine";
import { suggestTopics, TOPICS } from "./tagger";

/** Tagging by topic behind one interface: the offline heuristic, or an LLM when one is configured. */
export type TagItem = { id: string; text: string };

export type TagBatchResult = {
  /** Topic names per item id (lowercase, at most MAX_TAGS, strongest first); items without a topic are absent. */
  tags: Map<string, string[]>;
  /** Tokens of the call (null for the offline tagger, which calls nothing). */
  usage: EngineUsage | null;
  model: string;
};

export interface TopicTagger {
  readonly id: "offline" | "openai";
  readonly provider: string;
  readonly model: string;
  /** How many items one `tag` call takes. */
  readonly batchSize: number;
  tag(items: TagItem[]): Promise<TagBatchResult>;
}

export const MAX_TAGS = 3;
/** What an LLM sees of each prompt: enough to tell its topic, bounded so a batch stays small. */
const LLM_TEXT_CHARS = 1_500;

export class OfflineTagger implements TopicTagger {
  readonly id = "offline" as const;
  readonly provider = "builtin";
  readonly model = "topic-keywords";
  readonly batchSize = 500;

  async tag(items: TagItem[]): Promise<TagBatchResult> {
    const tags = new Map<string, string[]>();
    for (const item of items) {
      const found = suggestTopics(item.text).map((m) => m.tag);
      if (found.length > 0) tags.set(item.id, found);
    }
    return { tags, usage: null, model: this.model };
  }
}

const outputSchema = z.object({
  items: z.array(z.object({ index: z.number().int(), tags: z.array(z.string()) })),
});

const SYSTEM = `You tag prompts that people wrote to AI models by their topic, so they can find them again in a library.
For each prompt give 1 to ${MAX_TAGS} short lowercase topic tags, most fitting first. Prefer these tags: ${TOPICS.map((t) => t.tag).join(", ")}.
Use another tag (one or two plain words) only when none of those fits. Tag the topic, not the wording; give no tags to a prompt too short to tell.
The prompts come as a JSON array of {"index", "text"}. Return JSON only: {"items": [{"index": <the prompt's index>, "tags": [...]}]}, one entry per prompt.`;

/** An LLM (OpenAI or a compatible server, official SDK, JSON-schema output) tags up to `batchSize` prompts per call. */
export class OpenAiTagger extends OpenAiAdapter implements TopicTagger {
  readonly id = "openai" as const;
  readonly batchSize = 25;

  async tag(items: TagItem[]): Promise<TagBatchResult> {
    const input = JSON.stringify(items.map((item, index) => ({ index, text: item.text.slice(0, LLM_TEXT_CHARS) })));
    const { completion, content } = await this.complete(SYSTEM, input, zodResponseFormat(outputSchema, "prompt_topics"), 0);
    const usage = usageOf(completion, SYSTEM + input, content, this.config.model);
    const parsed = outputSchema.safeParse(safeJson(content));
    if (!parsed.success) {
      throw Object.assign(new AiEngineError("invalid_output", "The AI service answered, but not with topic tags."), { usage });
    }
    const tags = new Map<string, string[]>();
    for (const entry of parsed.data.items) {
      const item = items[entry.index];
      if (!item || tags.has(item.id)) continue;
      const names = [...new Set(entry.tags.map(normalizeTag).filter((t): t is string => t !== null))].slice(0, MAX_TAGS);
      if (names.length > 0) tags.set(item.id, names);
    }
    return { tags, usage, model: completion.model || this.config.model };
  }
}

/** A model's tag as a library tag name: lowercase words joined by "-", letters and digits only, 2–30 characters. */
export function normalizeTag(raw: string): string | null {
  const name = raw
    .normalize("NFKC")
    .toLowerCase()
    .replace(/^#/, "")
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "");
  return name.length >= 2 && name.length <= 30 ? name : null;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

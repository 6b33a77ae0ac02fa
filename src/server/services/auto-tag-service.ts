import { and, asc, eq, gt, inArray, isNull, notExists, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/client";
import { promptOccurrences, promptTags, prompts, tags } from "../db/schema";
import { AiEngineError, type AiFailure } from "../ai/engine";
import { FAILURE_OUTCOME, platformOpenAiConfig, userOpenAiConfig } from "../ai/openai-config";
import { topicColor } from "../ai/tagger";
import { OfflineTagger, OpenAiTagger, type TagItem, type TopicTagger } from "../ai/topic-tagger";
import { getEnv } from "../env";
import { parseInput, uuidSchema } from "./input";
import { ProviderKeyService, type UserAiKey } from "./provider-key-service";
import { UsageService } from "./usage-service";

export const AUTO_TAG_FEATURE = "auto_tag";

const autoTagSchema = z.object({
  /** Specific prompts; otherwise every live prompt of the library that has no tag yet. */
  promptIds: z.array(uuidSchema).max(500).optional(),
  limit: z.number().int().min(1).max(5_000).default(1_000),
});

/** Taggers are built per run, from the environment or the user's own key; tests construct them directly. */
export type TaggerFactory = {
  platform(): TopicTagger | null;
  user(key: UserAiKey): TopicTagger;
  offline(): TopicTagger;
};

export const defaultTaggers: TaggerFactory = {
  platform() {
    const config = getEnv().AUTO_TAG_ENGINE === "offline" ? null : platformOpenAiConfig();
    return config ? new OpenAiTagger(config) : null;
  },
  user: (key) => new OpenAiTagger(userOpenAiConfig(key)),
  offline: () => new OfflineTagger(),
};

/** Colours for tags an LLM names that are not among the offline topics: the same name, the same colour. */
const PALETTE = ["#3b82f6", "#14b8a6", "#8b5cf6", "#f97316", "#ec4899", "#22c55e", "#eab308", "#0ea5e9", "#f43f5e", "#a855f7", "#84cc16", "#10b981"];
function colorOf(name: string): string {
  const known = topicColor(name);
  if (known) return known;
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.codePointAt(0)!) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}

export type AutoTagResult = {
  examined: number;
  tagged: number;
  tagsCreated: string[];
  assignments: { promptId: string; tags: string[] }[];
  /** What tagged: "openai" (an LLM, on the platform's or the user's key) or "offline" (the keyword heuristic). */
  engine: "openai" | "offline";
  /** Set when the LLM failed and the offline tagger did the rest: what went wrong, for a person. */
  notice?: string;
};

/**
 * Tags prompts by topic: used by the library's "Auto-tag" action and, when asked, by imports. An LLM does it
 * when one is configured — the user's own key first (they chose to bring it), else the platform's
 * (`OPENAI_API_KEY`, unless AUTO_TAG_ENGINE=offline) — and the offline keyword tagger otherwise, or for the
 * rest of a run once the LLM fails. Every LLM call writes a usage event (feature `auto_tag`). Existing tags
 * are reused by name; missing ones are created. Tags a person already set are never removed.
 */
export class AutoTagService {
  private chosen: { tagger: TopicTagger; keySource: "platform" | "user" | "none" } | null = null;
  private notice: string | undefined;

  constructor(
    private readonly db: Database,
    private readonly userId: string,
    private readonly taggers: TaggerFactory = defaultTaggers,
  ) {}

  async run(rawInput: unknown = {}): Promise<AutoTagResult> {
    const input = parseInput(autoTagSchema, rawInput);
    const rows = await this.db
      .select({ id: prompts.id, title: prompts.title, body: sql<string>`left(${prompts.body}, 20000)` })
      .from(prompts)
      .where(
        and(
          eq(prompts.userId, this.userId),
          isNull(prompts.deletedAt),
          input.promptIds
            ? inArray(prompts.id, input.promptIds)
            : notExists(this.db.select({ one: sql`1` }).from(promptTags).where(eq(promptTags.promptId, prompts.id))),
        ),
      )
      .orderBy(asc(prompts.id))
      .limit(input.limit);
    return this.apply(rows);
  }

  /** Tags the prompts an imported file created (called by the importer when the person asked for it). */
  async tagImportedFile(fileId: string): Promise<AutoTagResult> {
    const total: Omit<AutoTagResult, "engine"> = { examined: 0, tagged: 0, tagsCreated: [], assignments: [] };
    let after = "00000000-0000-0000-0000-000000000000";
    for (;;) {
      const rows = await this.db
        .select({ id: prompts.id, title: prompts.title, body: sql<string>`left(${prompts.body}, 20000)` })
        .from(promptOccurrences)
        .innerJoin(prompts, eq(prompts.id, promptOccurrences.promptId))
        .where(and(eq(promptOccurrences.importFileId, fileId), eq(promptOccurrences.userId, this.userId), eq(promptOccurrences.isFirst, true), gt(prompts.id, after)))
        .orderBy(asc(prompts.id))
        .limit(500);
      if (rows.length === 0) return { ...total, engine: this.chosen?.tagger.id ?? "offline", ...(this.notice && { notice: this.notice }) };
      const result = await this.apply(rows);
      total.examined += result.examined;
      total.tagged += result.tagged;
      total.tagsCreated.push(...result.tagsCreated.filter((t) => !total.tagsCreated.includes(t)));
      after = rows[rows.length - 1]!.id;
    }
  }

  /** The tagger for this run (chosen once; the user's key is decrypted only when it will be used). */
  private async tagger() {
    if (this.chosen) return this.chosen;
    const ownKey = getEnv().AUTO_TAG_ENGINE === "offline" ? null : await new ProviderKeyService(this.db, this.userId).secret();
    const platform = ownKey ? null : this.taggers.platform();
    this.chosen = ownKey
      ? { tagger: this.taggers.user(ownKey), keySource: "user" }
      : platform
        ? { tagger: platform, keySource: "platform" }
        : { tagger: this.taggers.offline(), keySource: "none" };
    return this.chosen;
  }

  /** Topics per prompt, in the tagger's batches; an LLM failure hands this batch and the rest to the offline tagger. */
  private async suggest(rows: { id: string; title: string; body: string }[]): Promise<Map<string, string[]>> {
    const items: TagItem[] = rows.map((r) => ({ id: r.id, text: `${r.title}\n${r.body}` }));
    const found = new Map<string, string[]>();
    for (let at = 0; at < items.length; ) {
      const { tagger, keySource } = await this.tagger();
      const batch = items.slice(at, at + tagger.batchSize);
      const started = Date.now();
      try {
        const result = await tagger.tag(batch);
        if (result.usage) await this.record(tagger, keySource, Date.now() - started, "success", result.usage, result.model, batch.length);
        for (const [id, names] of result.tags) found.set(id, names);
        at += batch.length;
      } catch (error) {
        if (!(error instanceof AiEngineError)) throw error;
        const usage = (error as AiEngineError & { usage?: { inputTokens: number; outputTokens: number; cachedTokens: number } }).usage;
        await this.record(tagger, keySource, Date.now() - started, FAILURE_OUTCOME[error.reason], usage, tagger.model, batch.length, error.reason);
        this.notice = `The AI service failed (${error.message}) — the built-in topic tagger tagged the rest.`;
        this.chosen = { tagger: this.taggers.offline(), keySource: "none" };
      }
    }
    return found;
  }

  private async record(
    tagger: TopicTagger,
    keySource: "platform" | "user" | "none",
    latencyMs: number,
    outcome: "success" | "error" | "timeout" | "rate_limited" | "invalid_output",
    usage: { inputTokens: number; outputTokens: number; cachedTokens: number } | undefined,
    model: string,
    prompts: number,
    failure?: AiFailure,
  ) {
    await new UsageService(this.db).record({
      userId: this.userId,
      feature: AUTO_TAG_FEATURE,
      provider: tagger.provider,
      model,
      inputTokens: usage?.inputTokens ?? 0,
      outputTokens: usage?.outputTokens ?? 0,
      cachedTokens: usage?.cachedTokens ?? 0,
      latencyMs,
      outcome,
      keySource,
      metadata: { prompts, ...(failure && { failure }) },
    });
  }

  private async apply(rows: { id: string; title: string; body: string }[]): Promise<AutoTagResult> {
    const suggested = await this.suggest(rows);
    const engine = this.chosen?.tagger.id ?? "offline";
    const done = { engine, ...(this.notice && { notice: this.notice }) };
    const assignments = rows.flatMap((r) => (suggested.has(r.id) ? [{ promptId: r.id, tags: suggested.get(r.id)! }] : []));
    const names = [...new Set(assignments.flatMap((a) => a.tags))];
    if (names.length === 0) return { examined: rows.length, tagged: 0, tagsCreated: [], assignments: [], ...done };
    return this.db.transaction(async (tx) => {
      const existing = await tx
        .select({ id: tags.id, name: sql<string>`lower(${tags.name})` })
        .from(tags)
        .where(and(eq(tags.userId, this.userId), inArray(sql`lower(${tags.name})`, names)));
      const idByName = new Map(existing.map((t) => [t.name, t.id]));
      const missing = names.filter((n) => !idByName.has(n));
      if (missing.length > 0) {
        await tx
          .insert(tags)
          .values(missing.map((name) => ({ userId: this.userId, name, color: colorOf(name) })))
          .onConflictDoNothing();
        for (const t of await tx
          .select({ id: tags.id, name: sql<string>`lower(${tags.name})` })
          .from(tags)
          .where(and(eq(tags.userId, this.userId), inArray(sql`lower(${tags.name})`, missing)))) {
          idByName.set(t.name, t.id);
        }
      }
      const links = assignments.flatMap((a) => a.tags.map((name) => ({ promptId: a.promptId, tagId: idByName.get(name)!, userId: this.userId })));
      const inserted = await tx.insert(promptTags).values(links).onConflictDoNothing().returning({ promptId: promptTags.promptId });
      return { examined: rows.length, tagged: new Set(inserted.map((r) => r.promptId)).size, tagsCreated: missing, assignments, ...done };
    });
  }
}

import { and, asc, eq, gt, inArray, isNull, notExists, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/client";
import { promptOccurrences, promptTags, prompts, tags } from "../db/schema";
import { suggestTopics, topicColor } from "../ai/tagger";
import { parseInput, uuidSchema } from "./input";

const autoTagSchema = z.object({
  /** Specific prompts; otherwise every live prompt of the library that has no tag yet. */
  promptIds: z.array(uuidSchema).max(500).optional(),
  limit: z.number().int().min(1).max(5_000).default(1_000),
});

export type AutoTagResult = { examined: number; tagged: number; tagsCreated: string[]; assignments: { promptId: string; tags: string[] }[] };

/**
 * Tags prompts by topic with the offline tagger (src/server/ai/tagger.ts): used by the library's "Auto-tag"
 * action and, when asked, by imports. Existing tags are reused by name; missing ones are created with the
 * topic's colour. Tags a person already set are never removed.
 */
export class AutoTagService {
  constructor(
    private readonly db: Database,
    private readonly userId: string,
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
    const total: AutoTagResult = { examined: 0, tagged: 0, tagsCreated: [], assignments: [] };
    let after = "00000000-0000-0000-0000-000000000000";
    for (;;) {
      const rows = await this.db
        .select({ id: prompts.id, title: prompts.title, body: sql<string>`left(${prompts.body}, 20000)` })
        .from(promptOccurrences)
        .innerJoin(prompts, eq(prompts.id, promptOccurrences.promptId))
        .where(and(eq(promptOccurrences.importFileId, fileId), eq(promptOccurrences.userId, this.userId), eq(promptOccurrences.isFirst, true), gt(prompts.id, after)))
        .orderBy(asc(prompts.id))
        .limit(500);
      if (rows.length === 0) return total;
      const result = await this.apply(rows);
      total.examined += result.examined;
      total.tagged += result.tagged;
      total.tagsCreated.push(...result.tagsCreated.filter((t) => !total.tagsCreated.includes(t)));
      after = rows[rows.length - 1]!.id;
    }
  }

  private async apply(rows: { id: string; title: string; body: string }[]): Promise<AutoTagResult> {
    const assignments = rows.map((r) => ({ promptId: r.id, tags: suggestTopics(`${r.title}\n${r.body}`).map((m) => m.tag) })).filter((a) => a.tags.length > 0);
    const names = [...new Set(assignments.flatMap((a) => a.tags))];
    if (names.length === 0) return { examined: rows.length, tagged: 0, tagsCreated: [], assignments: [] };
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
          .values(missing.map((name) => ({ userId: this.userId, name, color: topicColor(name) ?? "#64748b" })))
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
      return { examined: rows.length, tagged: new Set(inserted.map((r) => r.promptId)).size, tagsCreated: missing, assignments };
    });
  }
}

import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import { promptTags, prompts, tags } from "../db/schema";
import { ServiceError, notFound } from "../errors";
import { parseInput, requireId } from "./input";

/** The palette the UI offers; any #rrggbb colour is accepted. */
export const TAG_COLORS = ["#64748b", "#ef4444", "#f97316", "#eab308", "#22c55e", "#14b8a6", "#3b82f6", "#8b5cf6", "#ec4899"] as const;

const color = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^#[0-9a-f]{6}$/, "must be a colour like #3b82f6");
const createTagSchema = z.object({ name: z.string().trim().min(1, "is required").max(50), color: color.optional() });
const updateTagSchema = z
  .object({ name: z.string().trim().min(1, "is required").max(50).optional(), color: color.optional() })
  .refine((v) => v.name !== undefined || v.color !== undefined, "nothing to update");

export type Tag = { id: string; name: string; color: string; promptCount: number; createdAt: Date; updatedAt: Date };

export class TagService {
  constructor(
    private readonly db: Database,
    private readonly userId: string,
  ) {}

  list(): Promise<Tag[]> {
    return this.query();
  }

  private query(id?: string): Promise<Tag[]> {
    return this.db
      .select({
        id: tags.id,
        name: tags.name,
        color: tags.color,
        // Conditions go in nested sql (eq/and): in a single-table select Drizzle strips the table from bare
        // column references, which would compare prompt_tags.tag_id with prompts.id.
        promptCount: sql<number>`(select count(*)::int from ${promptTags} join ${prompts} on ${eq(prompts.id, promptTags.promptId)} where ${and(eq(promptTags.tagId, tags.id), isNull(prompts.deletedAt))})`,
        createdAt: tags.createdAt,
        updatedAt: tags.updatedAt,
      })
      .from(tags)
      .where(and(eq(tags.userId, this.userId), id ? eq(tags.id, id) : undefined))
      .orderBy(asc(sql`lower(${tags.name})`));
  }

  async get(rawId: string): Promise<Tag> {
    const id = requireId(rawId, "Tag");
    const [tag] = await this.query(id);
    if (!tag) throw notFound("Tag");
    return tag;
  }

  async create(rawInput: unknown): Promise<Tag> {
    const input = parseInput(createTagSchema, rawInput);
    const fallback = TAG_COLORS[hash(input.name.toLowerCase()) % TAG_COLORS.length]!;
    try {
      // A savepoint of its own: a duplicate name must not abort a caller's enclosing transaction.
      const [row] = await this.db.transaction((tx) =>
        tx
          .insert(tags)
          .values({ userId: this.userId, name: input.name, color: input.color ?? fallback })
          .returning({ id: tags.id }),
      );
      return this.get(row!.id);
    } catch (error) {
      throw this.duplicate(error, input.name);
    }
  }

  async update(rawId: string, rawInput: unknown): Promise<Tag> {
    const id = requireId(rawId, "Tag");
    const input = parseInput(updateTagSchema, rawInput);
    try {
      const [row] = await this.db.transaction((tx) =>
        tx
          .update(tags)
          .set({ ...input, updatedAt: sql`now()` })
          .where(and(eq(tags.id, id), eq(tags.userId, this.userId)))
          .returning({ id: tags.id }),
      );
      if (!row) throw notFound("Tag");
    } catch (error) {
      throw this.duplicate(error, input.name ?? "");
    }
    return this.get(id);
  }

  async delete(rawId: string): Promise<void> {
    const id = requireId(rawId, "Tag");
    const [row] = await this.db
      .delete(tags)
      .where(and(eq(tags.id, id), eq(tags.userId, this.userId)))
      .returning({ id: tags.id });
    if (!row) throw notFound("Tag");
  }

  private duplicate(error: unknown, name: string): unknown {
    return isUniqueViolation(error, "tags_user_name_unique") ? new ServiceError("conflict", `You already have a tag named "${name}".`) : error;
  }
}

function hash(s: string): number {
  let h = 0;
  for (const ch of s) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h;
}

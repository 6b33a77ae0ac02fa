import { and, asc, desc, eq, inArray, isNotNull, isNull, sql } from "drizzle-orm";
import { effectiveParameters, renderTemplate } from "@/lib/templates";
import type { Database } from "../../db/client";
import { folders, importFiles, promptLabels, promptOccurrences, promptTags, promptVersions, prompts, tags, users, type PromptSource, type PromptSourceDetail } from "../../db/schema";
import { ServiceError, notFound } from "../../errors";
import { parseInput, requireId } from "../input";
import { PlanLimiter } from "../plan-limiter";
import { listPrompts } from "./list";
import { createPromptSchema, promptSelectorSchema, renderSchema, updatePromptSchema, type ListPromptsInput } from "./schemas";
import type { PromptDetail } from "./types";

type PromptRow = typeof prompts.$inferSelect;

/** Extra fields the importer and other services set; not accepted from the public API. */
export type PromptOrigin = {
  source?: PromptSource;
  sourceDetail?: PromptSourceDetail;
  importSessionId?: string | null;
  fingerprint?: string | null;
};

/**
 * The library: prompts, their trash, and what a version of them renders to. Every query is scoped to the
 * acting user; an id that belongs to somebody else is indistinguishable from one that does not exist.
 */
export class PromptService {
  constructor(
    private readonly db: Database,
    private readonly userId: string,
  ) {}

  list(input: ListPromptsInput | unknown) {
    return listPrompts(this.db, this.userId, input);
  }

  async create(rawInput: unknown, origin: PromptOrigin = {}): Promise<PromptDetail> {
    const input = parseInput(createPromptSchema, rawInput);
    const title = input.title ?? titleFromBody(input.body);
    const id = await this.db.transaction(async (tx) => {
      await new PlanLimiter(tx, this.userId).assert("prompts", 1);
      if (input.folderId) await this.requireFolder(tx, input.folderId);
      const tagIds = await this.requireTags(tx, input.tagIds ?? []);
      const [row] = await tx
        .insert(prompts)
        .values({
          userId: this.userId,
          title,
          body: input.body,
          description: input.description ?? "",
          notes: input.notes ?? "",
          modelHint: input.modelHint ?? null,
          folderId: input.folderId ?? null,
          isFavorite: input.isFavorite ?? false,
          parameters: input.parameters ?? [],
          source: origin.source ?? "manual",
          sourceDetail: origin.sourceDetail ?? {},
          importSessionId: origin.importSessionId ?? null,
          fingerprint: origin.fingerprint ?? null,
          currentVersion: 1,
        })
        .returning({ id: prompts.id });
      await tx.insert(promptVersions).values({
        promptId: row!.id,
        userId: this.userId,
        number: 1,
        title,
        body: input.body,
        parameters: input.parameters ?? [],
        message: input.message ?? "Created",
        authorId: this.userId,
      });
      if (tagIds.length > 0) await tx.insert(promptTags).values(tagIds.map((tagId) => ({ promptId: row!.id, tagId, userId: this.userId })));
      return row!.id;
    });
    return this.get(id);
  }

  /** A prompt as of its latest version, or as of a label (`production`) or a version number. */
  async get(rawId: string, selector: unknown = {}): Promise<PromptDetail> {
    const id = requireId(rawId, "Prompt");
    const select = parseInput(promptSelectorSchema, selector);
    const row = await this.findOwned(this.db, id, { includeTrashed: true });

    let versionNumber = row.currentVersion;
    let selectedBy: PromptDetail["selectedBy"] = "latest";
    if (select.label && select.label.toLowerCase() !== "latest") {
      const [label] = await this.db
        .select({ number: promptVersions.number })
        .from(promptLabels)
        .innerJoin(promptVersions, eq(promptVersions.id, promptLabels.versionId))
        .where(and(eq(promptLabels.promptId, id), eq(promptLabels.name, select.label.toLowerCase())));
      if (!label) throw notFound(`Label "${select.label}"`);
      versionNumber = label.number;
      selectedBy = "label";
    } else if (select.version) {
      versionNumber = select.version;
      selectedBy = "version";
    }

    const [version] = await this.db
      .select({
        number: promptVersions.number,
        title: promptVersions.title,
        body: promptVersions.body,
        parameters: promptVersions.parameters,
        message: promptVersions.message,
        authorId: promptVersions.authorId,
        authorName: sql<string | null>`coalesce(${users.displayName}, ${users.email})`,
        restoredFrom: promptVersions.restoredFrom,
        createdAt: promptVersions.createdAt,
      })
      .from(promptVersions)
      .leftJoin(users, eq(users.id, promptVersions.authorId))
      .where(and(eq(promptVersions.promptId, id), eq(promptVersions.number, versionNumber)));
    if (!version) throw notFound(`Version ${versionNumber}`);

    const [folder, tagRows, labelRows] = await Promise.all([
      row.folderId
        ? this.db.select({ id: folders.id, name: folders.name }).from(folders).where(eq(folders.id, row.folderId)).then((r) => r[0] ?? null)
        : Promise.resolve(null),
      this.db
        .select({ id: tags.id, name: tags.name, color: tags.color })
        .from(promptTags)
        .innerJoin(tags, eq(tags.id, promptTags.tagId))
        .where(eq(promptTags.promptId, id))
        .orderBy(asc(sql`lower(${tags.name})`)),
      this.db
        .select({ name: promptLabels.name, version: promptVersions.number, updatedAt: promptLabels.updatedAt })
        .from(promptLabels)
        .innerJoin(promptVersions, eq(promptVersions.id, promptLabels.versionId))
        .where(eq(promptLabels.promptId, id))
        .orderBy(asc(promptLabels.name)),
    ]);

    const { title, body, parameters, ...versionInfo } = version;
    return {
      id: row.id,
      title,
      body,
      description: row.description,
      notes: row.notes,
      modelHint: row.modelHint,
      parameters,
      variables: effectiveParameters(body, parameters),
      folder,
      tags: tagRows,
      isFavorite: row.isFavorite,
      source: row.source,
      sourceDetail: row.sourceDetail,
      currentVersion: row.currentVersion,
      useCount: row.useCount,
      labels: labelRows,
      version: versionInfo,
      selectedBy,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      deletedAt: row.deletedAt,
    };
  }

  /**
   * Saves changes. A change of title, body or parameters writes a new immutable version (with the given
   * message); other fields (folder, tags, favourite, notes…) are metadata and change in place.
   */
  async update(rawId: string, rawInput: unknown): Promise<PromptDetail> {
    const id = requireId(rawId, "Prompt");
    const input = parseInput(updatePromptSchema, rawInput);
    await this.db.transaction(async (tx) => {
      const row = await this.findOwned(tx, id, { forUpdate: true });
      if (input.baseVersion !== undefined && input.baseVersion !== row.currentVersion) {
        throw new ServiceError(
          "conflict",
          `This prompt was saved as version ${row.currentVersion} after you opened version ${input.baseVersion}. Reload to see the changes, then save again.`,
          { currentVersion: row.currentVersion },
        );
      }
      if (input.folderId) await this.requireFolder(tx, input.folderId);
      const tagIds = input.tagIds ? await this.requireTags(tx, input.tagIds) : undefined;

      const [current] = await tx
        .select({ title: promptVersions.title, body: promptVersions.body, parameters: promptVersions.parameters })
        .from(promptVersions)
        .where(and(eq(promptVersions.promptId, id), eq(promptVersions.number, row.currentVersion)));
      const next = {
        title: input.title ?? current!.title,
        body: input.body ?? current!.body,
        parameters: input.parameters ?? current!.parameters,
      };
      const contentChanged =
        next.title !== current!.title || next.body !== current!.body || !sameParameters(next.parameters, current!.parameters);

      let currentVersion = row.currentVersion;
      if (contentChanged) {
        currentVersion += 1;
        await tx.insert(promptVersions).values({
          promptId: id,
          userId: this.userId,
          number: currentVersion,
          ...next,
          message: input.message || describeChange(current!, next),
          authorId: this.userId,
        });
      }

      await tx
        .update(prompts)
        .set({
          ...next,
          currentVersion,
          ...(input.description !== undefined && { description: input.description }),
          ...(input.notes !== undefined && { notes: input.notes }),
          ...(input.modelHint !== undefined && { modelHint: input.modelHint }),
          ...(input.folderId !== undefined && { folderId: input.folderId }),
          ...(input.isFavorite !== undefined && { isFavorite: input.isFavorite }),
          updatedAt: sql`now()`,
        })
        .where(and(eq(prompts.id, id), eq(prompts.userId, this.userId)));

      if (tagIds) {
        await tx.delete(promptTags).where(eq(promptTags.promptId, id));
        if (tagIds.length > 0) await tx.insert(promptTags).values(tagIds.map((tagId) => ({ promptId: id, tagId, userId: this.userId })));
      }
    });
    return this.get(id);
  }

  /** Moves a prompt to the trash; it keeps its versions and can be restored. */
  async trash(rawId: string): Promise<void> {
    const id = requireId(rawId, "Prompt");
    const [row] = await this.db
      .update(prompts)
      .set({ deletedAt: sql`now()` })
      .where(and(eq(prompts.id, id), eq(prompts.userId, this.userId), isNull(prompts.deletedAt)))
      .returning({ id: prompts.id });
    if (!row) await this.findOwned(this.db, id, { includeTrashed: true }); // not found → 404; already trashed → no-op
  }

  async restoreFromTrash(rawId: string): Promise<PromptDetail> {
    const id = requireId(rawId, "Prompt");
    const [row] = await this.db
      .update(prompts)
      .set({ deletedAt: null, updatedAt: sql`now()` })
      .where(and(eq(prompts.id, id), eq(prompts.userId, this.userId), isNotNull(prompts.deletedAt)))
      .returning({ id: prompts.id });
    if (!row) await this.findOwned(this.db, id, { includeTrashed: true });
    return this.get(id);
  }

  /** Deletes a trashed prompt for good, with its versions, labels and share links. */
  async purge(rawId: string): Promise<void> {
    const id = requireId(rawId, "Prompt");
    const row = await this.findOwned(this.db, id, { includeTrashed: true });
    if (!row.deletedAt) throw new ServiceError("conflict", "Move the prompt to the trash before deleting it permanently.");
    await this.db.delete(prompts).where(and(eq(prompts.id, id), eq(prompts.userId, this.userId)));
  }

  /** Empties the trash. Returns how many prompts were deleted. */
  async emptyTrash(): Promise<number> {
    const rows = await this.db
      .delete(prompts)
      .where(and(eq(prompts.userId, this.userId), isNotNull(prompts.deletedAt)))
      .returning({ id: prompts.id });
    return rows.length;
  }

  /** Fills the template of a version (latest, labelled or numbered) with values checked against its parameters. */
  async render(rawId: string, rawInput: unknown): Promise<{ text: string; version: number }> {
    const input = parseInput(renderSchema, rawInput);
    const prompt = await this.get(rawId, { label: input.label, version: input.version });
    const result = renderTemplate(prompt.body, prompt.parameters, input.values);
    if (!result.ok) {
      throw new ServiceError("invalid", `Invalid input — ${result.problems.map((p) => p.message).join(" ")}`, {
        fields: result.problems.map((p) => ({ path: `values.${p.name}`, message: p.message })),
      });
    }
    return { text: result.text, version: prompt.version.number };
  }

  /** Where an imported prompt was seen: each conversation it came from, newest first (at most `limit`). */
  async occurrences(rawId: string, limit = 200) {
    const id = requireId(rawId, "Prompt");
    await this.findOwned(this.db, id, { includeTrashed: true });
    return this.db
      .select({
        id: promptOccurrences.id,
        source: promptOccurrences.source,
        conversationId: promptOccurrences.conversationId,
        conversationTitle: promptOccurrences.conversationTitle,
        model: promptOccurrences.model,
        occurredAt: promptOccurrences.occurredAt,
        activeBranch: promptOccurrences.activeBranch,
        variantText: promptOccurrences.variantText,
        importId: importFiles.sessionId,
        fileName: importFiles.fileName,
      })
      .from(promptOccurrences)
      .leftJoin(importFiles, eq(importFiles.id, promptOccurrences.importFileId))
      .where(and(eq(promptOccurrences.promptId, id), eq(promptOccurrences.userId, this.userId)))
      .orderBy(sql`${promptOccurrences.occurredAt} desc nulls last`, desc(promptOccurrences.createdAt))
      .limit(limit);
  }

  // ---- ownership helpers ------------------------------------------------------------------------------

  async findOwned(db: Database, id: string, options: { includeTrashed?: boolean; forUpdate?: boolean } = {}): Promise<PromptRow> {
    const query = db
      .select()
      .from(prompts)
      .where(and(eq(prompts.id, id), eq(prompts.userId, this.userId)));
    const [row] = options.forUpdate ? await query.for("update") : await query;
    if (!row) throw notFound("Prompt");
    if (row.deletedAt && !options.includeTrashed) {
      throw new ServiceError("conflict", "This prompt is in the trash. Restore it before changing it.");
    }
    return row;
  }

  private async requireFolder(db: Database, folderId: string): Promise<void> {
    const [folder] = await db
      .select({ id: folders.id })
      .from(folders)
      .where(and(eq(folders.id, folderId), eq(folders.userId, this.userId)));
    if (!folder) throw notFound("Folder");
  }

  private async requireTags(db: Database, tagIds: string[]): Promise<string[]> {
    const unique = [...new Set(tagIds.map((t) => t.toLowerCase()))];
    if (unique.length === 0) return [];
    const owned = await db
      .select({ id: tags.id })
      .from(tags)
      .where(and(eq(tags.userId, this.userId), inArray(tags.id, unique)));
    if (owned.length !== unique.length) throw notFound("Tag");
    return unique;
  }
}

export function titleFromBody(body: string): string {
  const firstLine = body.trim().split("\n", 1)[0]!.trim();
  const words = firstLine.replace(/\s+/g, " ");
  return words.length <= 80 ? words : `${words.slice(0, 77).trimEnd()}…`;
}

function describeChange(before: { title: string; body: string; parameters: unknown }, after: { title: string; body: string; parameters: unknown }): string {
  const parts: string[] = [];
  if (before.title !== after.title) parts.push("title");
  if (before.body !== after.body) parts.push("body");
  if (!sameParameters(before.parameters, after.parameters)) parts.push("parameters");
  return `Edited ${parts.join(", ")}`;
}

/**
 * Parameters come back from jsonb with its own key order (shorter keys first), while input follows the zod
 * schema's order, so the comparison must ignore key order or an unchanged save writes a spurious version.
 */
function sameParameters(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) : v,
  );
}

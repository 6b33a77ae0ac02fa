import { diffLines, diffWordsWithSpace } from "diff";
import { and, asc, desc, eq, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { promptLabels, promptVersions, prompts, users } from "../../db/schema";
import { ServiceError, notFound } from "../../errors";
import { parseInput, requireId } from "../input";
import { PromptService } from "./prompt-service";
import { diffSchema, labelNameSchema, restoreVersionSchema, setLabelSchema } from "./schemas";
import type { LabelRef, PromptDetail, VersionInfo } from "./types";

export type DiffPart = { value: string; added: boolean; removed: boolean };
export type VersionDiff = {
  from: VersionInfo;
  to: VersionInfo;
  title: DiffPart[];
  body: DiffPart[];
  parametersChanged: boolean;
};

/** A prompt's history: immutable versions, diffs between any two, restore, and movable labels. */
export class VersionService {
  private readonly prompts: PromptService;

  constructor(
    private readonly db: Database,
    private readonly userId: string,
  ) {
    this.prompts = new PromptService(db, userId);
  }

  async list(rawPromptId: string): Promise<(VersionInfo & { title: string; labels: string[] })[]> {
    const promptId = requireId(rawPromptId, "Prompt");
    await this.prompts.findOwned(this.db, promptId, { includeTrashed: true });
    const rows = await this.db
      .select({
        number: promptVersions.number,
        title: promptVersions.title,
        message: promptVersions.message,
        authorId: promptVersions.authorId,
        authorName: sql<string | null>`coalesce(${users.displayName}, ${users.email})`,
        restoredFrom: promptVersions.restoredFrom,
        createdAt: promptVersions.createdAt,
        labels: sql<string[]>`coalesce((select array_agg(${promptLabels.name} order by ${promptLabels.name}) from ${promptLabels} where ${promptLabels.versionId} = ${promptVersions.id}), '{}')`,
      })
      .from(promptVersions)
      .leftJoin(users, eq(users.id, promptVersions.authorId))
      .where(eq(promptVersions.promptId, promptId))
      .orderBy(desc(promptVersions.number));
    return rows;
  }

  async get(rawPromptId: string, number: number) {
    const promptId = requireId(rawPromptId, "Prompt");
    await this.prompts.findOwned(this.db, promptId, { includeTrashed: true });
    return this.loadVersion(this.db, promptId, number);
  }

  async diff(rawPromptId: string, rawInput: unknown): Promise<VersionDiff> {
    const promptId = requireId(rawPromptId, "Prompt");
    const input = parseInput(diffSchema, rawInput);
    await this.prompts.findOwned(this.db, promptId, { includeTrashed: true });
    const [from, to] = await Promise.all([this.loadVersion(this.db, promptId, input.from), this.loadVersion(this.db, promptId, input.to)]);
    const strip = ({ title: _t, body: _b, parameters: _p, id: _i, ...info }: typeof from) => info;
    return {
      from: strip(from),
      to: strip(to),
      title: diffWordsWithSpace(from.title, to.title).map(part),
      body: diffLines(from.body, to.body).map(part),
      parametersChanged: JSON.stringify(from.parameters) !== JSON.stringify(to.parameters),
    };
  }

  /** Restoring never rewrites history: the old content becomes a new, latest version. */
  async restore(rawPromptId: string, number: number, rawInput: unknown = {}): Promise<PromptDetail> {
    const promptId = requireId(rawPromptId, "Prompt");
    const input = parseInput(restoreVersionSchema, rawInput);
    await this.db.transaction(async (tx) => {
      const row = await this.prompts.findOwned(tx, promptId, { forUpdate: true });
      const source = await this.loadVersion(tx, promptId, number);
      const next = row.currentVersion + 1;
      await tx.insert(promptVersions).values({
        promptId,
        userId: this.userId,
        number: next,
        title: source.title,
        body: source.body,
        parameters: source.parameters,
        message: input.message || `Restored version ${number}`,
        authorId: this.userId,
        restoredFrom: number,
      });
      await tx
        .update(prompts)
        .set({ title: source.title, body: source.body, parameters: source.parameters, currentVersion: next, updatedAt: sql`now()` })
        .where(and(eq(prompts.id, promptId), eq(prompts.userId, this.userId)));
    });
    return this.prompts.get(promptId);
  }

  async labels(rawPromptId: string): Promise<LabelRef[]> {
    const promptId = requireId(rawPromptId, "Prompt");
    await this.prompts.findOwned(this.db, promptId, { includeTrashed: true });
    return this.db
      .select({ name: promptLabels.name, version: promptVersions.number, updatedAt: promptLabels.updatedAt })
      .from(promptLabels)
      .innerJoin(promptVersions, eq(promptVersions.id, promptLabels.versionId))
      .where(eq(promptLabels.promptId, promptId))
      .orderBy(asc(promptLabels.name));
  }

  /** Points a label at a version, creating the label or moving it from wherever it was. */
  async setLabel(rawPromptId: string, rawName: string, rawInput: unknown): Promise<LabelRef> {
    const promptId = requireId(rawPromptId, "Prompt");
    const name = parseInput(labelNameSchema, rawName);
    const input = parseInput(setLabelSchema, rawInput);
    return this.db.transaction(async (tx) => {
      await this.prompts.findOwned(tx, promptId);
      const version = await this.loadVersion(tx, promptId, input.version);
      const [label] = await tx
        .insert(promptLabels)
        .values({ promptId, name, versionId: version.id, userId: this.userId })
        .onConflictDoUpdate({ target: [promptLabels.promptId, promptLabels.name], set: { versionId: version.id, updatedAt: sql`now()` } })
        .returning({ name: promptLabels.name, updatedAt: promptLabels.updatedAt });
      return { name: label!.name, version: version.number, updatedAt: label!.updatedAt };
    });
  }

  async removeLabel(rawPromptId: string, rawName: string): Promise<void> {
    const promptId = requireId(rawPromptId, "Prompt");
    await this.prompts.findOwned(this.db, promptId);
    const [row] = await this.db
      .delete(promptLabels)
      .where(and(eq(promptLabels.promptId, promptId), eq(promptLabels.userId, this.userId), eq(promptLabels.name, rawName.trim().toLowerCase())))
      .returning({ name: promptLabels.name });
    if (!row) throw notFound(`Label "${rawName}"`);
  }

  private async loadVersion(db: Database, promptId: string, number: number) {
    if (!Number.isInteger(number) || number < 1) throw new ServiceError("not_found", `Version ${number} not found.`);
    const [version] = await db
      .select({
        id: promptVersions.id,
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
      .where(and(eq(promptVersions.promptId, promptId), eq(promptVersions.number, number)));
    if (!version) throw notFound(`Version ${number}`);
    return version;
  }
}

function part(change: { value: string; added?: boolean; removed?: boolean }): DiffPart {
  return { value: change.value, added: Boolean(change.added), removed: Boolean(change.removed) };
}

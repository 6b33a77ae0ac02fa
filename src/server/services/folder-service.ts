import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import { folders, prompts } from "../db/schema";
import { ServiceError, notFound } from "../errors";
import { parseInput, requireId } from "./input";

const folderSchema = z.object({ name: z.string().trim().min(1, "is required").max(100) });

export type Folder = { id: string; name: string; promptCount: number; createdAt: Date; updatedAt: Date };

/** Folders group prompts; deleting one keeps its prompts, unfiled. */
export class FolderService {
  constructor(
    private readonly db: Database,
    private readonly userId: string,
  ) {}

  list(): Promise<Folder[]> {
    return this.query();
  }

  private query(id?: string): Promise<Folder[]> {
    return this.db
      .select({
        id: folders.id,
        name: folders.name,
        // Conditions go in nested sql (eq/and): in a single-table select Drizzle strips the table from bare
        // column references, which would turn `folder_id = folders.id` into `folder_id = id` (prompts.id).
        promptCount: sql<number>`(select count(*)::int from ${prompts} where ${and(eq(prompts.folderId, folders.id), isNull(prompts.deletedAt))})`,
        createdAt: folders.createdAt,
        updatedAt: folders.updatedAt,
      })
      .from(folders)
      .where(and(eq(folders.userId, this.userId), id ? eq(folders.id, id) : undefined))
      .orderBy(asc(sql`lower(${folders.name})`));
  }

  async get(rawId: string): Promise<Folder> {
    const id = requireId(rawId, "Folder");
    const [folder] = await this.query(id);
    if (!folder) throw notFound("Folder");
    return folder;
  }

  async create(rawInput: unknown): Promise<Folder> {
    const input = parseInput(folderSchema, rawInput);
    try {
      // A savepoint of its own: a duplicate name must not abort a caller's enclosing transaction.
      const [row] = await this.db.transaction((tx) => tx.insert(folders).values({ userId: this.userId, name: input.name }).returning({ id: folders.id }));
      return this.get(row!.id);
    } catch (error) {
      throw this.duplicate(error, input.name);
    }
  }

  async rename(rawId: string, rawInput: unknown): Promise<Folder> {
    const id = requireId(rawId, "Folder");
    const input = parseInput(folderSchema, rawInput);
    try {
      const [row] = await this.db.transaction((tx) =>
        tx
          .update(folders)
          .set({ name: input.name, updatedAt: sql`now()` })
          .where(and(eq(folders.id, id), eq(folders.userId, this.userId)))
          .returning({ id: folders.id }),
      );
      if (!row) throw notFound("Folder");
    } catch (error) {
      throw this.duplicate(error, input.name);
    }
    return this.get(id);
  }

  async delete(rawId: string): Promise<void> {
    const id = requireId(rawId, "Folder");
    const [row] = await this.db
      .delete(folders)
      .where(and(eq(folders.id, id), eq(folders.userId, this.userId)))
      .returning({ id: folders.id });
    if (!row) throw notFound("Folder");
  }

  private duplicate(error: unknown, name: string): unknown {
    return isUniqueViolation(error, "folders_user_name_unique") ? new ServiceError("conflict", `You already have a folder named "${name}".`) : error;
  }
}

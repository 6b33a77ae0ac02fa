import { asc, eq } from "drizzle-orm";
import type { Database } from "../../src/server/db/client";
import { folders, promptLabels, promptTags, promptVersions, prompts, tags, users } from "../../src/server/db/schema";

/**
 * Everything a user owns, read straight from the tables in a stable order. Comparing two snapshots proves
 * that a request changed nothing of theirs.
 */
export async function snapshotUser(db: Database, userId: string) {
  const [user, promptRows, versionRows, labelRows, tagLinks, folderRows, tagRows] = await Promise.all([
    db.select().from(users).where(eq(users.id, userId)),
    db.select().from(prompts).where(eq(prompts.userId, userId)).orderBy(asc(prompts.id)),
    db.select().from(promptVersions).where(eq(promptVersions.userId, userId)).orderBy(asc(promptVersions.promptId), asc(promptVersions.number)),
    db.select().from(promptLabels).where(eq(promptLabels.userId, userId)).orderBy(asc(promptLabels.promptId), asc(promptLabels.name)),
    db.select().from(promptTags).where(eq(promptTags.userId, userId)).orderBy(asc(promptTags.promptId), asc(promptTags.tagId)),
    db.select().from(folders).where(eq(folders.userId, userId)).orderBy(asc(folders.id)),
    db.select().from(tags).where(eq(tags.userId, userId)).orderBy(asc(tags.id)),
  ]);
  return { user, prompts: promptRows, versions: versionRows, labels: labelRows, tagLinks, folders: folderRows, tags: tagRows };
}

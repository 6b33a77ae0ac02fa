import { randomUUID } from "node:crypto";
import type { Database } from "../../src/server/db/client";
import { sessions, users } from "../../src/server/db/schema";
import { hashToken, newSessionToken } from "../../src/server/auth/tokens";
import { SESSION_COOKIE } from "../../src/server/auth";
import { PromptService } from "../../src/server/services/prompts/prompt-service";
import { FolderService } from "../../src/server/services/folder-service";
import { TagService } from "../../src/server/services/tag-service";
import type { CreatePromptInput } from "../../src/server/services/prompts/schemas";

export type TestUser = { id: string; email: string; cookie: string };

/** A user with a live session; `cookie` is the Cookie header a browser would send. */
export async function createUser(db: Database, overrides: Partial<typeof users.$inferInsert> = {}): Promise<TestUser> {
  const email = overrides.email ?? `user-${randomUUID()}@example.test`;
  const [row] = await db
    .insert(users)
    .values({ email, displayName: "Test User", ...overrides })
    .returning({ id: users.id });
  const token = newSessionToken();
  await db.insert(sessions).values({ tokenHash: hashToken(token), userId: row!.id, expiresAt: new Date(Date.now() + 86_400_000) });
  return { id: row!.id, email, cookie: `${SESSION_COOKIE}=${token}` };
}

export function createPrompt(db: Database, userId: string, input: Partial<CreatePromptInput> = {}) {
  return new PromptService(db, userId).create({ title: "Summarise a document", body: "Summarise {{document}} in {{count}} bullet points.", ...input });
}

export function createFolder(db: Database, userId: string, name = `Folder ${randomUUID().slice(0, 8)}`) {
  return new FolderService(db, userId).create({ name });
}

export function createTag(db: Database, userId: string, name = `tag-${randomUUID().slice(0, 8)}`, color?: string) {
  return new TagService(db, userId).create({ name, color });
}

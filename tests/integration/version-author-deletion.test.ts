import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { promptVersions, users } from "../../src/server/db/schema";
import { useTestDatabase } from "../helpers/db";
import { createPrompt, createUser } from "../helpers/factories";

describe("version immutability and account deletion", () => {
  const db = useTestDatabase();

  it("lets the author foreign key go null when the author's account is deleted, and nothing else", async () => {
    const owner = await createUser(db());
    const editor = await createUser(db());
    const prompt = await createPrompt(db(), owner.id);
    // A version written by someone other than the owner (teams will do this).
    await db().insert(promptVersions).values({ promptId: prompt.id, userId: owner.id, number: 2, title: "t", body: "b", authorId: editor.id });

    await db().delete(users).where(eq(users.id, editor.id));

    const [version] = await db().select().from(promptVersions).where(and(eq(promptVersions.promptId, prompt.id), eq(promptVersions.number, 2)));
    expect(version).toMatchObject({ authorId: null, title: "t", body: "b" });
    // Still immutable otherwise: clearing the author together with another column is refused.
    await expect(
      db().transaction((tx) => tx.update(promptVersions).set({ authorId: null, body: "changed" }).where(eq(promptVersions.promptId, prompt.id))),
    ).rejects.toThrow();
  });
});

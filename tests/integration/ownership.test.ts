import { describe, expect, it } from "vitest";
import type { Database } from "../../src/server/db/client";
import { PromptService } from "../../src/server/services/prompts/prompt-service";
import { VersionService } from "../../src/server/services/prompts/version-service";
import { useTestDatabase } from "../helpers/db";
import { createFolder, createPrompt, createTag, createUser, type TestUser } from "../helpers/factories";
import { call } from "../helpers/http";
import * as r from "../helpers/routes";
import { snapshotUser } from "../helpers/snapshot";

/** The owner's library: a prompt with two versions, a label, a tag and a folder, and a prompt in the trash. */
async function ownerLibrary(db: Database) {
  const owner = await createUser(db);
  const folder = await createFolder(db, owner.id, "Owner folder");
  const tag = await createTag(db, owner.id, "owner-tag");
  const prompt = await createPrompt(db, owner.id, { title: "Owner prompt", body: "Hello {{name}}", folderId: folder.id, tagIds: [tag.id] });
  await new PromptService(db, owner.id).update(prompt.id, { body: "Hello there {{name}}" });
  await new VersionService(db, owner.id).setLabel(prompt.id, "production", { version: 1 });
  const trashed = await createPrompt(db, owner.id, { title: "Owner trashed" });
  await new PromptService(db, owner.id).trash(trashed.id);
  return { owner, folder, tag, prompt, trashed };
}

describe("another user's objects", () => {
  const db = useTestDatabase();

  it("are 404 on every read, write, restore, label, render and diff route, and stay unchanged", async () => {
    const { owner, folder, tag, prompt, trashed } = await ownerLibrary(db());
    const intruder: TestUser = await createUser(db());
    const before = await snapshotUser(db(), owner.id);
    const as = { cookie: intruder.cookie };
    const p = { id: prompt.id };

    const attempts: [string, () => Promise<{ status: number }>][] = [
      ["read prompt", () => call(r.promptRoute.GET, "GET", "/", { ...as, params: p })],
      ["read prompt by label", () => call(r.promptRoute.GET, "GET", "/", { ...as, params: p, query: { label: "production" } })],
      ["read prompt by version", () => call(r.promptRoute.GET, "GET", "/", { ...as, params: p, query: { version: 1 } })],
      ["read trashed prompt", () => call(r.promptRoute.GET, "GET", "/", { ...as, params: { id: trashed.id } })],
      ["update content", () => call(r.promptRoute.PATCH, "PATCH", "/", { ...as, params: p, body: { title: "Pwned", body: "Pwned" } })],
      ["update metadata", () => call(r.promptRoute.PATCH, "PATCH", "/", { ...as, params: p, body: { isFavorite: true, notes: "pwned" } })],
      ["move to trash", () => call(r.promptRoute.DELETE, "DELETE", "/", { ...as, params: p })],
      ["delete permanently", () => call(r.promptRoute.DELETE, "DELETE", "/", { ...as, params: { id: trashed.id }, query: { permanent: "true" } })],
      ["restore from trash", () => call(r.trashRestoreRoute.POST, "POST", "/", { ...as, params: { id: trashed.id } })],
      ["list versions", () => call(r.versionsRoute.GET, "GET", "/", { ...as, params: p })],
      ["read version", () => call(r.versionRoute.GET, "GET", "/", { ...as, params: { ...p, number: "1" } })],
      ["restore version", () => call(r.versionRestoreRoute.POST, "POST", "/", { ...as, params: { ...p, number: "1" } })],
      ["list labels", () => call(r.labelsRoute.GET, "GET", "/", { ...as, params: p })],
      ["set label", () => call(r.labelRoute.PUT, "PUT", "/", { ...as, params: { ...p, name: "staging" }, body: { version: 2 } })],
      ["move label", () => call(r.labelRoute.PUT, "PUT", "/", { ...as, params: { ...p, name: "production" }, body: { version: 2 } })],
      ["remove label", () => call(r.labelRoute.DELETE, "DELETE", "/", { ...as, params: { ...p, name: "production" } })],
      ["render", () => call(r.renderRoute.POST, "POST", "/", { ...as, params: p, body: { values: { name: "x" } } })],
      ["render by label", () => call(r.renderRoute.POST, "POST", "/", { ...as, params: p, body: { values: { name: "x" }, label: "production" } })],
      ["diff", () => call(r.diffRoute.GET, "GET", "/", { ...as, params: p, query: { from: 1, to: 2 } })],
      ["read folder", () => call(r.folderRoute.GET, "GET", "/", { ...as, params: { id: folder.id } })],
      ["rename folder", () => call(r.folderRoute.PATCH, "PATCH", "/", { ...as, params: { id: folder.id }, body: { name: "Pwned" } })],
      ["delete folder", () => call(r.folderRoute.DELETE, "DELETE", "/", { ...as, params: { id: folder.id } })],
      ["read tag", () => call(r.tagRoute.GET, "GET", "/", { ...as, params: { id: tag.id } })],
      ["update tag", () => call(r.tagRoute.PATCH, "PATCH", "/", { ...as, params: { id: tag.id }, body: { name: "pwned", color: "#000000" } })],
      ["delete tag", () => call(r.tagRoute.DELETE, "DELETE", "/", { ...as, params: { id: tag.id } })],
      ["create prompt in their folder", () => call(r.promptsRoute.POST, "POST", "/", { ...as, body: { body: "x", folderId: folder.id } })],
      ["create prompt with their tag", () => call(r.promptsRoute.POST, "POST", "/", { ...as, body: { body: "x", tagIds: [tag.id] } })],
    ];
    // One at a time: the order must not matter, and a failure names the request.
    for (const [name, attempt] of attempts) {
      const res = await attempt();
      expect(res.status, name).toBe(404);
    }

    // Their folder and tag cannot be attached to the intruder's own prompt either.
    const own = await createPrompt(db(), intruder.id, { title: "Mine" });
    for (const body of [{ folderId: folder.id }, { tagIds: [tag.id] }, { title: "Changed", folderId: folder.id }]) {
      const res = await call(r.promptRoute.PATCH, "PATCH", "/", { ...as, params: { id: own.id }, body });
      expect(res.status, JSON.stringify(body)).toBe(404);
    }
    const mine = await call(r.promptRoute.GET, "GET", "/", { ...as, params: { id: own.id } });
    expect(mine.json).toMatchObject({ title: "Mine", folder: null, tags: [], currentVersion: 1 });

    // Listing with their ids filters to nothing; emptying one's own trash leaves theirs alone.
    for (const query of [{ folderId: folder.id }, { tagId: tag.id }, { trashed: true }, { q: "owner" }]) {
      const list = await call(r.promptsRoute.GET, "GET", "/", { ...as, query });
      expect(list.status).toBe(200);
      expect(list.json.items, JSON.stringify(query)).toEqual([]);
    }
    const emptied = await call(r.trashRoute.DELETE, "DELETE", "/", as);
    expect(emptied.json).toEqual({ deleted: 0 });
    const foldersList = await call(r.foldersRoute.GET, "GET", "/", as);
    expect(foldersList.json.folders).toEqual([]);
    const tagsList = await call(r.tagsRoute.GET, "GET", "/", as);
    expect(tagsList.json.tags).toEqual([]);

    expect(await snapshotUser(db(), owner.id)).toEqual(before);

    // And the owner still sees everything as it was.
    const got = await call(r.promptRoute.GET, "GET", "/", { cookie: owner.cookie, params: p, query: { label: "production" } });
    expect(got.json).toMatchObject({ title: "Owner prompt", body: "Hello {{name}}", currentVersion: 2, selectedBy: "label" });
  });
});

import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { folders, promptTags, prompts, tags } from "../../src/server/db/schema";
import { TAG_COLORS } from "../../src/server/services/tag-service";
import { useTestDatabase } from "../helpers/db";
import { createFolder, createPrompt, createTag, createUser, type TestUser } from "../helpers/factories";
import { call } from "../helpers/http";
import { folderRoute, foldersRoute, promptRoute, tagRoute, tagsRoute } from "../helpers/routes";

const ISO = /^\d{4}-\d{2}-\d{2}T/;

/*
 * The duplicate-name cases each end their test: the unique violation aborts the test's enclosing
 * transaction (in production each request has its own), so nothing can be queried after it.
 */
describe("folder routes", () => {
  const db = useTestDatabase();
  const post = (user: TestUser, body: unknown, rawBody?: string) => call(foldersRoute.POST, "POST", "/api/folders", { cookie: user.cookie, body, rawBody });

  it("creates, lists, renames and deletes folders; deleting keeps the prompts, unfiled", async () => {
    const user = await createUser(db());
    const created = await post(user, { name: "  Work  " });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: "Work", promptCount: 0 });
    expect(created.json.createdAt).toMatch(ISO);
    expect(Object.keys(created.json).sort()).toEqual(["createdAt", "id", "name", "promptCount", "updatedAt"]);
    const id = created.json.id as string;
    await post(user, { name: "archive" });
    await post(user, { name: "Personal" });

    const a = await createPrompt(db(), user.id, { folderId: id });
    await createPrompt(db(), user.id, { folderId: id });
    const trashed = await createPrompt(db(), user.id, { folderId: id });
    await call(promptRoute.DELETE, "DELETE", "/", { cookie: user.cookie, params: { id: trashed.id } });

    const list = await call(foldersRoute.GET, "GET", "/api/folders", { cookie: user.cookie });
    expect(list.status).toBe(200);
    // Sorted case-insensitively; trashed prompts are not counted.
    expect(list.json.folders.map((f: { name: string; promptCount: number }) => [f.name, f.promptCount])).toEqual([
      ["archive", 0],
      ["Personal", 0],
      ["Work", 2],
    ]);

    const one = await call(folderRoute.GET, "GET", "/", { cookie: user.cookie, params: { id } });
    expect(one.json).toMatchObject({ id, name: "Work", promptCount: 2 });
    const renamed = await call(folderRoute.PATCH, "PATCH", "/", { cookie: user.cookie, params: { id }, body: { name: "Job" } });
    expect(renamed.status).toBe(200);
    expect(renamed.json).toMatchObject({ id, name: "Job", promptCount: 2 });
    // Renaming to the same name with another case is allowed (it is the same folder).
    expect((await call(folderRoute.PATCH, "PATCH", "/", { cookie: user.cookie, params: { id }, body: { name: "JOB" } })).status).toBe(200);

    const deleted = await call(folderRoute.DELETE, "DELETE", "/", { cookie: user.cookie, params: { id } });
    expect(deleted.status).toBe(204);
    expect((await call(folderRoute.GET, "GET", "/", { cookie: user.cookie, params: { id } })).status).toBe(404);
    expect((await call(folderRoute.DELETE, "DELETE", "/", { cookie: user.cookie, params: { id } })).status).toBe(404);
    const [row] = await db().select().from(prompts).where(eq(prompts.id, a.id));
    expect(row!.folderId).toBeNull();
    const prompt = await call(promptRoute.GET, "GET", "/", { cookie: user.cookie, params: { id: a.id } });
    expect(prompt.json.folder).toBeNull();
  });

  it("rejects bad folder input with 422", async () => {
    const user = await createUser(db());
    const folder = await createFolder(db(), user.id, "Keep");
    for (const [body, raw] of [[undefined, "{"], [undefined, undefined], [{}, undefined], [{ name: "   " }, undefined], [{ name: "x".repeat(101) }, undefined], [{ name: 42 }, undefined], [null, undefined]] as const) {
      const label = JSON.stringify(body ?? raw ?? "no body");
      const res = await post(user, body, raw);
      expect(res.status, label).toBe(422);
      expect(res.json.error.code).toBe("invalid");
      const patch = await call(folderRoute.PATCH, "PATCH", "/", { cookie: user.cookie, params: { id: folder.id }, body, rawBody: raw });
      expect(patch.status, `patch ${label}`).toBe(422);
    }
    expect((await db().select({ name: folders.name }).from(folders).where(eq(folders.userId, user.id))).map((f) => f.name)).toEqual(["Keep"]);
  });

  it("answers 409 for a folder name the user already has (any case)", async () => {
    const user = await createUser(db());
    await createFolder(db(), user.id, "Work");
    // Another user's folder of the same name is no conflict.
    const other = await createUser(db());
    expect((await post(other, { name: "Work" })).status).toBe(201);
    const dup = await post(user, { name: "work" });
    expect(dup.status).toBe(409);
    expect(dup.json.error.code).toBe("conflict");
  });

  it("answers 409 when renaming onto an existing folder name", async () => {
    const user = await createUser(db());
    await createFolder(db(), user.id, "Work");
    const other = await createFolder(db(), user.id, "Home");
    const res = await call(folderRoute.PATCH, "PATCH", "/", { cookie: user.cookie, params: { id: other.id }, body: { name: "WORK" } });
    expect(res.status).toBe(409);
  });
});

describe("tag routes", () => {
  const db = useTestDatabase();
  const post = (user: TestUser, body: unknown, rawBody?: string) => call(tagsRoute.POST, "POST", "/api/tags", { cookie: user.cookie, body, rawBody });

  it("creates, lists, updates and deletes tags; deleting untags the prompts", async () => {
    const user = await createUser(db());
    const created = await post(user, { name: "Writing", color: "#3B82F6" });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: "Writing", color: "#3b82f6", promptCount: 0 });
    expect(Object.keys(created.json).sort()).toEqual(["color", "createdAt", "id", "name", "promptCount", "updatedAt"]);
    const id = created.json.id as string;
    // Without a colour, one from the palette, the same for the same name.
    const auto = await post(user, { name: "code" });
    expect(TAG_COLORS).toContain(auto.json.color);
    const other = await createUser(db());
    expect((await post(other, { name: "CODE" })).json.color).toBe(auto.json.color);

    const p = await createPrompt(db(), user.id, { tagIds: [id, auto.json.id] });
    const gone = await createPrompt(db(), user.id, { tagIds: [id] });
    await call(promptRoute.DELETE, "DELETE", "/", { cookie: user.cookie, params: { id: gone.id } });
    const list = await call(tagsRoute.GET, "GET", "/api/tags", { cookie: user.cookie });
    expect(list.json.tags.map((t: { name: string; promptCount: number }) => [t.name, t.promptCount])).toEqual([
      ["code", 1],
      ["Writing", 1],
    ]);

    const recoloured = await call(tagRoute.PATCH, "PATCH", "/", { cookie: user.cookie, params: { id }, body: { color: "#ef4444" } });
    expect(recoloured.json).toMatchObject({ id, name: "Writing", color: "#ef4444", promptCount: 1 });
    const renamed = await call(tagRoute.PATCH, "PATCH", "/", { cookie: user.cookie, params: { id }, body: { name: "prose" } });
    expect(renamed.json).toMatchObject({ id, name: "prose", color: "#ef4444" });
    expect((await call(tagRoute.GET, "GET", "/", { cookie: user.cookie, params: { id } })).json).toMatchObject({ id, name: "prose" });

    expect((await call(tagRoute.DELETE, "DELETE", "/", { cookie: user.cookie, params: { id } })).status).toBe(204);
    expect((await call(tagRoute.GET, "GET", "/", { cookie: user.cookie, params: { id } })).status).toBe(404);
    const prompt = await call(promptRoute.GET, "GET", "/", { cookie: user.cookie, params: { id: p.id } });
    expect(prompt.json.tags.map((t: { name: string }) => t.name)).toEqual(["code"]);
    expect(await db().select().from(promptTags).where(eq(promptTags.tagId, id))).toEqual([]);
  });

  it("rejects bad tag input, including bad colours, with 422", async () => {
    const user = await createUser(db());
    const tag = await createTag(db(), user.id, "keep", "#22c55e");
    const bad: unknown[] = [{}, { name: "" }, { name: "x".repeat(51) }, { name: "ok", color: "red" }, { name: "ok", color: "#fff" }, { name: "ok", color: "#12345g" }, { name: "ok", color: "3b82f6" }, { name: "ok", color: 0x3b82f6 }];
    for (const body of bad) expect((await post(user, body)).status, JSON.stringify(body)).toBe(422);
    expect((await post(user, undefined, "nope")).status).toBe(422);
    const patch = (body: unknown, rawBody?: string) => call(tagRoute.PATCH, "PATCH", "/", { cookie: user.cookie, params: { id: tag.id }, body, rawBody });
    for (const body of [{}, { color: "blue" }, { color: "#ABCDEFF" }, { name: "  " }]) expect((await patch(body)).status, JSON.stringify(body)).toBe(422);
    expect((await patch(undefined, "{]")).status).toBe(422);
    expect(await db().select({ name: tags.name, color: tags.color }).from(tags).where(eq(tags.userId, user.id))).toEqual([{ name: "keep", color: "#22c55e" }]);
  });

  it("answers 409 for a tag name the user already has", async () => {
    const user = await createUser(db());
    await createTag(db(), user.id, "Draft");
    const res = await post(user, { name: "DRAFT" });
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe("conflict");
  });

  it("answers 409 when renaming onto an existing tag name", async () => {
    const user = await createUser(db());
    await createTag(db(), user.id, "draft");
    const t = await createTag(db(), user.id, "final");
    expect((await call(tagRoute.PATCH, "PATCH", "/", { cookie: user.cookie, params: { id: t.id }, body: { name: "Draft" } })).status).toBe(409);
  });
});

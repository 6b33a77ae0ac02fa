import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { promptVersions, prompts } from "../../src/server/db/schema";
import { useTestDatabase } from "../helpers/db";
import { createFolder, createPrompt, createTag, createUser } from "../helpers/factories";
import { call } from "../helpers/http";
import { promptRoute, promptsRoute, trashRestoreRoute, trashRoute } from "../helpers/routes";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function expectInvalid(res: { status: number; json: any }, label: string, path?: string) {
  expect(res.status, label).toBe(422);
  expect(res.json.error.code, label).toBe("invalid");
  expect(typeof res.json.error.message, label).toBe("string");
  if (path) expect(res.json.error.details.fields.map((f: { path: string }) => f.path), label).toContain(path);
}

describe("prompt routes", () => {
  const db = useTestDatabase();

  it("creates a prompt and returns its full detail", async () => {
    const user = await createUser(db(), { displayName: "Ada" });
    const folder = await createFolder(db(), user.id, "Work");
    const tag = await createTag(db(), user.id, "writing", "#3b82f6");
    const res = await call(promptsRoute.POST, "POST", "/api/prompts", {
      cookie: user.cookie,
      body: {
        title: "  Summarise  ",
        body: "Summarise {{document}} as {{style}}.",
        description: "For long reports",
        notes: "private",
        modelHint: "gpt-4o",
        folderId: folder.id,
        tagIds: [tag.id, tag.id.toUpperCase()],
        isFavorite: true,
        parameters: [{ name: "style", type: "enum", options: ["bullets", "prose"], default: "bullets" }],
        message: "First draft",
      },
    });
    expect(res.status).toBe(201);
    const p = res.json;
    expect(p.id).toMatch(UUID);
    expect(p).toMatchObject({
      title: "Summarise",
      body: "Summarise {{document}} as {{style}}.",
      description: "For long reports",
      notes: "private",
      modelHint: "gpt-4o",
      folder: { id: folder.id, name: "Work" },
      tags: [{ id: tag.id, name: "writing", color: "#3b82f6" }],
      isFavorite: true,
      source: "manual",
      sourceDetail: {},
      currentVersion: 1,
      useCount: 1,
      labels: [],
      selectedBy: "latest",
      deletedAt: null,
      version: { number: 1, message: "First draft", authorId: user.id, authorName: "Ada", restoredFrom: null },
      parameters: [{ name: "style", type: "enum", options: ["bullets", "prose"], default: "bullets", required: false }],
      variables: [
        { name: "document", type: "text", required: true },
        { name: "style", type: "enum", options: ["bullets", "prose"], default: "bullets", required: false },
      ],
    });
    for (const key of ["createdAt", "updatedAt"]) expect(p[key]).toMatch(ISO);
    expect(p.version.createdAt).toMatch(ISO);

    // The title defaults to the body's first line; the message to "Created".
    const untitled = await call(promptsRoute.POST, "POST", "/api/prompts", { cookie: user.cookie, body: { body: "\n  Write a haiku   about\tspring\nmore lines" } });
    expect(untitled.status).toBe(201);
    expect(untitled.json).toMatchObject({ title: "Write a haiku about spring", version: { message: "Created" }, folder: null, tags: [], isFavorite: false });

    const list = await call(promptsRoute.GET, "GET", "/api/prompts", { cookie: user.cookie });
    expect(list.status).toBe(200);
    expect(list.json.nextCursor).toBeNull();
    expect(list.json.items).toHaveLength(2);
    const summary = list.json.items.find((i: { id: string }) => i.id === p.id);
    expect(summary).toMatchObject({
      title: "Summarise",
      preview: "Summarise {{document}} as {{style}}.",
      bodyLength: "Summarise {{document}} as {{style}}.".length,
      folderId: folder.id,
      isFavorite: true,
      currentVersion: 1,
      tags: [{ id: tag.id, name: "writing", color: "#3b82f6" }],
    });
    expect(summary).not.toHaveProperty("body");
    expect(summary).not.toHaveProperty("notes");
  });

  it("rejects bad input with 422 and writes nothing", async () => {
    const user = await createUser(db());
    const post = (body: unknown) => call(promptsRoute.POST, "POST", "/api/prompts", { cookie: user.cookie, body });
    expectInvalid(await call(promptsRoute.POST, "POST", "/api/prompts", { cookie: user.cookie, rawBody: "{not json" }), "bad JSON");
    expectInvalid(await call(promptsRoute.POST, "POST", "/api/prompts", { cookie: user.cookie }), "no body", "body");
    expectInvalid(await post(null), "null body");
    expectInvalid(await post([1, 2]), "array body");
    expectInvalid(await post({ title: "x" }), "missing body", "body");
    expectInvalid(await post({ body: "   \n " }), "blank body", "body");
    expectInvalid(await post({ title: "   ", body: "x" }), "blank title", "title");
    expectInvalid(await post({ title: "x".repeat(301), body: "x" }), "long title", "title");
    expectInvalid(await post({ body: "x", folderId: "not-an-id" }), "folder id", "folderId");
    expectInvalid(await post({ body: "x", isFavorite: "yes" }), "favourite type", "isFavorite");
    // Parameter schemas.
    expectInvalid(await post({ body: "{{x}}", parameters: [{ name: "1x" }] }), "parameter name", "parameters.0.name");
    expectInvalid(await post({ body: "{{x}}", parameters: [{ name: "x", type: "date" }] }), "parameter type", "parameters.0.type");
    expectInvalid(await post({ body: "{{x}}", parameters: [{ name: "x", type: "enum" }] }), "enum without options", "parameters.0.options");
    expectInvalid(await post({ body: "{{x}}", parameters: [{ name: "x", type: "enum", options: ["a"], default: "b" }] }), "enum default", "parameters.0.default");
    expectInvalid(await post({ body: "{{x}}", parameters: [{ name: "x", type: "number", default: "ten" }] }), "number default", "parameters.0.default");
    expectInvalid(await post({ body: "{{x}}", parameters: [{ name: "x" }, { name: "x" }] }), "duplicate parameter", "parameters.1.name");
    expectInvalid(await post({ body: "{{x}}", parameters: { name: "x" } }), "parameters not a list", "parameters");
    expect(await db().select().from(prompts)).toEqual([]);

    const prompt = await createPrompt(db(), user.id);
    const patch = (body: unknown, rawBody?: string) => call(promptRoute.PATCH, "PATCH", "/", { cookie: user.cookie, params: { id: prompt.id }, body, rawBody });
    expectInvalid(await patch(undefined, "{"), "patch bad JSON");
    expectInvalid(await patch(undefined), "patch without body");
    expectInvalid(await patch({}), "nothing to update");
    expectInvalid(await patch({ message: "only a message", baseVersion: 1 }), "only a message");
    expectInvalid(await patch({ body: "" }), "patch empty body", "body");
    expectInvalid(await patch({ baseVersion: 0, title: "x" }), "base version", "baseVersion");
    expectInvalid(await patch({ parameters: [{ name: "x", type: "enum", options: [] }] }), "patch parameters", "parameters.0.options");
    const get = (query: Record<string, string>) => call(promptRoute.GET, "GET", "/", { cookie: user.cookie, params: { id: prompt.id }, query });
    expectInvalid(await get({ label: "production", version: "1" }), "label and version");
    expectInvalid(await get({ version: "zero" }), "version not a number");
    const [row] = await db().select().from(prompts).where(eq(prompts.id, prompt.id));
    expect(row).toMatchObject({ title: prompt.title, body: prompt.body, currentVersion: 1 });
    expect(await db().select().from(promptVersions).where(eq(promptVersions.promptId, prompt.id))).toHaveLength(1);

    // Well-formed but absent selectors are 404, not 422.
    expect((await get({ version: "9" })).status).toBe(404);
    expect((await get({ label: "production" })).status).toBe(404);
  });

  it("moves to the trash, restores, and deletes permanently only from the trash", async () => {
    const user = await createUser(db());
    const as = { cookie: user.cookie };
    const keep = await createPrompt(db(), user.id, { title: "Keep" });
    const a = await createPrompt(db(), user.id, { title: "Trash A" });
    const b = await createPrompt(db(), user.id, { title: "Trash B" });
    const ids = async (query: Record<string, string | boolean> = {}) =>
      (await call(promptsRoute.GET, "GET", "/", { ...as, query })).json.items.map((i: { id: string }) => i.id).sort();

    // Permanent delete of a live prompt is a conflict.
    const early = await call(promptRoute.DELETE, "DELETE", "/", { ...as, params: { id: a.id }, query: { permanent: "true" } });
    expect(early.status).toBe(409);
    expect(early.json.error.code).toBe("conflict");

    const trashed = await call(promptRoute.DELETE, "DELETE", "/", { ...as, params: { id: a.id } });
    expect(trashed.status).toBe(204);
    expect(trashed.text).toBe("");
    expect(await ids()).toEqual([keep.id, b.id].sort());
    expect(await ids({ trashed: true })).toEqual([a.id]);
    const inTrash = await call(promptsRoute.GET, "GET", "/", { ...as, query: { trashed: "true" } });
    expect(inTrash.json.items[0].deletedAt).toMatch(ISO);
    // A trashed prompt can still be read (to show it in the trash) but not changed.
    const read = await call(promptRoute.GET, "GET", "/", { ...as, params: { id: a.id } });
    expect(read.status).toBe(200);
    expect(read.json.deletedAt).toMatch(ISO);
    const edit = await call(promptRoute.PATCH, "PATCH", "/", { ...as, params: { id: a.id }, body: { title: "nope" } });
    expect(edit.status).toBe(409);
    // Trashing twice is harmless.
    expect((await call(promptRoute.DELETE, "DELETE", "/", { ...as, params: { id: a.id } })).status).toBe(204);

    const restored = await call(trashRestoreRoute.POST, "POST", "/", { ...as, params: { id: a.id } });
    expect(restored.status).toBe(200);
    expect(restored.json).toMatchObject({ id: a.id, title: "Trash A", deletedAt: null });
    expect(await ids()).toEqual([keep.id, a.id, b.id].sort());
    expect(await ids({ trashed: true })).toEqual([]);
    // Restoring a prompt that is not in the trash changes nothing.
    expect((await call(trashRestoreRoute.POST, "POST", "/", { ...as, params: { id: a.id } })).json.deletedAt).toBeNull();

    await call(promptRoute.DELETE, "DELETE", "/", { ...as, params: { id: a.id } });
    const purged = await call(promptRoute.DELETE, "DELETE", "/", { ...as, params: { id: a.id }, query: { permanent: "true" } });
    expect(purged.status).toBe(204);
    expect((await call(promptRoute.GET, "GET", "/", { ...as, params: { id: a.id } })).status).toBe(404);
    expect(await db().select().from(promptVersions).where(eq(promptVersions.promptId, a.id))).toEqual([]);
    expect((await call(promptRoute.DELETE, "DELETE", "/", { ...as, params: { id: a.id }, query: { permanent: "true" } })).status).toBe(404);

    // Empty the trash: only trashed prompts go.
    await call(promptRoute.DELETE, "DELETE", "/", { ...as, params: { id: b.id } });
    const c = await createPrompt(db(), user.id, { title: "Trash C" });
    await call(promptRoute.DELETE, "DELETE", "/", { ...as, params: { id: c.id } });
    const emptied = await call(trashRoute.DELETE, "DELETE", "/api/trash", as);
    expect(emptied.status).toBe(200);
    expect(emptied.json).toEqual({ deleted: 2 });
    expect(await ids({ trashed: true })).toEqual([]);
    expect(await ids()).toEqual([keep.id]);
    expect((await db().select({ id: prompts.id }).from(prompts)).map((p) => p.id)).toEqual([keep.id]);
    expect((await call(trashRoute.DELETE, "DELETE", "/api/trash", as)).json).toEqual({ deleted: 0 });
  });
});

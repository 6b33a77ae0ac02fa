import { and, asc, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Database } from "../../src/server/db/client";
import { pgErrorCode } from "../../src/server/db/errors";
import { promptLabels, promptVersions } from "../../src/server/db/schema";
import { useTestDatabase } from "../helpers/db";
import { createFolder, createPrompt, createTag, createUser, type TestUser } from "../helpers/factories";
import { call } from "../helpers/http";
import { diffRoute, labelRoute, labelsRoute, promptRoute, renderRoute, versionRestoreRoute, versionRoute, versionsRoute } from "../helpers/routes";

describe("versions", () => {
  const db = useTestDatabase();

  const versionRows = (promptId: string) =>
    db().select().from(promptVersions).where(eq(promptVersions.promptId, promptId)).orderBy(asc(promptVersions.number));
  const patch = (user: TestUser, id: string, body: unknown) => call(promptRoute.PATCH, "PATCH", "/", { cookie: user.cookie, params: { id }, body });

  it("writes a new version for every change of title, body or parameters, and none for metadata", async () => {
    const user = await createUser(db(), { displayName: "Grace" });
    const folder = await createFolder(db(), user.id);
    const tag = await createTag(db(), user.id);
    const prompt = await createPrompt(db(), user.id, { title: "Email", body: "Write to {{name}}" });

    const steps: [unknown, number, string][] = [
      [{ title: "Email draft" }, 2, "Edited title"],
      [{ body: "Write kindly to {{name}}", message: "  Kinder  " }, 3, "Kinder"],
      [{ parameters: [{ name: "name", required: true, description: "Who" }] }, 4, "Edited parameters"],
      [{ title: "Email v5", body: "Write to {{name}} now", isFavorite: true }, 5, "Edited title, body"],
    ];
    for (const [body, number, message] of steps) {
      const res = await patch(user, prompt.id, body);
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect(res.json.currentVersion).toBe(number);
      expect(res.json.version).toMatchObject({ number, message, authorId: user.id, authorName: "Grace", restoredFrom: null });
    }

    // Metadata only — and content identical to the current version — never makes a version.
    const metadata: unknown[] = [
      { isFavorite: false },
      { folderId: folder.id },
      { tagIds: [tag.id] },
      { notes: "remember the tone" },
      { description: "Outreach" },
      { modelHint: "claude" },
      { folderId: null, tagIds: [] },
      { title: "Email v5", body: "Write to {{name}} now", message: "no-op save" },
      { parameters: [{ name: "name", required: true, description: "Who" }] },
    ];
    for (const body of metadata) {
      const res = await patch(user, prompt.id, body);
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect(res.json.currentVersion, JSON.stringify(body)).toBe(5);
    }
    const after = await call(promptRoute.GET, "GET", "/", { cookie: user.cookie, params: { id: prompt.id } });
    expect(after.json).toMatchObject({ isFavorite: false, folder: null, tags: [], notes: "remember the tone", description: "Outreach", modelHint: "claude" });

    const rows = await versionRows(prompt.id);
    expect(rows.map((v) => [v.number, v.title, v.body, v.message, v.authorId, v.userId])).toEqual([
      [1, "Email", "Write to {{name}}", "Created", user.id, user.id],
      [2, "Email draft", "Write to {{name}}", "Edited title", user.id, user.id],
      [3, "Email draft", "Write kindly to {{name}}", "Kinder", user.id, user.id],
      [4, "Email draft", "Write kindly to {{name}}", "Edited parameters", user.id, user.id],
      [5, "Email v5", "Write to {{name}} now", "Edited title, body", user.id, user.id],
    ]);
    expect(rows[3]!.parameters).toEqual([{ name: "name", type: "text", required: true, description: "Who" }]);
    expect(rows[2]!.parameters).toEqual([]);

    const list = await call(versionsRoute.GET, "GET", "/", { cookie: user.cookie, params: { id: prompt.id } });
    expect(list.status).toBe(200);
    expect(list.json.versions.map((v: { number: number }) => v.number)).toEqual([5, 4, 3, 2, 1]);
    expect(list.json.versions[0]).toMatchObject({ number: 5, title: "Email v5", message: "Edited title, body", authorId: user.id, authorName: "Grace", restoredFrom: null, labels: [] });
    expect(list.json.versions[0]).not.toHaveProperty("body");

    const v3 = await call(versionRoute.GET, "GET", "/", { cookie: user.cookie, params: { id: prompt.id, number: "3" } });
    expect(v3.status).toBe(200);
    expect(v3.json).toMatchObject({ number: 3, title: "Email draft", body: "Write kindly to {{name}}", parameters: [], message: "Kinder" });
    expect(v3.json).not.toHaveProperty("id");
    expect((await call(versionRoute.GET, "GET", "/", { cookie: user.cookie, params: { id: prompt.id, number: "6" } })).status).toBe(404);

    // ?version=N shows that version's content with the prompt's current metadata.
    const byNumber = await call(promptRoute.GET, "GET", "/", { cookie: user.cookie, params: { id: prompt.id }, query: { version: 2 } });
    expect(byNumber.json).toMatchObject({ title: "Email draft", body: "Write to {{name}}", selectedBy: "version", currentVersion: 5, version: { number: 2 } });
  });

  it("refuses a save based on an older version with 409 and keeps the newer one", async () => {
    const user = await createUser(db());
    const prompt = await createPrompt(db(), user.id, { title: "T", body: "one" });
    expect((await patch(user, prompt.id, { body: "two", baseVersion: 1 })).status).toBe(200);
    const stale = await patch(user, prompt.id, { body: "three", baseVersion: 1, isFavorite: true });
    expect(stale.status).toBe(409);
    expect(stale.json.error).toMatchObject({ code: "conflict", details: { currentVersion: 2 } });
    const now = await call(promptRoute.GET, "GET", "/", { cookie: user.cookie, params: { id: prompt.id } });
    expect(now.json).toMatchObject({ body: "two", currentVersion: 2, isFavorite: false });
    expect(await versionRows(prompt.id)).toHaveLength(2);
    // A future base version is a conflict too.
    expect((await patch(user, prompt.id, { body: "three", baseVersion: 3 })).status).toBe(409);
    expect((await patch(user, prompt.id, { body: "three", baseVersion: 2 })).json.currentVersion).toBe(3);
  });

  it("cannot be changed after creation, even straight through the database", async () => {
    const user = await createUser(db());
    const prompt = await createPrompt(db(), user.id, { title: "Immutable", body: "original" });
    const [before] = await versionRows(prompt.id);

    const attempts = [
      (tx: Database) => tx.update(promptVersions).set({ body: "tampered" }).where(eq(promptVersions.promptId, prompt.id)),
      (tx: Database) => tx.update(promptVersions).set({ message: "rewritten history" }).where(eq(promptVersions.id, before!.id)),
      (tx: Database) => tx.execute(sql`update prompt_versions set number = 7 where prompt_id = ${prompt.id}`),
      (tx: Database) => tx.execute(sql`update prompt_versions set author_id = null where prompt_id = ${prompt.id}`),
    ];
    for (const attempt of attempts) {
      // A savepoint, so the refused statement does not abort the test's transaction.
      const error = await db()
        .transaction(async (tx) => {
          await attempt(tx as unknown as Database);
        })
        .then(() => undefined, (e: unknown) => e);
      expect(error, "the update must fail").toBeDefined();
      expect(pgErrorCode(error)).toBe("23001"); // restrict_violation, raised by the trigger
    }
    expect(await versionRows(prompt.id)).toEqual([before]);
  });

  it("restores an old version as a new one and never modifies the old ones", async () => {
    const user = await createUser(db());
    const prompt = await createPrompt(db(), user.id, {
      title: "First",
      body: "Version one {{a}}",
      parameters: [{ name: "a", type: "number", required: true }],
    });
    await patch(user, prompt.id, { title: "Second", body: "Version two", parameters: [] });
    await call(labelRoute.PUT, "PUT", "/", { cookie: user.cookie, params: { id: prompt.id, name: "production" }, body: { version: 2 } });
    const before = await versionRows(prompt.id);

    const res = await call(versionRestoreRoute.POST, "POST", "/", { cookie: user.cookie, params: { id: prompt.id, number: "1" } });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      title: "First",
      body: "Version one {{a}}",
      parameters: [{ name: "a", type: "number", required: true }],
      currentVersion: 3,
      version: { number: 3, restoredFrom: 1, message: "Restored version 1", authorId: user.id },
      // Labels keep pointing where they pointed.
      labels: [{ name: "production", version: 2 }],
    });
    const after = await versionRows(prompt.id);
    expect(after.slice(0, 2)).toEqual(before);
    expect(after[2]).toMatchObject({ number: 3, title: "First", body: "Version one {{a}}", restoredFrom: 1 });

    const again = await call(versionRestoreRoute.POST, "POST", "/", { cookie: user.cookie, params: { id: prompt.id, number: "2" }, body: { message: "Back to two" } });
    expect(again.json).toMatchObject({ title: "Second", currentVersion: 4, version: { number: 4, restoredFrom: 2, message: "Back to two" } });
    expect((await versionRows(prompt.id)).slice(0, 3)).toEqual(after);

    const missing = await call(versionRestoreRoute.POST, "POST", "/", { cookie: user.cookie, params: { id: prompt.id, number: "9" } });
    expect(missing.status).toBe(404);
    const badBody = await call(versionRestoreRoute.POST, "POST", "/", { cookie: user.cookie, params: { id: prompt.id, number: "1" }, rawBody: "{oops" });
    expect(badBody.status).toBe(422);
    const badMessage = await call(versionRestoreRoute.POST, "POST", "/", { cookie: user.cookie, params: { id: prompt.id, number: "1" }, body: { message: 5 } });
    expect(badMessage.status).toBe(422);
    expect(await versionRows(prompt.id)).toHaveLength(4);

    // A prompt in the trash must be restored before its history can be.
    await call(promptRoute.DELETE, "DELETE", "/", { cookie: user.cookie, params: { id: prompt.id } });
    expect((await call(versionRestoreRoute.POST, "POST", "/", { cookie: user.cookie, params: { id: prompt.id, number: "1" } })).status).toBe(409);
  });

  it("sets, moves, reads through and removes labels", async () => {
    const user = await createUser(db());
    const as = { cookie: user.cookie };
    const prompt = await createPrompt(db(), user.id, { title: "Greeting v1", body: "Hi {{name}}" });
    await patch(user, prompt.id, { title: "Greeting v2", body: "Hello {{name}}!" });
    await patch(user, prompt.id, { body: "Hey {{name}}" });
    const put = (name: string, body: unknown, rawBody?: string) => call(labelRoute.PUT, "PUT", "/", { ...as, params: { id: prompt.id, name }, body, rawBody });
    const labelRows = () => db().select().from(promptLabels).where(eq(promptLabels.promptId, prompt.id));

    const set = await put("production", { version: 1 });
    expect(set.status).toBe(200);
    expect(set.json).toMatchObject({ name: "production", version: 1 });
    expect(typeof set.json.updatedAt).toBe("string");
    let got = await call(promptRoute.GET, "GET", "/", { ...as, params: { id: prompt.id }, query: { label: "production" } });
    expect(got.json).toMatchObject({ title: "Greeting v1", body: "Hi {{name}}", selectedBy: "label", version: { number: 1 }, currentVersion: 3 });

    // Move it: still one row for the label, now pointing at version 2.
    const moved = await put("Production", { version: 2 });
    expect(moved.json).toMatchObject({ name: "production", version: 2 });
    const rows = await labelRows();
    expect(rows).toHaveLength(1);
    const [v2] = await db().select({ id: promptVersions.id }).from(promptVersions).where(and(eq(promptVersions.promptId, prompt.id), eq(promptVersions.number, 2)));
    expect(rows[0]!.versionId).toBe(v2!.id);
    got = await call(promptRoute.GET, "GET", "/", { ...as, params: { id: prompt.id }, query: { label: "PRODUCTION" } });
    expect(got.json).toMatchObject({ title: "Greeting v2", body: "Hello {{name}}!", version: { number: 2 } });
    // `latest` always means the newest version.
    got = await call(promptRoute.GET, "GET", "/", { ...as, params: { id: prompt.id }, query: { label: "latest" } });
    expect(got.json).toMatchObject({ body: "Hey {{name}}", selectedBy: "latest", version: { number: 3 } });

    expect((await put("staging", { version: 3 })).status).toBe(200);
    const labels = await call(labelsRoute.GET, "GET", "/", { ...as, params: { id: prompt.id } });
    expect(labels.json.labels).toMatchObject([
      { name: "production", version: 2 },
      { name: "staging", version: 3 },
    ]);
    const versions = await call(versionsRoute.GET, "GET", "/", { ...as, params: { id: prompt.id } });
    expect(versions.json.versions.map((v: { labels: string[] }) => v.labels)).toEqual([["staging"], ["production"], []]);

    // Bad names, `latest`, bad bodies: 422. A version that does not exist: 404. Nothing changes.
    for (const name of ["latest", "LATEST", "Bad Name", "-dash", ".dot", "a".repeat(41), "prod/uction", "ünïcode"]) {
      const res = await put(name, { version: 1 });
      expect(res.status, name).toBe(422);
    }
    for (const [body, raw] of [[undefined, "{bad"], [undefined, undefined], [{ version: "1" }, undefined], [{ version: 0 }, undefined], [{ version: 1.5 }, undefined]] as const) {
      expect((await put("production", body, raw)).status, JSON.stringify(body ?? raw ?? "no body")).toBe(422);
    }
    const missing = await put("production", { version: 4 });
    expect(missing.status).toBe(404);
    expect((await put("canary", { version: 99 })).status).toBe(404);
    expect((await labelRows()).map((l) => l.name).sort()).toEqual(["production", "staging"]);
    expect((await call(labelsRoute.GET, "GET", "/", { ...as, params: { id: prompt.id } })).json.labels).toMatchObject([
      { name: "production", version: 2 },
      { name: "staging", version: 3 },
    ]);

    const removed = await call(labelRoute.DELETE, "DELETE", "/", { ...as, params: { id: prompt.id, name: "production" } });
    expect(removed.status).toBe(204);
    expect((await call(promptRoute.GET, "GET", "/", { ...as, params: { id: prompt.id }, query: { label: "production" } })).status).toBe(404);
    expect((await call(labelRoute.DELETE, "DELETE", "/", { ...as, params: { id: prompt.id, name: "production" } })).status).toBe(404);
    expect((await labelRows()).map((l) => l.name)).toEqual(["staging"]);
  });

  it("diffs two versions into added and removed parts", async () => {
    const user = await createUser(db());
    const prompt = await createPrompt(db(), user.id, { title: "Weekly report", body: "line one\nline two\nline three\n" });
    await patch(user, prompt.id, { title: "Monthly report", body: "line one\nline 2\nline three\nline four\n", parameters: [{ name: "x" }] });
    const diff = (query: Record<string, string | number | undefined>) => call(diffRoute.GET, "GET", "/", { cookie: user.cookie, params: { id: prompt.id }, query });

    const res = await diff({ from: 1, to: 2 });
    expect(res.status).toBe(200);
    expect(res.json.from).toMatchObject({ number: 1, message: "Created" });
    expect(res.json.to).toMatchObject({ number: 2 });
    expect(res.json.from).not.toHaveProperty("body");
    expect(res.json.title).toEqual([
      { value: "Weekly", added: false, removed: true },
      { value: "Monthly", added: true, removed: false },
      { value: " report", added: false, removed: false },
    ]);
    const removed = res.json.body.filter((p: { removed: boolean }) => p.removed).map((p: { value: string }) => p.value).join("");
    const added = res.json.body.filter((p: { added: boolean }) => p.added).map((p: { value: string }) => p.value).join("");
    expect(removed).toBe("line two\n");
    expect(added).toBe("line 2\nline four\n");
    // The unchanged parts and the added parts rebuild the new body; unchanged and removed the old one.
    const rebuild = (skip: "added" | "removed") => res.json.body.filter((p: Record<string, boolean>) => !p[skip]).map((p: { value: string }) => p.value).join("");
    expect(rebuild("removed")).toBe("line one\nline 2\nline three\nline four\n");
    expect(rebuild("added")).toBe("line one\nline two\nline three\n");
    expect(res.json.parametersChanged).toBe(true);

    const same = await diff({ from: 2, to: 2 });
    expect(same.json.body.every((p: { added: boolean; removed: boolean }) => !p.added && !p.removed)).toBe(true);
    expect(same.json.parametersChanged).toBe(false);

    for (const query of [{}, { from: 1 }, { to: 2 }, { from: "one", to: 2 }, { from: 0, to: 1 }] as Record<string, string | number>[]) {
      expect((await diff(query)).status, JSON.stringify(query)).toBe(422);
    }
    expect((await diff({ from: 1, to: 3 })).status).toBe(404);
  });

  it("renders a version with checked values", async () => {
    const user = await createUser(db());
    const prompt = await createPrompt(db(), user.id, {
      title: "Translate",
      body: "Translate {{text}} into {{lang}} in {{n}} words. Keep \\{{braces}}.",
      parameters: [
        { name: "lang", type: "enum", options: ["French", "German"], default: "French" },
        { name: "n", type: "number", required: true },
      ],
    });
    await patch(user, prompt.id, { body: "Say {{text}} loudly" });
    await call(labelRoute.PUT, "PUT", "/", { cookie: user.cookie, params: { id: prompt.id, name: "production" }, body: { version: 1 } });
    const render = (body: unknown, rawBody?: string) => call(renderRoute.POST, "POST", "/", { cookie: user.cookie, params: { id: prompt.id }, body, rawBody });

    const latest = await render({ values: { text: "hi" } });
    expect(latest.status).toBe(200);
    expect(latest.json).toEqual({ text: "Say hi loudly", version: 2 });

    const labelled = await render({ label: "production", values: { text: "hello", n: 5 } });
    expect(labelled.json).toEqual({ text: "Translate hello into French in 5 words. Keep {{braces}}.", version: 1 });
    const numbered = await render({ version: 1, values: { text: "hello", n: "3", lang: "German", unused: "ignored" } });
    expect(numbered.json).toEqual({ text: "Translate hello into German in 3 words. Keep {{braces}}.", version: 1 });

    const missing = await render({ version: 1, values: { n: 5 } });
    expect(missing.status).toBe(422);
    expect(missing.json.error.details.fields).toEqual([{ path: "values.text", message: "text is required." }]);
    const badEnum = await render({ version: 1, values: { text: "x", n: 1, lang: "Klingon" } });
    expect(badEnum.status).toBe(422);
    expect(badEnum.json.error.details.fields).toEqual([{ path: "values.lang", message: "lang must be one of: French, German." }]);
    const badNumber = await render({ version: 1, values: { text: "x", n: "many" } });
    expect(badNumber.status).toBe(422);
    expect(badNumber.json.error.details.fields.map((f: { path: string }) => f.path)).toEqual(["values.n"]);
    expect((await render({ version: 1, values: {} })).json.error.details.fields.map((f: { path: string }) => f.path)).toEqual(["values.text", "values.n"]);

    expect((await render(undefined, "not json")).status).toBe(422);
    expect((await render({ values: "text=hi" })).status).toBe(422);
    expect((await render({ values: { text: { nested: true } } })).status).toBe(422);
    expect((await render({ version: "1", values: { text: "x" } })).status).toBe(422);
    expect((await render({ version: 7, values: { text: "x" } })).status).toBe(404);
    expect((await render({ label: "staging", values: { text: "x" } })).status).toBe(404);
  });
});

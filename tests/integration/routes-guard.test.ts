import { count } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { folders, prompts, tags } from "../../src/server/db/schema";
import { useTestDatabase } from "../helpers/db";
import { createFolder, createPrompt, createTag, createUser } from "../helpers/factories";
import { call } from "../helpers/http";
import * as r from "../helpers/routes";

type Handler = Parameters<typeof call>[0];
type Case = { name: string; handler: Handler; method: string; path: string; params?: Record<string, string>; body?: unknown };

const SOME_ID = "7b0c1f7e-8f55-4c1e-9b1a-2f6a3c9d0e11";

/** Every route that needs a signed-in user (all of src/app/api except health, auth/* and webhooks). */
const userRoutes: Case[] = [
  { name: "GET /api/me", handler: r.meRoute.GET, method: "GET", path: "/api/me" },
  { name: "GET /api/prompts", handler: r.promptsRoute.GET, method: "GET", path: "/api/prompts" },
  { name: "POST /api/prompts", handler: r.promptsRoute.POST, method: "POST", path: "/api/prompts", body: { title: "t", body: "b" } },
  { name: "GET /api/prompts/{id}", handler: r.promptRoute.GET, method: "GET", path: "/api/prompts/x", params: { id: SOME_ID } },
  { name: "PATCH /api/prompts/{id}", handler: r.promptRoute.PATCH, method: "PATCH", path: "/api/prompts/x", params: { id: SOME_ID }, body: { title: "t" } },
  { name: "DELETE /api/prompts/{id}", handler: r.promptRoute.DELETE, method: "DELETE", path: "/api/prompts/x", params: { id: SOME_ID } },
  { name: "GET /api/prompts/{id}/diff", handler: r.diffRoute.GET, method: "GET", path: "/api/prompts/x/diff?from=1&to=2", params: { id: SOME_ID } },
  { name: "GET /api/prompts/{id}/labels", handler: r.labelsRoute.GET, method: "GET", path: "/api/prompts/x/labels", params: { id: SOME_ID } },
  { name: "PUT /api/prompts/{id}/labels/{name}", handler: r.labelRoute.PUT, method: "PUT", path: "/api/prompts/x/labels/production", params: { id: SOME_ID, name: "production" }, body: { version: 1 } },
  { name: "DELETE /api/prompts/{id}/labels/{name}", handler: r.labelRoute.DELETE, method: "DELETE", path: "/api/prompts/x/labels/production", params: { id: SOME_ID, name: "production" } },
  { name: "POST /api/prompts/{id}/render", handler: r.renderRoute.POST, method: "POST", path: "/api/prompts/x/render", params: { id: SOME_ID }, body: { values: {} } },
  { name: "POST /api/prompts/{id}/restore", handler: r.trashRestoreRoute.POST, method: "POST", path: "/api/prompts/x/restore", params: { id: SOME_ID } },
  { name: "GET /api/prompts/{id}/versions", handler: r.versionsRoute.GET, method: "GET", path: "/api/prompts/x/versions", params: { id: SOME_ID } },
  { name: "GET /api/prompts/{id}/versions/{n}", handler: r.versionRoute.GET, method: "GET", path: "/api/prompts/x/versions/1", params: { id: SOME_ID, number: "1" } },
  { name: "POST /api/prompts/{id}/versions/{n}/restore", handler: r.versionRestoreRoute.POST, method: "POST", path: "/api/prompts/x/versions/1/restore", params: { id: SOME_ID, number: "1" } },
  { name: "GET /api/folders", handler: r.foldersRoute.GET, method: "GET", path: "/api/folders" },
  { name: "POST /api/folders", handler: r.foldersRoute.POST, method: "POST", path: "/api/folders", body: { name: "f" } },
  { name: "GET /api/folders/{id}", handler: r.folderRoute.GET, method: "GET", path: "/api/folders/x", params: { id: SOME_ID } },
  { name: "PATCH /api/folders/{id}", handler: r.folderRoute.PATCH, method: "PATCH", path: "/api/folders/x", params: { id: SOME_ID }, body: { name: "f" } },
  { name: "DELETE /api/folders/{id}", handler: r.folderRoute.DELETE, method: "DELETE", path: "/api/folders/x", params: { id: SOME_ID } },
  { name: "GET /api/tags", handler: r.tagsRoute.GET, method: "GET", path: "/api/tags" },
  { name: "POST /api/tags", handler: r.tagsRoute.POST, method: "POST", path: "/api/tags", body: { name: "t" } },
  { name: "GET /api/tags/{id}", handler: r.tagRoute.GET, method: "GET", path: "/api/tags/x", params: { id: SOME_ID } },
  { name: "PATCH /api/tags/{id}", handler: r.tagRoute.PATCH, method: "PATCH", path: "/api/tags/x", params: { id: SOME_ID }, body: { name: "t" } },
  { name: "DELETE /api/tags/{id}", handler: r.tagRoute.DELETE, method: "DELETE", path: "/api/tags/x", params: { id: SOME_ID } },
  { name: "DELETE /api/trash", handler: r.trashRoute.DELETE, method: "DELETE", path: "/api/trash" },
];

describe("route guard", () => {
  const db = useTestDatabase();

  it("answers 401 on every user route without a session cookie, and with an unknown one", async () => {
    for (const c of userRoutes) {
      for (const cookie of [undefined, "pv_session=not-a-real-session-token", "other=1"]) {
        const res = await call(c.handler, c.method, c.path, { cookie, params: c.params, body: c.body });
        expect(res.status, `${c.name} with cookie ${cookie}`).toBe(401);
        expect(res.json.error.code).toBe("unauthorized");
      }
    }
    // Nothing was written by any of them.
    for (const table of [prompts, folders, tags]) {
      const [row] = await db().select({ n: count() }).from(table);
      expect(Number(row!.n)).toBe(0);
    }
  });

  it("answers 404 for ids that are not uuids, on every route that takes one", async () => {
    const user = await createUser(db());
    const prompt = await createPrompt(db(), user.id);
    for (const bad of ["not-a-uuid", "1", "' or 1=1 --", `${prompt.id}x`, prompt.id.slice(0, 35)]) {
      for (const c of userRoutes.filter((c) => c.params?.id)) {
        const params = { ...c.params, id: bad };
        const res = await call(c.handler, c.method, c.path, { cookie: user.cookie, params, body: c.body });
        expect(res.status, `${c.name} with id ${bad}`).toBe(404);
        expect(res.json.error.code).toBe("not_found");
      }
    }
    // Version numbers that are not numbers cannot name a version either.
    for (const number of ["abc", "0", "-1", "1.5"]) {
      const read = await call(r.versionRoute.GET, "GET", "/", { cookie: user.cookie, params: { id: prompt.id, number } });
      expect(read.status, `version ${number}`).toBe(404);
      const restore = await call(r.versionRestoreRoute.POST, "POST", "/", { cookie: user.cookie, params: { id: prompt.id, number } });
      expect(restore.status, `restore ${number}`).toBe(404);
    }
    // An upper-case uuid is the same id.
    const upper = await call(r.promptRoute.GET, "GET", "/", { cookie: user.cookie, params: { id: prompt.id.toUpperCase() } });
    expect(upper.status).toBe(200);
    expect(upper.json.id).toBe(prompt.id);
  });

  it("refuses a state-changing request from another origin with 403, and accepts the same origin", async () => {
    const user = await createUser(db());
    const evil = await call(r.promptsRoute.POST, "POST", "/api/prompts", {
      cookie: user.cookie,
      body: { title: "CSRF", body: "x" },
      headers: { origin: "https://evil.example" },
    });
    expect(evil.status).toBe(403);
    expect(evil.json.error.code).toBe("forbidden");
    const sneaky = await call(r.promptsRoute.POST, "POST", "/api/prompts", {
      cookie: user.cookie,
      body: { title: "CSRF", body: "x" },
      headers: { origin: "http://localhost:3000.evil.example" },
    });
    expect(sneaky.status).toBe(403);
    const [row] = await db().select({ n: count() }).from(prompts);
    expect(Number(row!.n)).toBe(0);

    const same = await call(r.promptsRoute.POST, "POST", "/api/prompts", {
      cookie: user.cookie,
      body: { title: "Fine", body: "x" },
      headers: { origin: "http://localhost:3000" },
    });
    expect(same.status).toBe(201);
    // Reads are not state-changing and are not checked.
    const read = await call(r.promptsRoute.GET, "GET", "/api/prompts", { cookie: user.cookie, headers: { origin: "https://evil.example" } });
    expect(read.status).toBe(200);
  });
});

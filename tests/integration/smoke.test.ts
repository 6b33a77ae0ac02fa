import { describe, expect, it } from "vitest";
import * as promptsRoute from "../../src/app/api/prompts/route";
import * as promptRoute from "../../src/app/api/prompts/[id]/route";
import { useTestDatabase } from "../helpers/db";
import { createUser } from "../helpers/factories";
import { call } from "../helpers/http";

describe("smoke", () => {
  const db = useTestDatabase();
  it("creates and reads a prompt through the routes", async () => {
    const user = await createUser(db());
    const created = await call(promptsRoute.POST, "POST", "/api/prompts", { cookie: user.cookie, body: { title: "Hi", body: "Say {{x}}" } });
    expect(created.status).toBe(201);
    const got = await call(promptRoute.GET, "GET", `/api/prompts/${created.json.id}`, { cookie: user.cookie, params: { id: created.json.id } });
    expect(got.status).toBe(200);
    expect(got.json.variables).toEqual([{ name: "x", type: "text", required: true }]);
    const list = await call(promptsRoute.GET, "GET", "/api/prompts", { cookie: user.cookie, query: { q: "say" } });
    expect(list.json.items).toHaveLength(1);
  });
});

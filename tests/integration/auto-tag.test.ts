import { describe, expect, it } from "vitest";
import * as autoTagRoute from "../../src/app/api/prompts/auto-tag/route";
import { TagService } from "../../src/server/services/tag-service";
import { PromptService } from "../../src/server/services/prompts/prompt-service";
import { useTestDatabase } from "../helpers/db";
import { createPrompt, createTag, createUser } from "../helpers/factories";
import { call } from "../helpers/http";

describe("auto-tagging", () => {
  const db = useTestDatabase();

  it("tags untagged prompts by topic, reuses existing tags by name, never removes a person's tags", async () => {
    const user = await createUser(db());
    const other = await createUser(db());
    const mine = await createTag(db(), user.id, "Coding", "#111111");
    const sql = await createPrompt(db(), user.id, { title: "Revenue query", body: "Write a SQL query over the orders table of our Postgres database to compute revenue per customer." });
    const code = await createPrompt(db(), user.id, { title: "Fix bug", body: "Debug this TypeScript function: it throws an exception in React.\n```ts\nx()\n```" });
    const tagged = await createPrompt(db(), user.id, { title: "Mine", body: "Write a SQL query for the database table", tagIds: [mine.id] });
    const vague = await createPrompt(db(), user.id, { title: "Hi", body: "hello there" });
    const othersPrompt = await createPrompt(db(), other.id, { body: "Write a SQL query over a database table" });

    expect((await call(autoTagRoute.POST, "POST", "/api/prompts/auto-tag", { body: {} })).status).toBe(401);
    const res = await call(autoTagRoute.POST, "POST", "/api/prompts/auto-tag", { cookie: user.cookie, body: {} });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ examined: 3, tagged: 2 });

    const prompts = new PromptService(db(), user.id);
    expect((await prompts.get(sql.id)).tags.map((t) => t.name)).toContain("data");
    expect((await prompts.get(code.id)).tags.map((t) => t.name)).toEqual(["Coding"]); // existing tag reused, case-insensitively
    expect((await prompts.get(tagged.id)).tags.map((t) => t.name)).toEqual(["Coding"]); // already tagged: untouched
    expect((await prompts.get(vague.id)).tags).toEqual([]);
    expect((await new PromptService(db(), other.id).get(othersPrompt.id)).tags).toEqual([]);
    expect((await new TagService(db(), user.id).list()).find((t) => t.name === "data")?.color).toBe("#14b8a6");

    // Explicit ids of another user's prompts tag nothing.
    const foreign = await call(autoTagRoute.POST, "POST", "/api/prompts/auto-tag", { cookie: user.cookie, body: { promptIds: [othersPrompt.id] } });
    expect(foreign.json).toMatchObject({ examined: 0, tagged: 0 });
    expect((await call(autoTagRoute.POST, "POST", "/api/prompts/auto-tag", { cookie: user.cookie, body: { promptIds: ["nope"] } })).status).toBe(422);
  });
});

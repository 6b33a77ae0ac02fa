import { describe, expect, it } from "vitest";
import { suggestTopics } from "../../src/server/ai/tagger";

describe("offline auto-tagger", () => {
  it("tags by topic, strongest first, at most three, with the words it matched", () => {
    const sql = suggestTopics("Write a SQL query against the orders table in Postgres that returns revenue per customer from the database");
    expect(sql[0]?.tag).toBe("data");
    expect(sql[0]?.matched).toEqual(expect.arrayContaining(["sql", "query", "table", "database"]));
    expect(suggestTopics("Fix this TypeScript bug: the function throws an exception in React\n```ts\nfoo()\n```")[0]?.tag).toBe("coding");
    expect(suggestTopics("Draft a follow-up email to a customer asking for a refund, friendly tone").map((t) => t.tag)).toEqual(expect.arrayContaining(["email", "support"]));
    expect(suggestTopics("code code code bug error api python sql query table marketing campaign seo ads brand").length).toBeLessThanOrEqual(3);
  });

  it("leaves prompts without a clear topic untagged, and is deterministic", () => {
    expect(suggestTopics("hello there")).toEqual([]);
    const text = "Explain how a transformer works to a beginner, with a quiz at the end";
    expect(suggestTopics(text)).toEqual(suggestTopics(text));
    expect(suggestTopics(text)[0]?.tag).toBe("learning");
  });
});

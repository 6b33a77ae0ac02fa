import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Database } from "../../src/server/db/client";
import { prompts } from "../../src/server/db/schema";
import { PromptService } from "../../src/server/services/prompts/prompt-service";
import { useTestDatabase } from "../helpers/db";
import { createFolder, createPrompt, createTag, createUser, type TestUser } from "../helpers/factories";
import { call } from "../helpers/http";
import { promptRoute, promptsRoute } from "../helpers/routes";

type Item = { id: string; title: string; useCount: number; createdAt: string; updatedAt: string };
type Query = Record<string, string | number | boolean | undefined>;

async function list(user: TestUser, query: Query) {
  const res = await call(promptsRoute.GET, "GET", "/api/prompts", { cookie: user.cookie, query });
  expect(res.status, `${JSON.stringify(query)}: ${res.text}`).toBe(200);
  return res.json as { items: Item[]; nextCursor: string | null };
}

/** Follows nextCursor to the end; returns the ids in the order the pages gave them. */
async function walk(user: TestUser, query: Query): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 200; page++) {
    const { items, nextCursor } = await list(user, { ...query, cursor });
    expect(items.length).toBeLessThanOrEqual(Number(query.limit));
    ids.push(...items.map((i) => i.id));
    if (!nextCursor) return ids;
    expect(items.length).toBe(Number(query.limit));
    cursor = nextCursor;
  }
  throw new Error("pagination did not end");
}

/**
 * 26 prompts built to collide on every sort key: runs of identical timestamps (one statement, so now() is
 * the same), microsecond-apart timestamps, titles equal but for case, repeated use counts and search scores.
 */
async function seedLibrary(db: Database, userId: string): Promise<string[]> {
  const titles = ["Alpha", "alpha", "ALPHA", "Beta report", "beta REPORT", "Gamma", "Delta", "delta", "Épée", "zeta", "Zeta", "report", "Report"];
  const offsets = [null, null, null, "0.000001", "0.000001", "0.000002", "1", "1", "1", "1.5", "3600", "3600", "86400"]; // seconds ago
  const uses = [0, 1, 1, 1, 5, 5, 5, 9, 0, 1, 1, 2, 2];
  const rows = Array.from({ length: 26 }, (_, i) => {
    const offset = offsets[i % offsets.length];
    const at = offset === null ? sql`now()` : sql`now() - ${`${offset} seconds`}::interval`;
    // createdAt and updatedAt follow different patterns so the two sorts differ.
    const createdOffset = offsets[(i * 5) % offsets.length];
    const created = createdOffset === null ? sql`now()` : sql`now() - ${`${createdOffset} seconds`}::interval`;
    return {
      userId,
      title: titles[i % titles.length]!,
      body: i % 2 === 0 ? "A weekly report about the team." : "Notes for the report, with a report summary.",
      useCount: uses[(i * 7) % uses.length]!,
      createdAt: created,
      updatedAt: at,
    };
  });
  const inserted = await db.insert(prompts).values(rows).returning({ id: prompts.id });
  return inserted.map((r) => r.id);
}

/** node-postgres returns { rows }, PGlite through Drizzle too; tolerate a bare array as well. */
function rowsOf<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : ((result as { rows: T[] }).rows ?? []);
}

function expectOrdered<T>(items: T[], compare: (a: T, b: T) => number, label: string) {
  for (let i = 1; i < items.length; i++) expect(compare(items[i - 1]!, items[i]!), `${label} at ${i}`).toBeLessThan(0);
}

describe("library listing", () => {
  const db = useTestDatabase();

  it("walks every sort with keyset pages: each row exactly once, in the sort's order", async () => {
    const user = await createUser(db());
    const ids = await seedLibrary(db(), user.id);
    // Another user's prompts never appear, trashed ones neither.
    const other = await createUser(db());
    await seedLibrary(db(), other.id);
    const trashed = await createPrompt(db(), user.id, { title: "Alpha report", body: "report" });
    await new PromptService(db(), user.id).trash(trashed.id);

    // Exact keys from the database (microseconds), so the order is checked independently of the service.
    const keyRows = await db().execute(
      sql`select id::text as id, (extract(epoch from updated_at) * 1000000)::bigint::text as u, (extract(epoch from created_at) * 1000000)::bigint::text as c from prompts where user_id = ${user.id}`,
    );
    const keys = new Map((rowsOf<{ id: string; u: string; c: string }>(keyRows)).map((r) => [r.id, { u: BigInt(r.u), c: BigInt(r.c) }]));
    const desc = (a: bigint, b: bigint) => (a > b ? -1 : a < b ? 1 : 0);
    const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const cases: [Query, ((a: Item, b: Item) => number) | undefined][] = [
      [{ sort: "updated" }, (a, b) => desc(keys.get(a.id)!.u, keys.get(b.id)!.u) || byId(b.id, a.id)],
      [{ sort: "created" }, (a, b) => desc(keys.get(a.id)!.c, keys.get(b.id)!.c) || byId(b.id, a.id)],
      [{ sort: "uses" }, (a, b) => b.useCount - a.useCount || byId(b.id, a.id)],
      [{ sort: "title" }, undefined],
      [{ q: "report" }, undefined],
      [{ q: "report", sort: "relevance" }, undefined],
      [{}, (a, b) => desc(keys.get(a.id)!.u, keys.get(b.id)!.u) || byId(b.id, a.id)],
    ];
    // The seed really has ties and microsecond steps on each key.
    const us = [...keys.values()].map((k) => k.u);
    expect(new Set(us).size).toBeLessThan(us.length);
    expect(us.some((u) => us.includes(u - 1n))).toBe(true);
    for (const [query, compare] of cases) {
      const full = await list(user, { ...query, limit: 100 });
      expect(full.nextCursor).toBeNull();
      expect(full.items.map((i) => i.id).sort(), JSON.stringify(query)).toEqual([...ids].sort());
      if (compare) expectOrdered(full.items, compare, JSON.stringify(query));
      for (const limit of [1, 4, 7]) {
        const walked = await walk(user, { ...query, limit });
        expect(new Set(walked).size, `${JSON.stringify(query)} limit ${limit}: duplicates`).toBe(walked.length);
        expect(walked, `${JSON.stringify(query)} limit ${limit}`).toEqual(full.items.map((i) => i.id));
      }
    }

    // Title order is case-insensitive with the id as tie-breaker.
    const titles = (await list(user, { sort: "title", limit: 100 })).items;
    for (let i = 1; i < titles.length; i++) {
      const [a, b] = [titles[i - 1]!, titles[i]!];
      if (a.title.toLowerCase() === b.title.toLowerCase()) expect(byId(a.id, b.id)).toBeLessThan(0);
    }
    // Relevance: a title that matches ranks above body-only matches.
    const relevance = (await list(user, { q: "report", limit: 100 })).items;
    const firstBodyOnly = relevance.findIndex((i) => !/report/i.test(i.title));
    expect(relevance.slice(firstBodyOnly).every((i) => !/report/i.test(i.title))).toBe(true);
    expect(firstBodyOnly).toBeGreaterThan(0);
  });

  it("treats microsecond-apart timestamps as distinct keys", async () => {
    const user = await createUser(db());
    const rows = await db()
      .insert(prompts)
      .values(
        ["0.000003", "0.000002", "0.000001", "0.000002", "0.000003"].map((s, i) => ({
          userId: user.id,
          title: `t${i}`,
          body: "b",
          updatedAt: sql`now() - ${`${s} seconds`}::interval`,
        })),
      )
      .returning({ id: prompts.id, updatedAt: prompts.updatedAt });
    const walked = await walk(user, { sort: "updated", limit: 1 });
    const exact = rowsOf<{ id: string }>(await db().execute(sql`select id::text as id from prompts where user_id = ${user.id} order by updated_at desc, id desc`));
    expect(walked).toEqual(exact.map((r) => r.id));
    expect(walked).toHaveLength(rows.length);
  });

  it("rejects bad listing parameters with 422", async () => {
    const user = await createUser(db());
    await seedLibrary(db(), user.id);
    const first = await list(user, { sort: "title", limit: 2 });
    const bad: Query[] = [
      { cursor: "garbage" },
      { cursor: Buffer.from(JSON.stringify(["updated", "x", "not-a-uuid"])).toString("base64url") },
      { cursor: Buffer.from("{}").toString("base64url") },
      { cursor: first.nextCursor!, sort: "updated" }, // a cursor from another sort
      { cursor: first.nextCursor! }, // …or from another default sort
      { cursor: "x".repeat(501) },
      { sort: "relevance" }, // relevance needs a query
      { sort: "random" },
      { limit: 0 },
      { limit: 101 },
      { limit: "ten" },
      { source: "myspace" },
      { folderId: "nope" },
      { tagId: "nope" },
      { favorite: "maybe" },
      { q: "x".repeat(201) },
    ];
    for (const query of bad) {
      const res = await call(promptsRoute.GET, "GET", "/api/prompts", { cookie: user.cookie, query });
      expect(res.status, JSON.stringify(query)).toBe(422);
      expect(res.json.error.code).toBe("invalid");
    }
    // The cursor with its own sort works.
    expect((await list(user, { sort: "title", limit: 2, cursor: first.nextCursor! })).items).toHaveLength(2);
  });

  it("filters by folder, no folder, tag, source and favourite, alone and combined with search", async () => {
    const user = await createUser(db());
    const folder = await createFolder(db(), user.id, "Work");
    const otherFolder = await createFolder(db(), user.id, "Home");
    const tag = await createTag(db(), user.id, "meetings");
    const service = new PromptService(db(), user.id);
    const make = async (name: string, input: Record<string, unknown>, source?: "chatgpt" | "claude") =>
      [name, (await service.create({ body: "Some text.", ...input }, source ? { source } : {})).id] as const;
    const ids = Object.fromEntries(
      await Promise.all([
        make("workMeeting", { title: "Summarise meeting notes", folderId: folder.id, tagIds: [tag.id], isFavorite: true }),
        make("workEmail", { title: "Draft an email", folderId: folder.id }),
        make("chatMeeting", { title: "Summarise the standup", tagIds: [tag.id] }, "chatgpt"),
        make("chatPoem", { title: "Write a poem", isFavorite: true }, "chatgpt"),
        make("homeList", { title: "Shopping list", body: "Summarise what to buy", folderId: otherFolder.id }, "claude"),
        make("loose", { title: "Loose note" }),
      ]),
    ) as Record<string, string>;
    const trashedInFolder = await service.create({ title: "Summarise trashed", body: "x", folderId: folder.id, tagIds: [tag.id], isFavorite: true });
    await service.trash(trashedInFolder.id);
    const other = await createUser(db());
    await createPrompt(db(), other.id, { title: "Summarise someone else's meeting" });

    const names = async (query: Query) => {
      const { items } = await list(user, { ...query, limit: 100 });
      return items.map((i) => Object.keys(ids).find((k) => ids[k] === i.id) ?? i.id).sort();
    };
    expect(await names({ folderId: folder.id })).toEqual(["workEmail", "workMeeting"]);
    expect(await names({ folderId: "none" })).toEqual(["chatMeeting", "chatPoem", "loose"]);
    expect(await names({ tagId: tag.id })).toEqual(["chatMeeting", "workMeeting"]);
    expect(await names({ source: "chatgpt" })).toEqual(["chatMeeting", "chatPoem"]);
    expect(await names({ source: "manual" })).toEqual(["loose", "workEmail", "workMeeting"]);
    expect(await names({ favorite: true })).toEqual(["chatPoem", "workMeeting"]);
    expect(await names({ favorite: "false" })).toEqual(["chatMeeting", "homeList", "loose", "workEmail"]);
    expect(await names({ q: "summarise" })).toEqual(["chatMeeting", "homeList", "workMeeting"]);
    expect(await names({ q: "summarise", folderId: folder.id })).toEqual(["workMeeting"]);
    expect(await names({ q: "summarise", folderId: "none" })).toEqual(["chatMeeting"]);
    expect(await names({ q: "summarise", tagId: tag.id, source: "chatgpt" })).toEqual(["chatMeeting"]);
    expect(await names({ q: "summarise", favorite: true })).toEqual(["workMeeting"]);
    expect(await names({ q: "summarise", source: "claude", folderId: otherFolder.id })).toEqual(["homeList"]);
    expect(await names({ q: "summarise", source: "claude", folderId: folder.id })).toEqual([]);
    expect(await names({ q: "summarise", trashed: true })).toEqual([trashedInFolder.id]);
    expect(await names({ folderId: folder.id, trashed: "true", tagId: tag.id, favorite: "1" })).toEqual([trashedInFolder.id]);
  });

  it("searches titles, bodies, prefixes and substrings, ranks title matches first, and stays inside the user's library", async () => {
    const user = await createUser(db());
    const other = await createUser(db());
    const mk = (title: string, body: string, owner = user) => createPrompt(db(), owner.id, { title, body });
    const checklist = await mk("Deployment checklist", "Steps to follow before shipping.");
    const notes = await mk("Release notes", "Deployment of the service happens on Fridays. Kubernetes cluster upgrades too.");
    const summarise = await mk("Summarise the report", "Make it short.");
    const snake = await mk("snake_case names", "Rename things.");
    const percent = await mk("100% done", "Finished work.");
    const stop = await mk("The and of", "Only stop words in the title.");
    await mk("Deployment secrets", "Kubernetes summarise ummar snake_case", other);

    const search = async (q: string, extra: Query = {}) => (await list(user, { q, limit: 100, ...extra })).items.map((i) => i.id);

    // Stemmed full-text match in the title outranks one in the body only (neither title contains "deploying").
    expect(await search("deploying")).toEqual([checklist.id, notes.id]);
    expect(await search("Deployment")).toEqual([checklist.id, notes.id]);
    // Substring on titles, any case.
    expect(await search("ummar")).toEqual([summarise.id]);
    expect(await search("SUMMAR")).toEqual([summarise.id]);
    // The last word matches as a prefix while typing, in the body too; earlier words must be whole.
    expect(await search("kubern")).toEqual([notes.id]);
    expect(await search("cluster kuber")).toEqual([notes.id]);
    expect(await search("deployment chec")).toEqual([checklist.id]);
    expect(await search("kubern cluster")).toEqual([]);
    // LIKE wildcards are literal.
    expect(await search("_")).toEqual([snake.id]);
    expect(await search("%")).toEqual([percent.id]);
    // Web-search syntax: phrases and exclusions.
    expect(await search('"release notes"')).toEqual([notes.id]);
    expect(await search("deployment -checklist")).toEqual([notes.id]);
    // Stop words only, or punctuation only, do not error; the title substring still matches.
    expect(await search("the and of")).toEqual([stop.id]);
    for (const q of ["the", "a", "of the", "&|!():*", "'", "\\", "-", '"', " or "]) await search(q);
    // Nothing from the other user's library, whatever the query or sort.
    for (const q of ["deployment", "kubernetes", "secrets", "summarise", "ummar", "snake"]) {
      for (const sort of ["relevance", "updated", "title"]) {
        const found = await search(q, { sort });
        expect(found.every((id) => [checklist.id, notes.id, summarise.id, snake.id, percent.id, stop.id].includes(id)), `${q} ${sort}`).toBe(true);
      }
    }
    expect(await search("secrets")).toEqual([]);

    // A search reflects edits: the new title is found, the old one no longer.
    await call(promptRoute.PATCH, "PATCH", "/", { cookie: user.cookie, params: { id: summarise.id }, body: { title: "Condense the report" } });
    expect(await search("ummar")).toEqual([]);
    expect(await search("condense")).toEqual([summarise.id]);
  });
});

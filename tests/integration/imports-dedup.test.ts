import { asc, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import * as promptsRoute from "../../src/app/api/prompts/route";
import { promptOccurrences, prompts } from "../../src/server/db/schema";
import { ImportService } from "../../src/server/services/imports/import-service";
import { PromptService } from "../../src/server/services/prompts/prompt-service";
import { chatGptExport, syntheticChatGptExport } from "../helpers/chatgpt-export";
import { useTestDatabase } from "../helpers/db";
import { createUser } from "../helpers/factories";
import { call } from "../helpers/http";
import { librarySnapshot, removeTemporaryDirs, runImport, tempStorage } from "../helpers/imports";

const REVIEW =
  "You are a senior TypeScript reviewer. Read the following pull request diff carefully and list every bug, race condition, missing test and unclear name you find, ordered by severity, with the file and line for each, and suggest a concrete fix in one sentence per finding.";
const REVIEW_EDITED = REVIEW.replace("ordered by severity", "ordered by impact");
const STORY =
  "Write a short story about a lighthouse keeper who finds a message in a bottle that was written by her own grandmother fifty years ago, and make the ending hopeful but not sentimental.";

describe("import de-duplication", () => {
  afterAll(removeTemporaryDirs);
  const db = useTestDatabase();
  const promptsOf = (userId: string) => db().select().from(prompts).where(eq(prompts.userId, userId)).orderBy(asc(prompts.createdAt), asc(prompts.body));
  const occurrencesOf = (promptId: string) => db().select().from(promptOccurrences).where(eq(promptOccurrences.promptId, promptId));

  it("folds exact duplicates (case and spacing ignored) within one file and across files", async () => {
    const user = await createUser(db());
    const service = new ImportService(db(), user.id, tempStorage());
    const first = await runImport(service, [
      {
        name: "conversations.json",
        data: chatGptExport([
          { id: "c-1", title: "Code help", createTime: 1_717_000_000, prompts: ["Explain this code", "Write a haiku about spring"] },
          { id: "c-2", title: "More code help", createTime: 1_717_100_000, prompts: ["  explain   THIS\ncode ", "Write a haiku about spring"] },
        ]),
      },
    ]);
    expect(first.files[0]).toMatchObject({ status: "succeeded", promptsFound: 4, imported: 2, duplicates: 2 });

    let library = await promptsOf(user.id);
    expect(library.map((p) => [p.body, p.useCount])).toEqual([
      ["Explain this code", 2],
      ["Write a haiku about spring", 2],
    ]);

    // Another file, another session, another source: still the same prompt.
    const second = await runImport(service, [{ name: "more-prompts.json", data: JSON.stringify(["EXPLAIN this   code", "A brand new prompt"]) }]);
    expect(second.files[0]).toMatchObject({ status: "succeeded", source: "generic", promptsFound: 2, imported: 1, duplicates: 1 });

    library = await promptsOf(user.id);
    const explain = library.find((p) => p.body === "Explain this code")!;
    // The first text seen stays the prompt's text, its source stays the first source.
    expect(explain).toMatchObject({ useCount: 3, source: "chatgpt", currentVersion: 1 });
    expect(library).toHaveLength(3);
    const seen = await occurrencesOf(explain.id);
    expect(seen.map((o) => [o.source, o.conversationId, o.isFirst, o.variantText]).sort()).toEqual([
      ["chatgpt", "c-1", true, null],
      ["chatgpt", "c-2", false, null],
      ["generic", "more-prompts.json", false, null],
    ]);
  });

  it("folds a near-duplicate long prompt (one word changed) into one entry with the variant kept; short prompts a word apart stay separate; sort=uses puts the most reused first", async () => {
    const user = await createUser(db());
    const service = new ImportService(db(), user.id, tempStorage());
    const session = await runImport(service, [
      {
        name: "conversations.json",
        data: chatGptExport([
          { id: "n-1", title: "Reviews", createTime: 1_717_000_000, prompts: [REVIEW, "Translate this sentence into French please", STORY] },
          { id: "n-2", title: "Reviews again", createTime: 1_717_100_000, prompts: [REVIEW_EDITED, "Translate this sentence into German please"] },
          { id: "n-3", title: "Story", createTime: 1_717_200_000, prompts: [STORY, "Translate this sentence into French please", STORY.toUpperCase()] },
        ]),
      },
    ]);
    expect(session.files[0]).toMatchObject({ status: "succeeded", promptsFound: 8, imported: 4, duplicates: 4 });

    const library = await promptsOf(user.id);
    expect(library.map((p) => [p.body, p.useCount]).sort()).toEqual(
      [
        [REVIEW, 2],
        [STORY, 3],
        ["Translate this sentence into French please", 2],
        ["Translate this sentence into German please", 1],
      ].sort(),
    );
    const review = library.find((p) => p.body === REVIEW)!;
    const variants = await occurrencesOf(review.id);
    expect(variants.map((o) => [o.conversationId, o.isFirst, o.variantText]).sort()).toEqual([
      ["n-1", true, null],
      ["n-2", false, REVIEW_EDITED],
    ]);
    // The occurrences route shows the variant too.
    const shown = await call((await import("../../src/app/api/prompts/[id]/occurrences/route")).GET, "GET", `/api/prompts/${review.id}/occurrences`, {
      cookie: user.cookie,
      params: { id: review.id },
    });
    expect(shown.status).toBe(200);
    expect(shown.json.occurrences.map((o: { conversationTitle: string; variantText: string | null }) => [o.conversationTitle, o.variantText])).toEqual([
      ["Reviews again", REVIEW_EDITED],
      ["Reviews", null],
    ]);

    // "Most reused" first, through the library route.
    const res = await call(promptsRoute.GET, "GET", "/api/prompts", { cookie: user.cookie, query: { sort: "uses" } });
    expect(res.status).toBe(200);
    expect(res.json.items.map((p: { preview: string; useCount: number }) => p.useCount)).toEqual([3, 2, 2, 1]);
    expect(res.json.items[0].preview).toBe(STORY);
    expect(new Set(res.json.items.slice(1, 3).map((p: { preview: string }) => p.preview))).toEqual(new Set([REVIEW, "Translate this sentence into French please"]));
  });

  it("matches a near-duplicate against the library in a later import", async () => {
    const user = await createUser(db());
    const service = new ImportService(db(), user.id, tempStorage());
    await runImport(service, [{ name: "conversations.json", data: chatGptExport([{ id: "l-1", title: "Reviews", createTime: 1_717_000_000, prompts: [REVIEW] }]) }]);
    const later = await runImport(service, [{ name: "review.txt", data: `${REVIEW_EDITED}\n` }]);
    expect(later.files[0]).toMatchObject({ status: "succeeded", source: "generic", promptsFound: 1, imported: 0, duplicates: 1 });
    const [review, ...rest] = await promptsOf(user.id);
    expect(rest).toEqual([]);
    expect(review).toMatchObject({ body: REVIEW, useCount: 2, source: "chatgpt" });
    const folded = (await occurrencesOf(review!.id)).find((o) => !o.isFirst)!;
    expect(folded).toMatchObject({ source: "generic", variantText: REVIEW_EDITED });
    // Listed by "most reused" first, ahead of an unrelated prompt written in the app.
    await new PromptService(db(), user.id).create({ title: "Mine", body: "Something I wrote myself" });
    const list = await new PromptService(db(), user.id).list({ sort: "uses" });
    expect(list.items.map((p) => p.id)[0]).toBe(review!.id);
  });

  it("is idempotent: the same export imported twice adds nothing and reports every prompt as a duplicate", async () => {
    const user = await createUser(db());
    const service = new ImportService(db(), user.id, tempStorage());
    const synthetic = syntheticChatGptExport({ prompts: 150, seed: 7 });
    const files = [
      { name: "conversations.json", data: synthetic.json },
      { name: "notes.md", data: "Summarise the meeting notes below.\n\n---\n\nsummarise  the meeting notes BELOW.\n\n---\n\nDraft a reply to this email.\n" },
    ];

    const first = await runImport(service, files);
    expect(first.status).toBe("succeeded");
    expect(first.files.map((f) => [f.fileName, f.status, f.promptsFound])).toEqual([
      ["conversations.json", "succeeded", 150],
      ["notes.md", "succeeded", 3],
    ]);
    expect(first.totals.imported + first.totals.duplicates).toBe(153);
    expect(first.totals.duplicates).toBeGreaterThanOrEqual(synthetic.exactCopies + 1);
    const before = await librarySnapshot(db(), user.id);
    const idsBefore = (await promptsOf(user.id)).map((p) => p.id).sort();
    expect(before.prompts.length).toBe(first.totals.imported);
    expect(before.occurrenceCount).toBe(153);
    expect(before.prompts.some((p) => p.occurrences.some((o) => o.variantText !== null))).toBe(true);

    const second = await runImport(service, files);
    expect(second.id).not.toBe(first.id);
    expect(second.status).toBe("succeeded");
    for (const f of second.files) expect(f, f.fileName).toMatchObject({ status: "succeeded", imported: 0, duplicates: f.promptsFound });
    expect(second.totals).toMatchObject({ promptsFound: 153, imported: 0, duplicates: 153 });

    expect((await promptsOf(user.id)).map((p) => p.id).sort()).toEqual(idsBefore);
    expect(await librarySnapshot(db(), user.id)).toEqual(before);
  });
});

import { and, asc, desc, eq, inArray, isNotNull, isNull, sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import { importFiles, promptOccurrences, promptTags, prompts, tags } from "../../db/schema";
import { ServiceError } from "../../errors";
import type { ListPromptsInput, PromptSort } from "./schemas";
import { listPromptsSchema } from "./schemas";
import { parseInput } from "../input";
import type { PromptSummary, TagRef } from "./types";

/**
 * The library query: filters, sort, keyset paging and search.
 *
 * Search combines Postgres full-text search (weighted title > description > body, ranked with ts_rank)
 * with case-insensitive substring matching on titles (trigram index). A very common word can match most
 * of a 100k-prompt library, so each branch contributes at most SEARCH_CANDIDATES of its most recently
 * updated matches; ranking runs on that bounded set. Results therefore favour recent prompts among equally
 * good matches, which is also what people look for.
 */
export const SEARCH_CANDIDATES = 200;
const PREVIEW_CHARS = 280;

type Cursor = { sort: PromptSort; key: string; id: string };

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.sort, c.key, c.id])).toString("base64url");
}

function decodeCursor(raw: string, sort: PromptSort): Cursor {
  try {
    const [s, key, id] = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as unknown[];
    if (s === sort && typeof key === "string" && typeof id === "string" && /^[0-9a-f-]{36}$/.test(id)) return { sort, key, id };
  } catch {
    // fall through to the error below
  }
  throw new ServiceError("invalid", "Invalid input — cursor: not a cursor from this list (start again without it).", {
    fields: [{ path: "cursor", message: "invalid cursor" }],
  });
}

/** Builds a tsquery from what a person types: full words, and the last word as a prefix while typing. */
function tsQuery(q: string): SQL {
  // Quotes, "or" and "-word" mean the person is using web-search syntax: honour it as such.
  if (/["]|(^|\s)-\S|\sor\s/i.test(q)) return sql`websearch_to_tsquery('english', ${q})`;
  const words = q.match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words.length === 0) return sql`''::tsquery`;
  const last = words.length - 1;
  const terms = words.map((w, i) => (i === last && w.length >= 3 ? `${w}:*` : w));
  return sql`to_tsquery('english', ${terms.join(" & ")})`;
}

function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export async function listPrompts(db: Database, userId: string, rawInput: ListPromptsInput | unknown): Promise<{ items: PromptSummary[]; nextCursor: string | null }> {
  const input = parseInput(listPromptsSchema, rawInput);
  const q = input.q && input.q.length > 0 ? input.q : undefined;
  const sort: PromptSort = input.sort ?? (q ? "relevance" : "updated");
  if (sort === "relevance" && !q) throw new ServiceError("invalid", "Invalid input — sort: relevance needs a search query (q).");

  const filters: SQL[] = [eq(prompts.userId, userId), input.trashed ? isNotNull(prompts.deletedAt) : isNull(prompts.deletedAt)];
  if (input.folderId === "none") filters.push(isNull(prompts.folderId));
  else if (input.folderId) filters.push(eq(prompts.folderId, input.folderId));
  if (input.source) filters.push(eq(prompts.source, input.source));
  if (input.favorite !== undefined) filters.push(eq(prompts.isFavorite, input.favorite));
  if (input.tagId) {
    filters.push(sql`exists (select 1 from ${promptTags} where ${promptTags.promptId} = ${prompts.id} and ${promptTags.tagId} = ${input.tagId})`);
  }
  if (input.importId) {
    filters.push(
      sql`exists (select 1 from ${promptOccurrences} join ${importFiles} on ${importFiles.id} = ${promptOccurrences.importFileId} where ${promptOccurrences.promptId} = ${prompts.id} and ${importFiles.sessionId} = ${input.importId} and ${importFiles.userId} = ${userId})`,
    );
  }
  const base = and(...filters)!;

  const where: SQL[] = [base];
  let score: SQL<string> | undefined;
  if (q) {
    const query = tsQuery(q);
    const pattern = likePattern(q);
    // Each branch is capped separately so the planner can use the GIN index or walk the recency index,
    // whichever is cheaper for this term, and never ranks more than 2 × SEARCH_CANDIDATES rows.
    where.push(sql`${prompts.id} in (
      (select ${prompts.id} from ${prompts} where ${base} and ${prompts.searchVector} @@ ${query} order by ${prompts.updatedAt} desc nulls last limit ${SEARCH_CANDIDATES})
      union
      (select ${prompts.id} from ${prompts} where ${base} and ${prompts.title} ilike ${pattern} order by ${prompts.updatedAt} desc nulls last limit ${SEARCH_CANDIDATES})
    )`);
    score = sql<string>`round((ts_rank(${prompts.searchVector}, ${query}) + case when ${prompts.title} ilike ${pattern} then 0.5 else 0 end)::numeric, 6)`;
  }

  const order = sortSpec(sort, score);
  if (input.cursor) {
    const cursor = decodeCursor(input.cursor, sort);
    where.push(order.after(cursor.key, cursor.id));
  }

  // The page is chosen on ids and sort keys only; the display columns are read for those rows alone.
  // Selecting them in the sorted query would make Postgres compute every preview (detoasting bodies) for
  // each row it sorts — up to 2 × SEARCH_CANDIDATES when ranking a search. The second read goes out
  // together with the tags, so a page still costs two round trips.
  const keys = await db
    .select({ id: prompts.id, sortKey: order.key })
    .from(prompts)
    .where(and(...where))
    .orderBy(...order.orderBy)
    .limit(input.limit + 1);

  const pageKeys = keys.slice(0, input.limit);
  const ids = pageKeys.map((k) => k.id);
  const [details, tagsByPrompt] = await Promise.all([loadSummaries(db, userId, ids), loadTags(db, userId, ids)]);
  const page = pageKeys.flatMap((k) => {
    const row = details.get(k.id);
    return row ? [{ ...row, sortKey: k.sortKey }] : []; // deleted between the two reads
  });
  const last = pageKeys[pageKeys.length - 1];
  return {
    items: page.map(({ sortKey: _sortKey, ...row }) => ({ ...row, tags: tagsByPrompt.get(row.id) ?? [] })),
    nextCursor: keys.length > input.limit && last ? encodeCursor({ sort, key: String(last.sortKey), id: last.id }) : null,
  };
}

type SortSpec = { key: SQL<string>; orderBy: SQL[]; after: (key: string, id: string) => SQL };

function sortSpec(sort: PromptSort, score: SQL<string> | undefined): SortSpec {
  // Keys are compared as Postgres values rebuilt from their text form, so microsecond timestamps and
  // numeric scores round-trip exactly through the cursor.
  // "desc nulls last" matches the keyset indexes (drizzle-kit writes DESC NULLS LAST); a plain "desc" means
  // NULLS FIRST, which no index can serve, and turns page 1 into a sort of the whole library. The columns
  // are NOT NULL, so the order itself is the same.
  switch (sort) {
    case "relevance":
      return {
        key: sql<string>`(${score!})::text`,
        orderBy: [sql`${score!} desc`, desc(prompts.id)],
        after: (key, id) => sql`(${score!}, ${prompts.id}) < (${key}::numeric, ${id}::uuid)`,
      };
    case "created":
      return {
        key: sql<string>`${prompts.createdAt}::text`,
        orderBy: [sql`${prompts.createdAt} desc nulls last`, sql`${prompts.id} desc nulls last`],
        after: (key, id) => sql`(${prompts.createdAt}, ${prompts.id}) < (${key}::timestamptz, ${id}::uuid)`,
      };
    case "title":
      return {
        key: sql<string>`lower(${prompts.title})`,
        orderBy: [sql`lower(${prompts.title}) asc`, asc(prompts.id)],
        after: (key, id) => sql`(lower(${prompts.title}), ${prompts.id}) > (${key}, ${id}::uuid)`,
      };
    case "uses":
      return {
        key: sql<string>`${prompts.useCount}::text`,
        orderBy: [sql`${prompts.useCount} desc nulls last`, sql`${prompts.id} desc nulls last`],
        after: (key, id) => sql`(${prompts.useCount}, ${prompts.id}) < (${key}::int, ${id}::uuid)`,
      };
    case "updated":
      return {
        key: sql<string>`${prompts.updatedAt}::text`,
        orderBy: [sql`${prompts.updatedAt} desc nulls last`, sql`${prompts.id} desc nulls last`],
        after: (key, id) => sql`(${prompts.updatedAt}, ${prompts.id}) < (${key}::timestamptz, ${id}::uuid)`,
      };
  }
}

async function loadSummaries(db: Database, userId: string, ids: string[]): Promise<Map<string, Omit<PromptSummary, "tags">>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({
      id: prompts.id,
      title: prompts.title,
      preview: sql<string>`left(${prompts.body}, ${PREVIEW_CHARS})`,
      bodyLength: sql<number>`char_length(${prompts.body})::int`,
      description: prompts.description,
      folderId: prompts.folderId,
      isFavorite: prompts.isFavorite,
      source: prompts.source,
      sourceDetail: prompts.sourceDetail,
      modelHint: prompts.modelHint,
      currentVersion: prompts.currentVersion,
      useCount: prompts.useCount,
      createdAt: prompts.createdAt,
      updatedAt: prompts.updatedAt,
      deletedAt: prompts.deletedAt,
    })
    .from(prompts)
    .where(and(eq(prompts.userId, userId), inArray(prompts.id, ids)));
  return new Map(rows.map((r) => [r.id, r]));
}

export async function loadTags(db: Database, userId: string, promptIds: string[]): Promise<Map<string, TagRef[]>> {
  const map = new Map<string, TagRef[]>();
  if (promptIds.length === 0) return map;
  const rows = await db
    .select({ promptId: promptTags.promptId, id: tags.id, name: tags.name, color: tags.color })
    .from(promptTags)
    .innerJoin(tags, eq(tags.id, promptTags.tagId))
    .where(and(eq(promptTags.userId, userId), inArray(promptTags.promptId, promptIds)))
    .orderBy(asc(sql`lower(${tags.name})`));
  for (const { promptId, ...tag } of rows) {
    const list = map.get(promptId) ?? [];
    list.push(tag);
    map.set(promptId, list);
  }
  return map;
}

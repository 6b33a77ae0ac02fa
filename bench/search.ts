/**
 * `npm run bench:search` — library search and listing latency at 100,000 prompts for one user.
 *
 * Seeds a throwaway database (an on-disk PGlite in a temp folder; and, when DATABASE_URL is set, a fresh
 * database created next to it on that server and dropped afterwards — never the developer's data), then
 * times the real `PromptService.list` path for each class of query and prints p50/p95 against the target.
 *
 * Options: --prompts N (default 100000), --others N (users, default 3), --other-prompts N (default 20000),
 * --runs N (default 60), --memory (PGlite in memory instead of on disk), --no-pglite,
 * --explain-all (EXPLAIN every class, not only the slowest search).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { openDatabase, refreshPlannerStatistics, type Database, type DatabaseHandle } from "../src/server/db/client";
import * as schema from "../src/server/db/schema";
import { getEnv } from "../src/server/env";
import { PromptService } from "../src/server/services/prompts/prompt-service";
import type { ListPromptsInput } from "../src/server/services/prompts/schemas";
import { BENCH_TERMS } from "./corpus";
import { seedLibrary, type Seeded } from "./seed";
import { cliOptions, createScratchDatabase, dropScratchDatabases } from "./lib";

const TARGET_P95_MS = 35;
const WARMUP = 5;

const { flag, num } = cliOptions();
const options = {
  prompts: num("prompts", 100_000),
  otherUsers: num("others", 3),
  otherPrompts: num("other-prompts", 20_000),
  runs: Math.max(50, num("runs", 60)),
};

type Case = { name: string; input: ListPromptsInput; search: boolean };
type Result = Case & { p50: number; p95: number; max: number; matches?: number };

function cases(seeded: Seeded, tenthPageCursor: string): Case[] {
  const t = BENCH_TERMS;
  return [
    { name: "common term", input: { q: t.common }, search: true },
    { name: "medium term", input: { q: t.medium }, search: true },
    { name: "rare term", input: { q: t.rare }, search: true },
    { name: "title substring", input: { q: t.substring }, search: true },
    { name: "two words", input: { q: t.twoWords }, search: true },
    { name: "common + folder", input: { q: t.common, folderId: seeded.folderIds.Support }, search: true },
    { name: "typing prefix", input: { q: t.typingPrefix }, search: true },
    { name: "list page 1", input: {}, search: false },
    { name: "list page 10", input: { cursor: tenthPageCursor }, search: false },
  ];
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

async function rows<T>(db: Database, query: ReturnType<typeof sql>): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}

/** How many of the user's live prompts match at all (before the service's candidate cap). */
async function countMatches(db: Database, userId: string, input: ListPromptsInput): Promise<number> {
  const q = input.q!;
  const words = q.match(/[\p{L}\p{N}]+/gu) ?? [];
  const tsq = words.map((w, i) => (i === words.length - 1 && w.length >= 3 ? `${w}:*` : w)).join(" & ");
  const folder = input.folderId ? sql`and folder_id = ${input.folderId}` : sql``;
  const [row] = await rows<{ n: number }>(
    db,
    sql`select count(*)::int as n from prompts where user_id = ${userId} and deleted_at is null ${folder}
        and (search_vector @@ to_tsquery('english', ${tsq}) or title ilike ${`%${q}%`})`,
  );
  return row!.n;
}

/**
 * Round-robin over the classes (run 1 of every class, then run 2…), so a burst of load from elsewhere on the
 * machine spreads over all classes instead of landing on one.
 */
async function measure(db: Database, userId: string, list: Case[]): Promise<Result[]> {
  const service = new PromptService(db, userId);
  const times = list.map(() => [] as number[]);
  for (const c of list) for (let i = 0; i < WARMUP; i++) await service.list({ ...c.input, limit: 30 });
  for (let run = 0; run < options.runs; run++) {
    for (const [i, c] of list.entries()) {
      const t0 = performance.now();
      await service.list({ ...c.input, limit: 30 });
      times[i]!.push(performance.now() - t0);
    }
  }
  const results: Result[] = [];
  for (const [i, c] of list.entries()) {
    const sorted = times[i]!.sort((a, b) => a - b);
    results.push({
      ...c,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      max: sorted[sorted.length - 1]!,
      matches: c.search ? await countMatches(db, userId, c.input) : undefined,
    });
  }
  return results;
}

function table(title: string, results: Result[], libraryTotal: number): string {
  const head = ["class", "query", "matching prompts", "p50 ms", "p95 ms", "max ms", "p95/target", "result"];
  const body = results.map((r) => [
    r.name,
    r.input.q !== undefined ? JSON.stringify(r.input.q) + (r.input.folderId ? " in Support" : "") : r.input.cursor ? "(cursor, 9 pages in)" : "(no query)",
    r.matches !== undefined ? `${r.matches.toLocaleString("en")} (${((100 * r.matches) / libraryTotal).toFixed(2)}%)` : "—",
    r.p50.toFixed(1),
    r.p95.toFixed(1),
    r.max.toFixed(1),
    `${(r.p95 / TARGET_P95_MS).toFixed(2)}×`,
    r.p95 <= TARGET_P95_MS ? "PASS" : "FAIL",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 3 && i <= 6 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ");
  return [title, line(head), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

/** Runs one list call through a logging Drizzle instance on the same client, and EXPLAINs the main query. */
async function explain(handle: DatabaseHandle, userId: string, input: ListPromptsInput): Promise<string> {
  const captured: { query: string; params: unknown[] }[] = [];
  const logger = { logQuery: (query: string, params: unknown[]) => captured.push({ query, params }) };
  const client = (handle.db as unknown as { $client: { query(text: string, params: unknown[]): Promise<{ rows: Record<string, string>[] }> } }).$client;
  const { drizzle } = handle.driver === "pglite" ? await import("drizzle-orm/pglite") : await import("drizzle-orm/node-postgres");
  const logged = (drizzle as (c: { client: unknown; schema: unknown; logger: unknown }) => unknown)({ client, schema, logger }) as Database;
  await new PromptService(logged, userId).list({ ...input, limit: 30 });
  const main = captured[0]!;
  const result = await client.query(`explain (analyze, buffers) ${main.query}`, main.params);
  return result.rows.map((r) => r["QUERY PLAN"]).join("\n");
}

async function tenthPageCursor(db: Database, userId: string): Promise<string> {
  const service = new PromptService(db, userId);
  let cursor: string | undefined;
  for (let page = 1; page < 10; page++) cursor = (await service.list({ limit: 30, cursor })).nextCursor!;
  return cursor!;
}

type Statistics = "app's ANALYZE pass" | "vacuum analyze";

async function benchmark(label: string, handle: DatabaseHandle, statistics: Statistics): Promise<void> {
  console.log(`\n== ${label}: seeding ${options.prompts.toLocaleString("en")} prompts + ${options.otherUsers} × ${options.otherPrompts.toLocaleString("en")} for other users`);
  const seeded = await seedLibrary(handle, { ...options, log: (l) => console.log(l) });
  console.log(`  seeded in ${seeded.seconds.toFixed(1)} s`);
  const [live] = await rows<{ n: number }>(handle.db, sql`select count(*)::int as n from prompts where user_id = ${seeded.userId} and deleted_at is null`);

  const t0 = performance.now();
  if (statistics === "app's ANALYZE pass") await refreshPlannerStatistics(handle);
  if (statistics === "vacuum analyze") await handle.db.execute(sql`vacuum analyze`);
  console.log(`  ${statistics} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");
  const loadBefore = load();
  const results = await measure(handle.db, seeded.userId, cases(seeded, await tenthPageCursor(handle.db, seeded.userId)));
  console.log(`\n${table(`${label} — ${statistics}, ${live!.n.toLocaleString("en")} live prompts, ${options.runs} runs per class, limit 30, target p95 ≤ ${TARGET_P95_MS} ms`, results, live!.n)}`);
  // Latency on a shared machine is only meaningful next to how busy it was.
  console.log(`load average (1/5/15 min) on ${cpus().length} CPUs: ${loadBefore} before, ${load()} after`);
  const searches = results.filter((r) => r.search).sort((a, b) => b.p95 - a.p95);
  const toExplain = flag("explain-all") ? results : searches.slice(0, 1);
  for (const r of toExplain) {
    console.log(`\nEXPLAIN (ANALYZE, BUFFERS) of the ranked query — ${r.name} (${JSON.stringify(r.input.q ?? "")}):\n${await explain(handle, seeded.userId, r.input)}`);
  }
}

async function onPglite(): Promise<void> {
  const dir = flag("memory") ? undefined : mkdtempSync(path.join(tmpdir(), "pv-bench-"));
  const handle = await openDatabase({ driver: "pglite", url: dir ?? "memory://" });
  try {
    // PGlite has no autovacuum: the app analyzes on open and once a minute (refreshPlannerStatistics); measure
    // the library as that pass leaves it.
    await benchmark(`PGlite (${dir ? `on disk, ${dir}` : "memory://"})`, handle, "app's ANALYZE pass");
  } finally {
    await handle.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

async function onPostgres(serverUrl: string): Promise<void> {
  const scratch = await createScratchDatabase(serverUrl, "pv_bench");
  const dropOnInterrupt = () => void dropScratchDatabases().finally(() => process.exit(130));
  process.once("SIGINT", dropOnInterrupt);
  let handle: DatabaseHandle | undefined;
  try {
    handle = await openDatabase({ driver: "pg", url: scratch.url, max: 4 });
    // Autovacuum would analyze a table this size within a minute; measure that steady state directly.
    await benchmark(`Postgres (${new URL(scratch.url).host}, scratch database ${scratch.name})`, handle, "vacuum analyze");
  } finally {
    await handle?.close();
    await scratch.drop();
    process.off("SIGINT", dropOnInterrupt);
  }
}

async function main(): Promise<void> {
  const serverUrl = getEnv().DATABASE_URL;
  if (!flag("no-pglite")) await onPglite();
  if (serverUrl) await onPostgres(serverUrl);
  else console.log("\n(DATABASE_URL not set: Postgres skipped)");
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

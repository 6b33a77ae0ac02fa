import { sql } from "drizzle-orm";
import type { DatabaseHandle } from "../src/server/db/client";
import { folders, prompts, tags, users, type PromptSource } from "../src/server/db/schema";
import { generatePrompt, rng, type Domain } from "./corpus";

export type SeedOptions = { prompts: number; otherUsers: number; otherPrompts: number; batch?: number; log?: (line: string) => void };
export type Seeded = { userId: string; folderIds: Record<string, string>; seconds: number };

const FOLDERS = ["Coding", "Writing", "Support", "Research", "Marketing", "Archive", "Drafts", "Team"] as const;
const DOMAIN_FOLDER: Record<Domain, (typeof FOLDERS)[number]> = { coding: "Coding", writing: "Writing", support: "Support", research: "Research", marketing: "Marketing" };
const TAGS = ["gpt-4o", "claude", "reviewed", "long-form", "template", "email", "sql", "seo"];
const SOURCES: PromptSource[] = ["manual", "manual", "manual", "chatgpt", "chatgpt", "claude", "cursor", "api"];
const MODELS = [null, null, "gpt-4o", "claude-sonnet", "gpt-4o-mini", "gemini-pro"];
const DAY = 86_400_000;
// A fixed "now" keeps the corpus identical between runs.
const NOW = Date.parse("2026-06-01T12:00:00Z");

async function execRows<T>(handle: DatabaseHandle, query: ReturnType<typeof sql>): Promise<T[]> {
  return ((await handle.db.execute(query)) as unknown as { rows: T[] }).rows;
}

/**
 * Fills an empty, migrated database: one measured user with `prompts` prompts in folders and tags, and
 * `otherUsers` users with `otherPrompts` each (their rows share the indexes, as in a real deployment).
 * Secondary indexes on prompts are dropped for the load and rebuilt from their own definitions afterwards,
 * which is how a bulk restore is done and several times faster than maintaining GIN indexes row by row.
 */
export async function seedLibrary(handle: DatabaseHandle, options: SeedOptions): Promise<Seeded> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const batch = options.batch ?? 1000;
  const { db } = handle;

  const [owner, ...others] = await db
    .insert(users)
    .values(Array.from({ length: 1 + options.otherUsers }, (_, i) => ({ email: `bench-${i}@example.test`, displayName: `Bench ${i}` })))
    .returning({ id: users.id });
  const folderRows = await db
    .insert(folders)
    .values(FOLDERS.map((name) => ({ userId: owner!.id, name })))
    .returning({ id: folders.id, name: folders.name });
  const folderIds = Object.fromEntries(folderRows.map((f) => [f.name, f.id]));
  const tagRows = await db
    .insert(tags)
    .values(TAGS.map((name) => ({ userId: owner!.id, name })))
    .returning({ id: tags.id });

  const indexes = await execRows<{ indexname: string; indexdef: string }>(
    handle,
    sql`select indexname, indexdef from pg_indexes where schemaname = 'public' and tablename = 'prompts'
        and indexname not in (select conname from pg_constraint where conrelid = 'prompts'::regclass)`,
  );
  for (const { indexname } of indexes) await db.execute(sql.raw(`drop index "${indexname}"`));

  const plan: { userId: string; count: number; seed: number; withFolders: boolean }[] = [
    { userId: owner!.id, count: options.prompts, seed: 1, withFolders: true },
    ...others.map((u, i) => ({ userId: u.id, count: options.otherPrompts, seed: 100 + i, withFolders: false })),
  ];
  for (const part of plan) {
    const r = rng(part.seed);
    const t0 = performance.now();
    for (let done = 0; done < part.count; done += batch) {
      const rows = Array.from({ length: Math.min(batch, part.count - done) }, () => {
        const p = generatePrompt(r);
        // Recent work dominates: creation skews towards now, and edits happen some time after creation.
        const createdAt = NOW - Math.pow(r(), 1.6) * 3 * 365 * DAY - Math.floor(r() * 1000);
        const updatedAt = createdAt + r() * r() * (NOW - createdAt);
        const f = r();
        const folder = !part.withFolders ? null : f < 0.75 ? DOMAIN_FOLDER[p.domain] : f < 0.8 ? "Archive" : f < 0.83 ? "Drafts" : f < 0.85 ? "Team" : null;
        return {
          userId: part.userId,
          title: p.title,
          body: p.body,
          description: p.description,
          folderId: folder ? folderIds[folder]! : null,
          source: SOURCES[Math.floor(r() * SOURCES.length)]!,
          modelHint: MODELS[Math.floor(r() * MODELS.length)]!,
          isFavorite: r() < 0.05,
          useCount: 1 + Math.floor(Math.pow(r(), 4) * 40),
          createdAt: new Date(createdAt),
          updatedAt: new Date(updatedAt),
          deletedAt: r() < 0.02 ? new Date(updatedAt + DAY) : null,
        };
      });
      await db.insert(prompts).values(rows);
    }
    log(`  ${part.count.toLocaleString("en")} prompts for ${part.withFolders ? "the measured user" : "another user"} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }

  let t0 = performance.now();
  for (const { indexdef } of indexes) await db.execute(sql.raw(indexdef));
  log(`  ${indexes.length} prompt indexes rebuilt in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  t0 = performance.now();
  // Version 1 of every prompt, as PromptService.create writes it; the trigger only refuses UPDATE.
  await db.execute(sql`insert into prompt_versions (prompt_id, user_id, number, title, body, message, author_id, created_at)
    select id, user_id, 1, title, body, 'Created', user_id, created_at from prompts`);
  // About a third of the measured user's prompts carry one or two tags.
  for (const [i, tag] of tagRows.entries()) {
    await db.execute(sql`insert into prompt_tags (prompt_id, tag_id, user_id)
      select id, ${tag.id}, user_id from prompts where user_id = ${owner!.id} and ((hashtext(id::text) # ${i * 7919}) & 1023) < 50`);
  }
  log(`  versions and tags in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  return { userId: owner!.id, folderIds, seconds: (performance.now() - started) / 1000 };
}

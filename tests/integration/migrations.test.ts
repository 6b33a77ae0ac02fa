import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { getTableName, is, sql } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database, type DatabaseHandle } from "../../src/server/db/client";
import { pgErrorCode } from "../../src/server/db/errors";
import * as schema from "../../src/server/db/schema";
import { AccountService } from "../../src/server/services/account-service";

/**
 * The committed migrations, applied from nothing — as on a new install (PGlite) and a new deployment
 * (Postgres). Deliberately not `useTestDatabase()`: that shares a database already migrated by the
 * harness, and a transaction could not show what a second instance sees.
 */

const journal = JSON.parse(readFileSync(path.join(process.cwd(), "drizzle/meta/_journal.json"), "utf8")) as { entries: { tag: string }[] };
const expectedTables = (Object.values(schema) as unknown[])
  .filter((value): value is PgTable => is(value, PgTable))
  .map((table) => getTableName(table))
  .sort();

async function rows<T>(db: Database, query: ReturnType<typeof sql>): Promise<T[]> {
  // node-postgres / Neon return { rows }, PGlite returns { rows } too; drizzle's execute passes it through.
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

async function schemaFingerprint(db: Database): Promise<string> {
  const objects = await rows<{ kind: string; name: string }>(
    db,
    sql`select c.relkind::text as kind, c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname in ('public', 'drizzle') order by 1, 2`,
  );
  return objects.map((o) => `${o.kind}:${o.name}`).join("\n");
}

async function appliedMigrations(db: Database): Promise<number> {
  const [row] = await rows<{ n: number }>(db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
  return row!.n;
}

/** The checks every freshly migrated database must pass, whatever the driver. */
function describeMigratedSchema(getDb: () => Database) {
  it("creates every table of the Drizzle schema", async () => {
    const found = await rows<{ table_name: string }>(
      getDb(),
      sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
    );
    expect(expectedTables.length).toBeGreaterThanOrEqual(19);
    expect(found.map((r) => r.table_name).sort()).toEqual(expectedTables);
  });

  it("records each committed migration once", async () => {
    expect(await appliedMigrations(getDb())).toBe(journal.entries.length);
  });

  it("installs pg_trgm and the trigram index on titles", async () => {
    const ext = await rows<{ extname: string }>(getDb(), sql`select extname from pg_extension where extname = 'pg_trgm'`);
    expect(ext).toHaveLength(1);
    const [sim] = await rows<{ s: number }>(getDb(), sql`select similarity('prompt library', 'prompt libary') as s`);
    expect(Number(sim!.s)).toBeGreaterThan(0.3);
    const idx = await rows<{ indexdef: string }>(getDb(), sql`select indexdef from pg_indexes where indexname = 'prompts_title_trgm_idx'`);
    expect(idx[0]?.indexdef).toMatch(/gin_trgm_ops/);
  });

  it("installs the prompt_versions immutability trigger, which refuses an UPDATE but allows DELETE", async () => {
    const db = getDb();
    const trigger = await rows<{ tgname: string }>(
      db,
      sql`select tgname from pg_trigger where tgrelid = 'prompt_versions'::regclass and not tgisinternal`,
    );
    expect(trigger.map((t) => t.tgname)).toEqual(["prompt_versions_immutable"]);

    const [user] = await db.insert(schema.users).values({ email: `mig-${randomBytes(4).toString("hex")}@example.test` }).returning();
    const [prompt] = await db.insert(schema.prompts).values({ userId: user!.id, title: "Immutable", body: "v1" }).returning();
    const [version] = await db
      .insert(schema.promptVersions)
      .values({ promptId: prompt!.id, userId: user!.id, number: 1, title: "Immutable", body: "v1" })
      .returning();

    const error = await db
      .execute(sql`update prompt_versions set body = 'rewritten' where id = ${version!.id}`)
      .then(() => undefined, (e: unknown) => e);
    expect(pgErrorCode(error)).toBe("23001"); // restrict_violation, raised by the trigger
    const [after] = await rows<{ body: string }>(db, sql`select body from prompt_versions where id = ${version!.id}`);
    expect(after!.body).toBe("v1");

    // History goes away with its prompt (cascade), it just cannot be rewritten.
    await db.execute(sql`delete from users where id = ${user!.id}`);
    const left = await rows<{ n: number }>(db, sql`select count(*)::int as n from prompt_versions where id = ${version!.id}`);
    expect(left[0]!.n).toBe(0);
  });
}

describe("migrations on an empty PGlite", () => {
  let handle: DatabaseHandle;

  beforeAll(async () => {
    handle = await openDatabase({ driver: "pglite", url: "memory://" });
  });
  afterAll(async () => {
    await handle?.close();
  });

  describeMigratedSchema(() => handle.db);

  it("re-running the migrations is a no-op", async () => {
    const before = await schemaFingerprint(handle.db);
    // Same migrator and folder openDatabase uses; a memory:// database cannot be reopened, so run it again here.
    const { migrate } = await import("drizzle-orm/pglite/migrator");
    await migrate(handle.db as never, { migrationsFolder: path.join(process.cwd(), "drizzle") });
    expect(await appliedMigrations(handle.db)).toBe(journal.entries.length);
    expect(await schemaFingerprint(handle.db)).toBe(before);
  });
});

// ---- Postgres: a scratch database on TEST_DATABASE_URL's server, created and dropped here -----------------

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function createScratchDatabase(prefix: string): Promise<{ name: string; url: string }> {
  const name = `${prefix}_${randomBytes(5).toString("hex")}`;
  await withAdmin((c) => c.query(`create database ${name}`));
  const url = new URL(process.env.TEST_DATABASE_URL!);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

async function dropScratchDatabase(name: string): Promise<void> {
  await withAdmin((c) => c.query(`drop database if exists ${name} with (force)`));
}

describe.skipIf(!process.env.TEST_DATABASE_URL)("migrations on an empty Postgres", () => {
  let scratch: { name: string; url: string };
  let handle: DatabaseHandle;

  beforeAll(async () => {
    scratch = await createScratchDatabase("pv_mig");
    handle = await openDatabase({ driver: "pg", url: scratch.url, max: 2 });
  });
  afterAll(async () => {
    await handle?.close();
    if (scratch) await dropScratchDatabase(scratch.name);
  });

  describeMigratedSchema(() => handle.db);

  it("re-running the migrations (a second openDatabase) is a no-op", async () => {
    const before = await schemaFingerprint(handle.db);
    const again = await openDatabase({ driver: "pg", url: scratch.url, max: 1 });
    await again.close();
    expect(await appliedMigrations(handle.db)).toBe(journal.entries.length);
    expect(await schemaFingerprint(handle.db)).toBe(before);
  });

  it("two instances starting at once on an empty database both succeed (advisory lock)", async () => {
    const race = await createScratchDatabase("pv_mig");
    const opened: DatabaseHandle[] = [];
    try {
      const results = await Promise.allSettled([0, 1].map(() => openDatabase({ driver: "pg", url: race.url, max: 2 })));
      for (const r of results) if (r.status === "fulfilled") opened.push(r.value);
      expect(results.map((r) => (r.status === "rejected" ? String(r.reason) : "ok"))).toEqual(["ok", "ok"]);
      expect(await appliedMigrations(opened[0]!.db)).toBe(journal.entries.length);
      expect(await schemaFingerprint(opened[1]!.db)).toBe(await schemaFingerprint(handle.db));
    } finally {
      await Promise.all(opened.map((h) => h.close()));
      await dropScratchDatabase(race.name);
    }
  });

  it("a new instance's first accounts signing up at once: exactly one becomes its administrator", async () => {
    const fresh = await createScratchDatabase("pv_first");
    const opened = await openDatabase({ driver: "pg", url: fresh.url, max: 6 });
    try {
      const accounts = new AccountService(opened.db);
      const made = await Promise.all(
        [0, 1, 2, 3, 4, 5].map((i) => accounts.signUp({ email: `founder${i}@example.test`, password: "correct horse battery" }, { ip: `203.0.113.${i + 1}` })),
      );
      expect(made.filter((s) => s.user.isAdmin)).toHaveLength(1);
    } finally {
      await opened.close();
      await dropScratchDatabase(fresh.name);
    }
  });
});

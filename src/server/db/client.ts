import { mkdirSync } from "node:fs";
import path from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { databaseDriver, getEnv, type DatabaseDriver } from "../env";
import * as schema from "./schema";

export type Schema = typeof schema;
/** Every driver's database (and any transaction of one) is this type; services only ever see it. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

export type DatabaseHandle = {
  db: Database;
  driver: DatabaseDriver;
  close: () => Promise<void>;
};

export type OpenOptions = {
  driver: DatabaseDriver;
  /** postgres:// URL for `pg` and `neon`; a directory (or `memory://`) for `pglite`. */
  url: string;
  /** Run the committed migrations before returning (default true). */
  migrate?: boolean;
  /** Pool size for `pg` / `neon`. */
  max?: number;
};

const MIGRATIONS_FOLDER = path.join(process.cwd(), "drizzle");
// Any constant works; it only has to be the same for every instance migrating the same database.
const MIGRATION_LOCK_KEY = 727_000_001;

/** Opens a database with an explicit driver. The app uses `getDatabase()`; tests and scripts use this directly. */
export async function openDatabase(options: OpenOptions): Promise<DatabaseHandle> {
  const handle = await connect(options);
  if (options.migrate !== false) {
    try {
      await runMigrations(handle);
    } catch (error) {
      await handle.close().catch(() => {});
      throw error;
    }
  }
  return handle;
}

async function connect({ driver, url, max = 10 }: OpenOptions): Promise<DatabaseHandle> {
  if (driver === "pglite") {
    const [{ PGlite }, { pg_trgm }, { drizzle }] = await Promise.all([
      import("@electric-sql/pglite"),
      import("@electric-sql/pglite/contrib/pg_trgm"),
      import("drizzle-orm/pglite"),
    ]);
    if (!url.startsWith("memory://")) mkdirSync(url, { recursive: true });
    const client = await PGlite.create(url, { extensions: { pg_trgm } });
    const db = drizzle({ client, schema }) as unknown as Database;
    await analyzeStaleTables(client);
    let running: Promise<void> = Promise.resolve();
    const timer = setInterval(() => {
      running = analyzeStaleTables(client).catch((error) => console.warn("PGlite: ANALYZE failed; searches may be slow until it succeeds.", error));
    }, PGLITE_ANALYZE_EVERY_MS);
    timer.unref();
    return {
      db,
      driver,
      close: async () => {
        clearInterval(timer);
        await running;
        await client.close();
      },
    };
  }
  if (driver === "neon") {
    const [{ Pool, neonConfig }, { drizzle }, ws] = await Promise.all([
      import("@neondatabase/serverless"),
      import("drizzle-orm/neon-serverless"),
      import("ws"),
    ]);
    // Node 20 has no global WebSocket; the driver needs one to speak Postgres over WebSockets.
    if (!globalThis.WebSocket) neonConfig.webSocketConstructor = ws.default;
    const pool = new Pool({ connectionString: url, max });
    pool.on("error", idleClientError);
    const db = drizzle({ client: pool, schema }) as unknown as Database;
    return { db, driver, close: () => pool.end() };
  }
  const [{ default: pg }, { drizzle }] = await Promise.all([import("pg"), import("drizzle-orm/node-postgres")]);
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on("error", idleClientError);
  const db = drizzle({ client: pool, schema }) as unknown as Database;
  return { db, driver, close: () => pool.end() };
}

/**
 * An idle pooled connection that the server closes (a Postgres restart, a failover, an idle timeout, an
 * administrator) is an 'error' event on the pool: unhandled, it would take the whole server process down.
 * The pool drops that connection and opens a new one when needed; the next query reports any real outage.
 */
function idleClientError(error: Error): void {
  console.error(`[db] an idle database connection was closed: ${error.message}`);
}

// PGlite runs Postgres in single-user mode: there is no autovacuum, so without this the planner never has
// statistics, guesses that every filter is highly selective, and a search of a 100k-prompt library takes
// seconds (nested loops over the whole library). Analyze a table that has rows but no statistics, or that
// has grown by a tenth since it was last analyzed (autovacuum's own default). PGlite does not keep the
// cumulative statistics (n_mod_since_analyze) across restarts, hence the comparison of sizes.
const PGLITE_ANALYZE_EVERY_MS = 60_000;

type PgliteLike = { query<T>(sql: string): Promise<{ rows: T[] }>; exec(sql: string): Promise<unknown> };

async function analyzeStaleTables(client: PgliteLike): Promise<void> {
  const { rows } = await client.query<{ name: string }>(
    `select quote_ident(c.relname) as name from pg_class c
     where c.relnamespace = 'public'::regnamespace and c.relkind = 'r' and pg_relation_size(c.oid) > 0
       and (not exists (select 1 from pg_statistic s where s.starelid = c.oid)
            or pg_relation_size(c.oid) / current_setting('block_size')::int > 8 + 1.1 * greatest(c.relpages, 0))`,
  );
  for (const { name } of rows) await client.exec(`analyze ${name}`);
}

/** Brings the planner's statistics up to date now (PGlite; Postgres has autovacuum), e.g. after a bulk import. */
export async function refreshPlannerStatistics(handle: DatabaseHandle): Promise<void> {
  if (handle.driver === "pglite") await analyzeStaleTables((handle.db as unknown as { $client: PgliteLike }).$client);
}

async function runMigrations(handle: DatabaseHandle): Promise<void> {
  const config = { migrationsFolder: MIGRATIONS_FOLDER };
  if (handle.driver === "pglite") {
    // One process owns an embedded database, so no lock is needed.
    const { migrate } = await import("drizzle-orm/pglite/migrator");
    await migrate(handle.db as never, config);
    return;
  }
  // Several app instances may start at once against one Postgres: serialise them with an advisory lock held
  // on one dedicated connection, and run the migrator on that same connection.
  const drizzle = (handle.driver === "neon" ? (await import("drizzle-orm/neon-serverless")).drizzle : (await import("drizzle-orm/node-postgres")).drizzle) as (
    config: { client: unknown; schema: Schema },
  ) => unknown;
  const { migrate } = handle.driver === "neon" ? await import("drizzle-orm/neon-serverless/migrator") : await import("drizzle-orm/node-postgres/migrator");
  const pool = (handle.db as unknown as { $client: { connect(): Promise<LockClient> } }).$client;
  const client = await pool.connect();
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    try {
      await migrate(drizzle({ client, schema }) as never, config);
    } finally {
      await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

type LockClient = { query(sql: string, params?: unknown[]): Promise<unknown>; release(): void };

// ---- the application's database, chosen by environment -------------------------------------------------

type Global = typeof globalThis & { __promptvaultDb?: Promise<DatabaseHandle>; __promptvaultDbOverride?: Database };
const g = globalThis as Global;

export function defaultOpenOptions(): OpenOptions {
  const env = getEnv();
  const driver = databaseDriver(env);
  if (driver === "pglite") return { driver, url: path.resolve(env.DATA_DIR, "pglite") };
  return { driver, url: env.DATABASE_URL! };
}

/**
 * The app's database. Opened once per process (kept on globalThis so dev reloads reuse it) and migrated on
 * first open, so a fresh checkout needs no setup step.
 */
export async function getDatabase(): Promise<Database> {
  if (g.__promptvaultDbOverride) return g.__promptvaultDbOverride;
  return (await getDatabaseHandle()).db;
}

export function getDatabaseHandle(): Promise<DatabaseHandle> {
  if (!g.__promptvaultDb) {
    g.__promptvaultDb = openDatabase(defaultOpenOptions()).catch((error) => {
      g.__promptvaultDb = undefined;
      throw error;
    });
  }
  return g.__promptvaultDb;
}

export async function closeDatabase(): Promise<void> {
  const pending = g.__promptvaultDb;
  g.__promptvaultDb = undefined;
  if (pending) await (await pending).close();
}

/**
 * Test seam: route handlers and pages ask `getDatabase()`; the test harness points it at a transaction
 * that is rolled back after each test. Not used by the app.
 */
export function setDatabaseOverride(db: Database | undefined): void {
  g.__promptvaultDbOverride = db;
}

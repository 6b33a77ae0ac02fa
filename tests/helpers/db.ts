import { afterEach, beforeEach } from "vitest";
import { openDatabase, setDatabaseOverride, type Database, type DatabaseHandle } from "../../src/server/db/client";

type Global = typeof globalThis & { __pvTestDb?: Promise<DatabaseHandle> };
const g = globalThis as Global;

/** One database per test worker: PGlite in memory by default, TEST_DATABASE_URL's Postgres when set. */
export function workerDatabase(): Promise<DatabaseHandle> {
  const url = process.env.TEST_DATABASE_URL;
  g.__pvTestDb ??= url ? openDatabase({ driver: "pg", url, max: 4 }) : openDatabase({ driver: "pglite", url: "memory://" });
  return g.__pvTestDb;
}

export const usingPostgres = () => Boolean(process.env.TEST_DATABASE_URL);

class Rollback extends Error {}

/**
 * Runs every test of the calling file inside a transaction that is rolled back afterwards, and points the
 * app's `getDatabase()` at it so route handlers see the same data. Services' own transactions become
 * savepoints. Returns an accessor for the current test's database.
 */
export function useTestDatabase(): () => Database {
  let current: Database | undefined;
  let release: (() => void) | undefined;
  let finished: Promise<void> | undefined;

  beforeEach(async () => {
    const { db } = await workerDatabase();
    await new Promise<void>((ready, fail) => {
      finished = db
        .transaction(async (tx) => {
          current = tx as unknown as Database;
          setDatabaseOverride(current);
          ready();
          await new Promise<void>((r) => (release = r));
          throw new Rollback();
        })
        .catch((error) => {
          if (!(error instanceof Rollback)) fail(error);
        });
    });
  });

  afterEach(async () => {
    setDatabaseOverride(undefined);
    release?.();
    await finished;
    current = undefined;
  });

  return () => {
    if (!current) throw new Error("useTestDatabase(): the database is only available inside a test");
    return current;
  };
}

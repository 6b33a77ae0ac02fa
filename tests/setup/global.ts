import pg from "pg";
import { openDatabase } from "../../src/server/db/client";

/**
 * With TEST_DATABASE_URL set, the suite runs on that Postgres: start from an empty schema every run so the
 * migrations are applied from scratch, exactly as on a new deployment. The database must be a throwaway one.
 */
export default async function setup(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("drop schema if exists public cascade; drop schema if exists drizzle cascade; create schema public;");
  } finally {
    await client.end();
  }
  const handle = await openDatabase({ driver: "pg", url, max: 1 });
  await handle.close();
}

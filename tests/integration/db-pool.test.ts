import { sql } from "drizzle-orm";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/server/db/client";

/** What a Postgres restart does to a running app's idle connections, on both pooled drivers' behalf. */
describe.skipIf(!process.env.TEST_DATABASE_URL)("the pg pool when the server closes its idle connections", () => {
  it("logs and carries on (no crash), and the next query gets a new connection", async () => {
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.searchParams.set("application_name", "pv_idle_close_test");
    const handle = await openDatabase({ driver: "pg", url: url.toString(), max: 2, migrate: false });
    const logged: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void logged.push(args.map(String).join(" "));
    try {
      await handle.db.execute(sql`select 1`);
      const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await admin.connect();
      const { rows } = await admin.query(`select count(*)::int as n from (select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'pv_idle_close_test') t`);
      await admin.end();
      expect(rows[0].n).toBeGreaterThan(0);
      // Give the pool the moment it takes to notice.
      for (let i = 0; i < 50 && logged.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(logged.join("\n")).toMatch(/\[db\] an idle database connection was closed: terminating connection due to administrator command/);
      const result = (await handle.db.execute(sql`select 41 + 1 as answer`)) as unknown as { rows: { answer: number }[] };
      expect(result.rows[0]!.answer).toBe(42);
    } finally {
      console.error = original;
      await handle.close();
    }
  });
});

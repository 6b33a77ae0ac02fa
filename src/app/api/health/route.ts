import { sql } from "drizzle-orm";
import { databaseDriver } from "@/server/env";
import { json, publicRoute } from "@/server/http/handler";

export const dynamic = "force-dynamic";

/** For load balancers and the e2e harness: the database answers. */
export const GET = publicRoute(async ({ db }) => {
  await db.execute(sql`select 1`);
  return json({ ok: true, database: databaseDriver() });
});

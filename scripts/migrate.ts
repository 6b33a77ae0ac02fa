/**
 * `npm run db:migrate`: applies the committed migrations in drizzle/ to the database the app would use
 * (DATABASE_URL, or the embedded PGlite under DATA_DIR). The app also does this on start-up; this script is
 * for deploy pipelines. With PGlite, stop the app first: one process at a time may open its data folder.
 */
import { closeDatabase, defaultOpenOptions, getDatabaseHandle } from "../src/server/db/client";

async function main() {
  const options = defaultOpenOptions();
  const started = Date.now();
  await getDatabaseHandle();
  await closeDatabase();
  const where = options.driver === "pglite" ? options.url : new URL(options.url).host;
  console.log(`Migrations applied (${options.driver}: ${where}) in ${Date.now() - started} ms.`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

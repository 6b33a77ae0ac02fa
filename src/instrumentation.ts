/**
 * Runs once when the server starts: open the database and apply migrations before the first request.
 * (NEXT_RUNTIME / NEXT_PHASE are Next's own process facts, not configuration, hence read here directly.)
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { getDatabaseHandle } = await import("@/server/db/client");
  await getDatabaseHandle();
}

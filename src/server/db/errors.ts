/**
 * Postgres error classification by SQLSTATE code (never by message text). Drizzle wraps driver errors in
 * DrizzleQueryError with the driver's error as `cause`; PGlite, pg and Neon all expose `code` and `constraint`.
 */
type PgLikeError = { code?: unknown; constraint?: unknown; cause?: unknown };

function driverError(error: unknown): PgLikeError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === "object"; depth++) {
    const candidate = current as PgLikeError;
    if (typeof candidate.code === "string" && /^[0-9A-Z]{5}$/.test(candidate.code)) return candidate;
    current = candidate.cause;
  }
  return undefined;
}

export function pgErrorCode(error: unknown): string | undefined {
  return driverError(error)?.code as string | undefined;
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = driverError(error);
  return e?.code === "23505" && (constraint === undefined || e.constraint === constraint);
}

export function isForeignKeyViolation(error: unknown): boolean {
  return driverError(error)?.code === "23503";
}

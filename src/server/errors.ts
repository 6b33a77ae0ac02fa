/**
 * The only error a service throws on purpose. Transport layers map `code` to a status in one place
 * (src/server/http/errors.ts); anything else is an unexpected failure and becomes a generic 500.
 */
export const SERVICE_ERROR_CODES = [
  "unauthorized",
  "forbidden",
  "not_found",
  "conflict",
  "invalid",
  "limit_exceeded",
  "payment_required",
  "rate_limited",
  "gone",
  "not_configured",
  "unavailable",
  "timeout",
] as const;
export type ServiceErrorCode = (typeof SERVICE_ERROR_CODES)[number];

export class ServiceError extends Error {
  readonly code: ServiceErrorCode;
  /** Extra, safe-to-show detail (field errors, retry delay…). */
  readonly details?: Record<string, unknown>;

  constructor(code: ServiceErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "ServiceError";
    this.code = code;
    this.details = details;
  }
}

export const notFound = (what: string) => new ServiceError("not_found", `${what} not found.`);

export function isServiceError(error: unknown): error is ServiceError {
  return error instanceof ServiceError;
}

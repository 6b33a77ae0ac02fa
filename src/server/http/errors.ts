import { ServiceError, type ServiceErrorCode } from "../errors";

/** The one table from service error codes to HTTP statuses. */
const STATUS: Record<ServiceErrorCode, number> = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  invalid: 422,
  limit_exceeded: 402,
  payment_required: 402,
  rate_limited: 429,
  not_configured: 404,
  // An outside service (the AI provider) failed or timed out.
  unavailable: 503,
  timeout: 504,
};

export type ErrorBody = { error: { code: string; message: string; details?: Record<string, unknown> } };

export function errorResponse(error: unknown): Response {
  if (error instanceof ServiceError) {
    const body: ErrorBody = { error: { code: error.code, message: error.message, ...(error.details && { details: error.details }) } };
    const headers = new Headers();
    const retry = error.details?.retryAfterSeconds;
    if (typeof retry === "number") headers.set("retry-after", String(retry));
    return Response.json(body, { status: STATUS[error.code], headers });
  }
  // Unexpected: log for the operator, tell the client nothing about internals.
  console.error("[api] unexpected error", error);
  return Response.json({ error: { code: "internal", message: "Something went wrong on our side. Please try again." } } satisfies ErrorBody, { status: 500 });
}

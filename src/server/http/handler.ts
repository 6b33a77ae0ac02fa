import { currentUser } from "../auth";
import { getDatabase, type Database } from "../db/client";
import { ServiceError } from "../errors";
import type { AppUser } from "../services/users";
import { errorResponse } from "./errors";

type RouteContext<P> = { params: Promise<P> };
type Ctx<P> = { req: Request; url: URL; db: Database; params: P };

const MAX_JSON_BYTES = 1_000_000;

/** A route for anyone (sign-in, webhooks, public pages' data). Errors become the standard JSON body. */
export function publicRoute<P = Record<string, never>>(handler: (ctx: Ctx<P>) => Promise<Response>) {
  return async (req: Request, context: RouteContext<P>): Promise<Response> => {
    try {
      checkSameOrigin(req);
      const db = await getDatabase();
      const params = (await context?.params) ?? ({} as P);
      return await handler({ req, url: new URL(req.url), db, params });
    } catch (error) {
      return errorResponse(error);
    }
  };
}

/** A route for a signed-in user: 401 otherwise. */
export function userRoute<P = Record<string, never>>(handler: (ctx: Ctx<P> & { user: AppUser }) => Promise<Response>) {
  return publicRoute<P>(async (ctx) => {
    const user = await currentUser(ctx.req.headers, ctx.db);
    if (!user) throw new ServiceError("unauthorized", "Sign in to continue.");
    return handler({ ...ctx, user });
  });
}

/**
 * Cookies are SameSite=Lax and the API only takes JSON, but a state-changing request that says it comes from
 * another site is refused outright.
 */
function checkSameOrigin(req: Request): void {
  if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return;
  const origin = req.headers.get("origin");
  if (!origin || origin === "null") return;
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host") ?? new URL(req.url).host;
  let originHost: string | undefined;
  try {
    originHost = new URL(origin).host;
  } catch {
    originHost = undefined;
  }
  if (originHost !== host) throw new ServiceError("forbidden", "Cross-site requests are not allowed.");
}

export async function readJson(req: Request): Promise<unknown> {
  const length = Number(req.headers.get("content-length") ?? 0);
  if (length > MAX_JSON_BYTES) throw new ServiceError("invalid", "The request body is too large (1 MB at most).");
  const text = await req.text();
  if (text.length > MAX_JSON_BYTES) throw new ServiceError("invalid", "The request body is too large (1 MB at most).");
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ServiceError("invalid", "The request body is not valid JSON.");
  }
}

/** Query parameters as a plain object (last value wins), for a service's zod schema. */
export function queryObject(url: URL): Record<string, string> {
  return Object.fromEntries(url.searchParams.entries());
}

export function json(data: unknown, status = 200, headers?: HeadersInit): Response {
  return Response.json(data, { status, headers });
}

export function noContent(): Response {
  return new Response(null, { status: 204 });
}

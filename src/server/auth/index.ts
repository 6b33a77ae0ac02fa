import type { Database } from "../db/client";
import { isClerkConfigured } from "../env";
import { AccountService } from "../services/account-service";
import type { AppUser } from "../services/users";

export type AuthMode = "local" | "clerk";
export const SESSION_COOKIE = "pv_session";

/** Clerk when its keys are set, otherwise built-in accounts. Everything else asks `currentUser`. */
export function authMode(): AuthMode {
  return isClerkConfigured() ? "clerk" : "local";
}

export function readCookie(headers: Headers, name: string): string | undefined {
  const header = headers.get("cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The signed-in user for a request (route handlers pass the request's headers, pages `headers()`). */
export async function currentUser(headers: Headers, db: Database): Promise<AppUser | null> {
  if (authMode() === "clerk") {
    const { currentClerkUser } = await import("./clerk");
    return currentClerkUser(db);
  }
  return new AccountService(db).resolveSession(readCookie(headers, SESSION_COOKIE));
}

/** The client's address for rate limiting: the first hop a trusted proxy (Vercel, nginx) reports. */
export function clientIp(headers: Headers): string {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || headers.get("x-real-ip") || "local";
}

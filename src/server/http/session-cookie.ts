import { SESSION_COOKIE } from "../auth";
import { getEnv } from "../env";

/**
 * The built-in session cookie: httpOnly (no script can read it), SameSite=Lax (not sent on cross-site
 * POSTs), Secure in production unless the app is served over plain http on localhost — set COOKIE_SECURE to
 * force either way behind a proxy.
 */
function secure(req: Request): boolean {
  const env = getEnv();
  if (env.COOKIE_SECURE !== undefined) return env.COOKIE_SECURE;
  if (env.NODE_ENV !== "production") return false;
  const url = new URL(req.url);
  const proto = req.headers.get("x-forwarded-proto") ?? url.protocol.replace(":", "");
  const host = (req.headers.get("host") ?? url.host).split(":")[0];
  return proto === "https" || !(host === "localhost" || host === "127.0.0.1");
}

export function sessionCookie(req: Request, token: string, expiresAt: Date): string {
  const parts = [`${SESSION_COOKIE}=${token}`, "Path=/", "HttpOnly", "SameSite=Lax", `Expires=${expiresAt.toUTCString()}`];
  if (secure(req)) parts.push("Secure");
  return parts.join("; ");
}

export function clearedSessionCookie(req: Request): string {
  const parts = [`${SESSION_COOKIE}=`, "Path=/", "HttpOnly", "SameSite=Lax", "Max-Age=0"];
  if (secure(req)) parts.push("Secure");
  return parts.join("; ");
}

import { SESSION_COOKIE, readCookie } from "@/server/auth";
import { publicRoute } from "@/server/http/handler";
import { clearedSessionCookie } from "@/server/http/session-cookie";
import { AccountService } from "@/server/services/account-service";
import { requireLocalAuth } from "../local";

export const POST = publicRoute(async ({ req, db }) => {
  requireLocalAuth();
  await new AccountService(db).signOut(readCookie(req.headers, SESSION_COOKIE));
  return new Response(null, { status: 204, headers: { "set-cookie": clearedSessionCookie(req) } });
});

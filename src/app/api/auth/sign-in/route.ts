import { clientIp } from "@/server/auth";
import { json, publicRoute, readJson } from "@/server/http/handler";
import { sessionCookie } from "@/server/http/session-cookie";
import { AccountService } from "@/server/services/account-service";
import { requireLocalAuth } from "../local";

export const POST = publicRoute(async ({ req, db }) => {
  requireLocalAuth();
  const session = await new AccountService(db).signIn(await readJson(req), { ip: clientIp(req.headers), userAgent: req.headers.get("user-agent") });
  return json({ user: session.user }, 200, { "set-cookie": sessionCookie(req, session.token, session.expiresAt) });
});

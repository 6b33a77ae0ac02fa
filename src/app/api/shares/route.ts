import { json, queryObject, readJson, userRoute } from "@/server/http/handler";
import { ShareService } from "@/server/services/share-service";

/** My share links (`?promptId=` for one prompt's). */
export const GET = userRoute(async ({ db, user, url }) => json({ shares: await new ShareService(db, user.id).list(queryObject(url).promptId) }));

/** `{ promptId, version: n | "latest", expiresAt?, maxViews?, allowCopy?, showAuthor?, noindex? }` */
export const POST = userRoute(async ({ req, db, user }) => json(await new ShareService(db, user.id).create(await readJson(req)), 201));

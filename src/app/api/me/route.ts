import { authMode } from "@/server/auth";
import { json, readJson, userRoute } from "@/server/http/handler";
import { ProfileService } from "@/server/services/users";

export const GET = userRoute(async ({ user }) => json({ user, authMode: authMode() }));

/** `{ displayName }` */
export const PATCH = userRoute(async ({ req, db, user }) => json({ user: await new ProfileService(db, user.id).update(await readJson(req)) }));

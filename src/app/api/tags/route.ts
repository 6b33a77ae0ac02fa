import { json, readJson, userRoute } from "@/server/http/handler";
import { TagService } from "@/server/services/tag-service";

export const GET = userRoute(async ({ db, user }) => json({ tags: await new TagService(db, user.id).list() }));

export const POST = userRoute(async ({ req, db, user }) => json(await new TagService(db, user.id).create(await readJson(req)), 201));

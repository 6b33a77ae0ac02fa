import { json, readJson, userRoute } from "@/server/http/handler";
import { FolderService } from "@/server/services/folder-service";

export const GET = userRoute(async ({ db, user }) => json({ folders: await new FolderService(db, user.id).list() }));

export const POST = userRoute(async ({ req, db, user }) => json(await new FolderService(db, user.id).create(await readJson(req)), 201));

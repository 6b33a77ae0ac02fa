import { json, noContent, readJson, userRoute } from "@/server/http/handler";
import { FolderService } from "@/server/services/folder-service";

type Params = { id: string };

export const GET = userRoute<Params>(async ({ db, user, params }) => json(await new FolderService(db, user.id).get(params.id)));

export const PATCH = userRoute<Params>(async ({ req, db, user, params }) => json(await new FolderService(db, user.id).rename(params.id, await readJson(req))));

export const DELETE = userRoute<Params>(async ({ db, user, params }) => {
  await new FolderService(db, user.id).delete(params.id);
  return noContent();
});

import { json, noContent, readJson, userRoute } from "@/server/http/handler";
import { TagService } from "@/server/services/tag-service";

type Params = { id: string };

export const GET = userRoute<Params>(async ({ db, user, params }) => json(await new TagService(db, user.id).get(params.id)));

export const PATCH = userRoute<Params>(async ({ req, db, user, params }) => json(await new TagService(db, user.id).update(params.id, await readJson(req))));

export const DELETE = userRoute<Params>(async ({ db, user, params }) => {
  await new TagService(db, user.id).delete(params.id);
  return noContent();
});

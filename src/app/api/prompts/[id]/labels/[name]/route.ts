import { json, noContent, readJson, userRoute } from "@/server/http/handler";
import { VersionService } from "@/server/services/prompts/version-service";

type Params = { id: string; name: string };

/** Body `{ "version": 3 }`: creates the label or moves it to that version. */
export const PUT = userRoute<Params>(async ({ req, db, user, params }) => json(await new VersionService(db, user.id).setLabel(params.id, params.name, await readJson(req))));

export const DELETE = userRoute<Params>(async ({ db, user, params }) => {
  await new VersionService(db, user.id).removeLabel(params.id, params.name);
  return noContent();
});

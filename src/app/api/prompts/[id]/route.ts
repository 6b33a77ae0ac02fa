import { json, noContent, queryObject, readJson, userRoute } from "@/server/http/handler";
import { PromptService } from "@/server/services/prompts/prompt-service";

type Params = { id: string };

/** `?label=production` or `?version=3` returns that version's content; default is the latest. */
export const GET = userRoute<Params>(async ({ db, user, params, url }) => json(await new PromptService(db, user.id).get(params.id, queryObject(url))));

export const PATCH = userRoute<Params>(async ({ req, db, user, params }) => json(await new PromptService(db, user.id).update(params.id, await readJson(req))));

/** Moves to the trash; `?permanent=true` deletes a trashed prompt for good. */
export const DELETE = userRoute<Params>(async ({ db, user, params, url }) => {
  const service = new PromptService(db, user.id);
  if (url.searchParams.get("permanent") === "true") await service.purge(params.id);
  else await service.trash(params.id);
  return noContent();
});

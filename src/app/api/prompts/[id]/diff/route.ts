import { json, queryObject, userRoute } from "@/server/http/handler";
import { VersionService } from "@/server/services/prompts/version-service";

/** `?from=1&to=3`: a word diff of the titles and a line diff of the bodies. */
export const GET = userRoute<{ id: string }>(async ({ db, user, params, url }) => json(await new VersionService(db, user.id).diff(params.id, queryObject(url))));

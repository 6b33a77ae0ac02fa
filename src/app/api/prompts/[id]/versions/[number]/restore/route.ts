import { json, readJson, userRoute } from "@/server/http/handler";
import { VersionService } from "@/server/services/prompts/version-service";

/** Makes version {number}'s content the newest version (history is never rewritten). */
export const POST = userRoute<{ id: string; number: string }>(async ({ req, db, user, params }) =>
  json(await new VersionService(db, user.id).restore(params.id, Number(params.number), await readJson(req)), 201),
);

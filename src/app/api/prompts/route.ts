import { json, queryObject, readJson, userRoute } from "@/server/http/handler";
import { PromptService } from "@/server/services/prompts/prompt-service";

export const GET = userRoute(async ({ db, user, url }) => json(await new PromptService(db, user.id).list(queryObject(url))));

export const POST = userRoute(async ({ req, db, user }) => json(await new PromptService(db, user.id).create(await readJson(req)), 201));

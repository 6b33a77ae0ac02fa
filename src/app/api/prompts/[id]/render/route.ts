import { json, readJson, userRoute } from "@/server/http/handler";
import { PromptService } from "@/server/services/prompts/prompt-service";

export const POST = userRoute<{ id: string }>(async ({ req, db, user, params }) => json(await new PromptService(db, user.id).render(params.id, await readJson(req))));

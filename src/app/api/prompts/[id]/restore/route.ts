import { json, userRoute } from "@/server/http/handler";
import { PromptService } from "@/server/services/prompts/prompt-service";

/** Takes a prompt out of the trash. (Restoring an old version is /versions/{n}/restore.) */
export const POST = userRoute<{ id: string }>(async ({ db, user, params }) => json(await new PromptService(db, user.id).restoreFromTrash(params.id)));

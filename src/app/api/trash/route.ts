import { json, userRoute } from "@/server/http/handler";
import { PromptService } from "@/server/services/prompts/prompt-service";

/** Empties the trash. */
export const DELETE = userRoute(async ({ db, user }) => json({ deleted: await new PromptService(db, user.id).emptyTrash() }));

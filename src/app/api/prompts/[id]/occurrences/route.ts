import { json, userRoute } from "@/server/http/handler";
import { PromptService } from "@/server/services/prompts/prompt-service";

/** Every conversation an imported prompt (and its near-duplicates) was seen in. */
export const GET = userRoute<{ id: string }>(async ({ db, user, params }) => json({ occurrences: await new PromptService(db, user.id).occurrences(params.id) }));

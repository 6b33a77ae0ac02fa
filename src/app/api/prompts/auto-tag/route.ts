import { json, readJson, userRoute } from "@/server/http/handler";
import { AutoTagService } from "@/server/services/auto-tag-service";

/** `{ promptIds? }` → tags those prompts (or every untagged prompt) by topic. */
export const POST = userRoute(async ({ req, db, user }) => json(await new AutoTagService(db, user.id).run(await readJson(req))));

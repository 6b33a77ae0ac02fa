import { json, userRoute } from "@/server/http/handler";
import { VersionService } from "@/server/services/prompts/version-service";

export const GET = userRoute<{ id: string }>(async ({ db, user, params }) => json({ versions: await new VersionService(db, user.id).list(params.id) }));

import { json, userRoute } from "@/server/http/handler";
import { VersionService } from "@/server/services/prompts/version-service";

export const GET = userRoute<{ id: string }>(async ({ db, user, params }) => json({ labels: await new VersionService(db, user.id).labels(params.id) }));

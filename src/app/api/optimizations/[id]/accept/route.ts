import { json, userRoute } from "@/server/http/handler";
import { OptimizeService } from "@/server/services/optimize-service";

/** Applies the rewrite as a new version of the prompt. */
export const POST = userRoute<{ id: string }>(async ({ db, user, params }) => json(await new OptimizeService(db, user.id).accept(params.id)));

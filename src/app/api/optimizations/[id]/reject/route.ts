import { json, userRoute } from "@/server/http/handler";
import { OptimizeService } from "@/server/services/optimize-service";

export const POST = userRoute<{ id: string }>(async ({ db, user, params }) => json(await new OptimizeService(db, user.id).reject(params.id)));

import { json, userRoute } from "@/server/http/handler";
import { OptimizeService } from "@/server/services/optimize-service";

export const GET = userRoute<{ id: string }>(async ({ db, user, params }) => json({ optimizations: await new OptimizeService(db, user.id).history(params.id) }));

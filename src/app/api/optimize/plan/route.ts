import { json, userRoute } from "@/server/http/handler";
import { OptimizeService } from "@/server/services/optimize-service";

/** Which engine (and whose key) the next optimization will use, and the platform quota left this month. */
export const GET = userRoute(async ({ db, user }) => json(await new OptimizeService(db, user.id).plan()));

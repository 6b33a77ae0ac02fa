import { json, readJson, userRoute } from "@/server/http/handler";
import { OptimizeService } from "@/server/services/optimize-service";

/** `{ engine?: "auto" | "builtin" }` → a proposed rewrite with before/after scores (not applied until accepted). */
export const POST = userRoute<{ id: string }>(async ({ req, db, user, params }) => json(await new OptimizeService(db, user.id).optimize(params.id, await readJson(req)), 201));

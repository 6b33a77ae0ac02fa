import { json, readJson, userRoute } from "@/server/http/handler";
import { AdminService } from "@/server/services/admin-service";

/** `{ plan }` — self-hosted instances only (with Stripe on, the subscription decides). */
export const PATCH = userRoute<{ id: string }>(async ({ req, db, user, params }) => json(await new AdminService(db, user).setPlan(params.id, await readJson(req))));

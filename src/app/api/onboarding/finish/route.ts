import { json, readJson, userRoute } from "@/server/http/handler";
import { OnboardingService } from "@/server/services/onboarding-service";

/** `{ starterIds: [...] }`: adds those starter templates and marks onboarding done. */
export const POST = userRoute(async ({ req, db, user }) => json(await new OnboardingService(db, user.id).finish(await readJson(req))));

import { json, readJson, userRoute } from "@/server/http/handler";
import { OnboardingService } from "@/server/services/onboarding-service";

export const GET = userRoute(async ({ db, user }) => json(await new OnboardingService(db, user.id).state()));

/** Saves progress: `{ step?, roles?, tools?, models?, importId? }` */
export const PATCH = userRoute(async ({ req, db, user }) => json(await new OnboardingService(db, user.id).save(await readJson(req))));

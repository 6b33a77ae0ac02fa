import { json, userRoute } from "@/server/http/handler";
import { OnboardingService } from "@/server/services/onboarding-service";

export const GET = userRoute(async ({ db, user }) => json(await new OnboardingService(db, user.id).starters()));
